// Ledger reads: GET /v1/hazards over a ledger of 1,000,000 hazard rows (50,000 with --quick), every
// filter the list endpoint takes and keyset pages (the first, and a deep one through a cursor the
// API would have returned there), as the office and as a county key, idle and while intake runs
// (a concurrent loop of POST /v1/hazards, each starting its workflow). p50/p99 per query.
// The rows are seeded with one INSERT ... SELECT generate_series shaped like real rows (ten counties,
// eight departments, 10,000 enterprises, both grades, states by age, deadlines, four campaigns with
// work items); they have no workflows and no hazard_events: the list reads neither.
import { sql } from 'drizzle-orm';
import { encodeCursor } from '../../api/schemas/common';
import { resolvePolicy } from '../../domain/policy';
import { demoTemplate } from '../../domain/campaign';
import { validateTemplate } from '../../domain/campaign-template';
import { drawRuleOf } from '../../domain/roster';
import { drawSpotCheck } from '../../domain/spot-check';
import { insertCampaign } from '../../db/campaign-admin.repo';
import type { Db } from '../../db/client';
import { spotCheckDraws } from '../../db/schema';
import { reportBody } from '../../tests/support/fixtures';
import type { Figure } from '../report';
import type { Stack } from '../stack';

export type ReadStack = Pick<Stack, 'topology' | 'db' | 'base' | 'admin' | 'say' | 'post'>;

const COUNTIES = 10;
const DEPARTMENTS = 8;
const ENTERPRISES = 10_000;
const INDUSTRIES = ['COAL_MINE', 'NON_COAL_MINE', 'HAZARDOUS_CHEMICALS', 'CONSTRUCTION', 'ROAD_TRANSPORT', 'FIRE_SAFETY', 'METALLURGY_TRADE'];
const TARGET_P99_MS = 50;

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => +x.toFixed(1);
/** Rows of a raw query (db.execute's result type is the driver's). */
export const rowsOf = async <T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> => ((await db.execute(q)) as unknown as { rows: T[] }).rows;

/** Enterprises and hazards straight into Postgres: what years of reporting leave on the ledger. */
export async function seed(db: Db, tag: string, rows: number, say: (s: string) => void) {
  const campaigns = Array.from({ length: 4 }, () => crypto.randomUUID());
  await db.execute(sql`
    insert into enterprises (name, credit_code, industry, county_code, department_code, principal_name, principal_email)
    select '企业' || g, ${tag} || lpad(g::text, 10, '0'),
           (${sql.raw(`array[${INDUSTRIES.map((i) => `'${i}'`).join(',')}]`)})[1 + g % ${INDUSTRIES.length}],
           ${tag} || '-c' || (g % ${COUNTIES}), ${tag} || '-d' || ((g / ${COUNTIES}) % ${DEPARTMENTS}), '负责人' || g, 'p' || g || '@bench.test'
    from generate_series(0, ${ENTERPRISES - 1}::int) g`);
  await db.execute(sql`create temp table bench_ent as
    select row_number() over (order by credit_code) - 1 as n, id, industry, county_code, department_code from enterprises where credit_code like ${tag + '%'}`);
  await db.execute(sql`create index on bench_ent (n)`);
  const general = JSON.stringify(resolvePolicy('GENERAL'));
  const major = JSON.stringify(resolvePolicy('MAJOR'));
  const batch = 250_000;
  const t0 = Date.now();
  for (let from = 0; from < rows; from += batch) {
    const to = Math.min(rows, from + batch) - 1;
    // g runs oldest to newest: one report every ~40 s over about a year for 1M rows; older rows are mostly closed.
    // Enterprise, grade, state and work item come from hashes of g, so no two of them are correlated by accident.
    await db.execute(sql`
      with src as (
        select g, e.id as enterprise_id, e.county_code, e.department_code, e.industry,
               case when abs(hashint8(g::bigint + 1000000007)) % 20 = 0 then 'MAJOR' else 'GENERAL' end as grade,
               now() - ((${rows}::int - g) * interval '1 second' * ${Math.round(40_000_000 / rows)}::int) as created_at,
               abs(hashint4(g)) % 100 as r
        from generate_series(${from}::int, ${to}::int) g join bench_ent e on e.n = abs(hashint8(g::bigint)) % ${ENTERPRISES}::int
      ), shaped as (
        select *, created_at + case when grade = 'MAJOR' then interval '90 days' else interval '30 days' end as deadline,
               case
                 when created_at < now() - interval '120 days' then case when r < 90 then 'CLOSED' when r < 94 then 'WITHDRAWN' when r < 97 then 'VERIFIED' else 'RECTIFYING' end
                 when created_at < now() - interval '30 days' then case when r < 55 then 'CLOSED' when r < 60 then 'WITHDRAWN' when r < 70 then 'SUBMITTED' when r < 75 then 'VERIFIED' else 'RECTIFYING' end
                 else case when r < 10 then 'CLOSED' when r < 15 then 'REGISTERED' when r < 20 then 'SUBMITTED' when r < 25 then 'LISTED_FOR_SUPERVISION' else 'RECTIFYING' end
               end as state
        from src
      )
      insert into hazards (id, enterprise_id, county_code, department_code, industry, grade, source, state, overdue, escalated,
        description, location, responsible_name, responsible_email, measures, funds_amount, deadline, interim_controls, time_zone, policy,
        workflow_id, reported_by, campaign_id, work_item_no, workflow_started_at, created_at, updated_at, closed_at)
      select id, enterprise_id, county_code, department_code, industry, grade::hazard_grade,
             (array['SELF_INSPECTION','SPOT_CHECK','SUPERVISION','REPORT'])[1 + g % 4]::hazard_source, state::hazard_state,
             state not in ('CLOSED', 'WITHDRAWN', 'VERIFIED') and deadline < now(), state not in ('CLOSED', 'WITHDRAWN', 'VERIFIED') and deadline < now() - interval '7 days',
             '配电室线路老化 ' || g, '二号车间配电室', '李工', 'r' || g || '@bench.test', '更换老化线路，加装漏电保护', 12000, deadline, '每日巡查，设置警示标志', 'Asia/Shanghai',
             case when grade = 'MAJOR' then ${major}::jsonb else ${general}::jsonb end,
             'hazard:' || id, '{"keyId":"bench","role":"enterprise","scope":null,"name":"bench"}'::jsonb,
             case when g % 3 = 0 then (${sql.raw(`array[${campaigns.map((c) => `'${c}'`).join(',')}]`)})[1 + (g / 3) % 4]::uuid end,
             case when g % 3 = 0 and abs(hashint4(g + 7)) % 5 < 3 then 1 + abs(hashint4(g + 11)) % 6 end,
             created_at, created_at, created_at, case when state = 'CLOSED' then created_at + interval '20 days' end
      from (select *, gen_random_uuid() as id from shaped) s`);
    say(`ledger-reads: seeded ${to + 1} hazards (${Math.round(((to + 1) / (Date.now() - t0)) * 1000)}/s)`);
  }
  await db.execute(sql`analyze enterprises`);
  // A ledger in service has been vacuumed: its visibility map is set and its rows' hint bits written.
  // Right after a bulk load neither is, and the first reads of each page write them (the first
  // unfiltered list's p99 was 58.5 ms against a p50 of 6.8 ms): not what an office sees.
  await db.execute(sql`vacuum analyze hazards`);
  const enterprise = (await rowsOf<{ id: string }>(db, sql`select id from bench_ent where n = 42`))[0]!.id;
  await db.execute(sql`drop table bench_ent`);
  return { campaigns, enterprise, seedMs: Date.now() - t0 };
}

/**
 * A launched campaign over the seeded city as its ledger stands mid-campaign, written straight to
 * Postgres: the campaign row with its frozen roster (insertCampaign, as POST /v1/campaigns does), the
 * draw (drawSpotCheck over that roster), every unit's four duties, an inspection duty per drawn
 * enterprise (half recorded), a self-inspection duty per roster enterprise (60 % filed), 2,000
 * declarations, 50 extra inspections and 100 supervision findings; its hazards are the ledger's rows
 * carrying its id. No workflow: the status's live phases query answers "no such workflow".
 */
async function seedCampaign(db: Db, tag: string, id: string) {
  const start = Date.now();
  const checked = validateTemplate({ ...demoTemplate(start), key: `${tag}-status`, industries: INDUSTRIES });
  if (!checked.ok) throw new Error(`status template invalid: ${JSON.stringify(checked.errors)}`);
  const template = checked.template;
  const counties = Array.from({ length: COUNTIES }, (_, i) => `${tag}-c${i}`);
  const departments = Array.from({ length: DEPARTMENTS }, (_, i) => `${tag}-d${i}`);
  const launchedBy = { keyId: 'bench', role: 'office' as const, scope: null, name: 'bench' };
  await insertCampaign(db, { id, name: 'bench status', template, workflowId: `campaign:${id}`, spotCheckSeed: 'bench', launchedBy, idempotencyKey: id }, [
    ...counties.map((unitCode) => ({ unitCode, kind: 'COUNTY' as const })),
    ...departments.map((unitCode) => ({ unitCode, kind: 'DEPARTMENT' as const })),
  ]);
  const roster = (await rowsOf<{ entries: Parameters<typeof drawSpotCheck>[0] }>(db, sql`select entries from campaign_rosters where campaign_id = ${id}`))[0]!.entries;
  const rule = drawRuleOf(template.spotCheck);
  const drawn = drawSpotCheck(roster, rule, 'bench');
  await db.insert(spotCheckDraws).values({ campaignId: id, seed: 'bench', rule, roster, strata: drawn.strata, drawnAt: new Date() });
  const drawnIds = drawn.strata.flatMap((st) => st.drawn);
  await db.execute(sql`
    insert into duties (campaign_id, obligation_id, holder_code, duty_key, kind, label, opens_at, due_at, state, late, submitted_at)
    select ${id}::uuid, 'obligation:' || ${id} || ':' || u, u, k, k, k, now() - interval '10 days', now() + (n * interval '7 days'),
           case when n = 0 then 'SUBMITTED' else 'PENDING' end, false, case when n = 0 then now() end
    from unnest(${`{${[...counties, ...departments].join(',')}}`}::text[]) u,
         unnest(array['IMPLEMENTATION_PLAN','PROGRESS_REPORT_1','PROGRESS_REPORT_2','SUMMARY']) with ordinality as d(k, n)`);
  await db.execute(sql`
    insert into duties (campaign_id, obligation_id, holder_code, duty_key, kind, label, subject_enterprise_id, opens_at, due_at, state, late, submitted_at)
    select ${id}::uuid, 'inspection:' || ${id} || ':' || e, 'office', 'inspection', 'INSPECTION', 'inspection', e::uuid, now() - interval '5 days', now() + interval '20 days',
           case when i % 2 = 0 then 'SUBMITTED' else 'PENDING' end, false, case when i % 2 = 0 then now() end
    from unnest(${`{${drawnIds.join(',')}}`}::text[]) with ordinality as x(e, i)`);
  await db.execute(sql`
    insert into duties (campaign_id, obligation_id, holder_code, duty_key, kind, label, subject_enterprise_id, opens_at, due_at, state, late, submitted_at)
    select ${id}::uuid, 'self-inspection:' || ${id} || ':' || (r ->> 'enterpriseId'), r ->> 'countyCode', 'self-inspection', 'SELF_INSPECTION', 'self-inspection',
           (r ->> 'enterpriseId')::uuid, now() - interval '10 days', now() + interval '10 days',
           case when i % 10 < 6 then 'SUBMITTED' when i % 10 = 9 then 'MISSED' else 'PENDING' end, i % 10 = 5, case when i % 10 < 6 then now() end
    from campaign_rosters c, jsonb_array_elements(c.entries) with ordinality as x(r, i) where c.campaign_id = ${id}`);
  await db.execute(sql`
    insert into self_inspections (campaign_id, enterprise_id, problems_found, declared_by)
    select ${id}::uuid, (r ->> 'enterpriseId')::uuid, i % 4, '{"keyId":"bench","role":"enterprise","scope":null,"name":"bench"}'::jsonb
    from campaign_rosters c, jsonb_array_elements(c.entries) with ordinality as x(r, i) where c.campaign_id = ${id} and i <= 2000`);
  await db.execute(sql`
    insert into extra_inspections (campaign_id, enterprise_id, unit_code, outcome, hazard_ids, actor)
    select ${id}::uuid, (r ->> 'enterpriseId')::uuid, r ->> 'countyCode', 'NO_PROBLEMS', '[]'::jsonb, '{"keyId":"bench","role":"county","scope":null,"name":"bench"}'::jsonb
    from campaign_rosters c, jsonb_array_elements(c.entries) with ordinality as x(r, i) where c.campaign_id = ${id} and i % 200 = 7`);
  await db.execute(sql`
    insert into supervision_findings (campaign_id, team, target_kind, unit_code, description, actor)
    select ${id}::uuid, 'team ' || (g % 5), 'UNIT', ${counties[0]!}, 'finding ' || g, '{"keyId":"bench","role":"office","scope":null,"name":"bench"}'::jsonb from generate_series(1, 100) g`);
  await db.execute(sql`analyze duties`);
  const hazardsOf = (await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from hazards where campaign_id = ${id}`))[0]!.n;
  return { roster: roster.length, drawn: drawnIds.length, hazards: hazardsOf };
}

/** GET /v1/campaigns/:id at 10,000 enterprises, as the office and as a county: p50/p99. */
async function measureStatus(stack: ReadStack, keys: Record<'office' | 'county', string>, id: string, samples: number) {
  const out = {} as Record<'office' | 'county', { p50: number; p99: number }>;
  for (const key of ['office', 'county'] as const) {
    const xs: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const t = performance.now();
      const res = await fetch(`${stack.base}/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${keys[key]}` } });
      if (res.status !== 200) throw new Error(`status: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      if (i >= 3) xs.push(performance.now() - t);
    }
    out[key] = { p50: ms(pct(xs, 50)), p99: ms(pct(xs, 99)) };
  }
  return out;
}

/** The cursor the API returns after the row at `offset` of this filtered, newest-first list (found once with OFFSET, not measured). */
async function deepCursor(db: Db, where: ReturnType<typeof sql>, offset: number): Promise<string | null> {
  const r = (await rowsOf<{ id: string; created_at: string | Date }>(db, sql`select id, created_at from hazards where ${where} order by created_at desc, id desc offset ${offset}::int limit 1`))[0];
  return r ? encodeCursor({ createdAt: new Date(r.created_at).toISOString(), id: r.id }) : null;
}

export async function ledgerReads(stack: ReadStack, { quick }: { quick: boolean }): Promise<Figure[]> {
  const { db, base, admin, say, post } = stack;
  const rows = quick ? 50_000 : 1_000_000;
  const samples = quick ? 30 : 150;
  const tag = `lr${Date.now().toString(36)}`;
  const county = `${tag}-c3`;
  for (let i = 0; i < COUNTIES; i++) await post('/v1/units', admin, { kind: 'COUNTY', code: `${tag}-c${i}`, name: `县${i}`, email: `c${i}@bench.test` });
  for (let i = 0; i < DEPARTMENTS; i++) await post('/v1/units', admin, { kind: 'DEPARTMENT', code: `${tag}-d${i}`, name: `局${i}`, email: `d${i}@bench.test` });
  say(`ledger-reads: seeding ${ENTERPRISES} enterprises and ${rows} hazards`);
  const s = await seed(db, tag, rows, say);
  const keyOf = async (role: string, scope: string | null) => ((await post('/v1/api-keys', admin, { name: `${tag}-${role}`, role, ...(scope ? { scope } : {}) })) as unknown as { secret: string }).secret;
  const keys = { office: await keyOf('office', null), county: await keyOf('county', county) };

  // Every filter GET /v1/hazards takes (api/schemas/hazards.ts HazardListQuery); the SQL says which rows it lists, for the deep cursor.
  const filters: { name: string; query: Record<string, string>; where: ReturnType<typeof sql> }[] = [
    { name: 'none', query: {}, where: sql`true` },
    { name: 'status=RECTIFYING', query: { status: 'RECTIFYING' }, where: sql`state = 'RECTIFYING'` },
    { name: 'status=CLOSED', query: { status: 'CLOSED' }, where: sql`state = 'CLOSED'` },
    { name: 'status=REGISTERED', query: { status: 'REGISTERED' }, where: sql`state = 'REGISTERED'` },
    { name: 'grade=MAJOR', query: { grade: 'MAJOR' }, where: sql`grade = 'MAJOR'` },
    { name: 'overdue=true', query: { overdue: 'true' }, where: sql`overdue` },
    { name: 'enterpriseId', query: { enterpriseId: s.enterprise }, where: sql`enterprise_id = ${s.enterprise}` },
    { name: 'county', query: { county }, where: sql`county_code = ${county}` },
    { name: 'department', query: { department: `${tag}-d2` }, where: sql`department_code = ${`${tag}-d2`}` },
    { name: 'industry', query: { industry: 'CONSTRUCTION' }, where: sql`industry = 'CONSTRUCTION'` },
    { name: 'campaignId', query: { campaignId: s.campaigns[1]! }, where: sql`campaign_id = ${s.campaigns[1]!}` },
    { name: 'campaignId+workItem', query: { campaignId: s.campaigns[1]!, workItem: '2' }, where: sql`campaign_id = ${s.campaigns[1]!} and work_item_no = 2` },
    { name: 'status+grade+overdue', query: { status: 'RECTIFYING', grade: 'MAJOR', overdue: 'true' }, where: sql`state = 'RECTIFYING' and grade = 'MAJOR' and overdue` },
  ];
  const as = { office: sql`true`, county: sql`county_code = ${county}` };
  type Spec = { filter: string; key: 'office' | 'county'; page: 'first' | 'deep'; url: string };
  const specs: Spec[] = [];
  for (const f of filters) {
    for (const key of ['office', 'county'] as const) {
      const where = sql`${as[key]} and ${f.where}`;
      const n = (await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from hazards where ${where}`))[0]!.n;
      const params = new URLSearchParams(f.query);
      specs.push({ filter: f.name, key, page: 'first', url: `${base}/v1/hazards?${params}` });
      // Deep: half way down the list (a client that paged through half of it), at most 100,000 rows in.
      const cursor = n > 100 ? await deepCursor(db, where, Math.min(100_000, Math.floor(n / 2))) : null;
      if (cursor) specs.push({ filter: f.name, key, page: 'deep', url: `${base}/v1/hazards?${new URLSearchParams({ ...f.query, cursor })}` });
    }
  }

  async function measure(spec: Spec): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const t = performance.now();
      const res = await fetch(spec.url, { headers: { authorization: `Bearer ${keys[spec.key]}` } });
      if (res.status !== 200) throw new Error(`${spec.url}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      if (i >= 3) out.push(performance.now() - t); // the first three warm the plan cache and the pool
    }
    return out;
  }
  async function measureAll(load: 'idle' | 'intake') {
    const results: { spec: Spec; p50: number; p99: number }[] = [];
    for (const spec of specs) {
      const xs = await measure(spec);
      results.push({ spec, p50: ms(pct(xs, 50)), p99: ms(pct(xs, 99)) });
    }
    say(`ledger-reads ${load}: ${results.map((r) => `${r.spec.filter}/${r.spec.key}/${r.spec.page} ${r.p50}/${r.p99}`).join('; ')}`);
    return results;
  }

  say('ledger-reads: a campaign over the 10,000 enterprises for the status endpoint');
  const campaign = await seedCampaign(db, tag, s.campaigns[0]!);
  say(`ledger-reads: ${specs.length} queries × ${samples} requests, idle`);
  const idle = await measureAll('idle');
  const statusIdle = await measureStatus(stack, keys, s.campaigns[0]!, samples);
  say(`status idle: ${JSON.stringify(statusIdle)}`);

  // Intake: four clients reporting hazards through the API (each starts its workflow) while the reads run.
  const enterprises = await rowsOf<{ id: string }>(db, sql`select id from enterprises where credit_code like ${tag + '%'} limit 200`);
  let stop = false;
  let reported = 0;
  const intake = Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        await post('/v1/hazards', admin, { ...reportBody({ deadline: '2099-06-30' }), enterpriseId: enterprises[(i * 4 + w) % enterprises.length]!.id });
        reported++;
      }
    }),
  );
  const t0 = Date.now();
  say(`ledger-reads: the same queries while intake runs`);
  const [busy, statusBusy] = await (async () => [await measureAll('intake'), await measureStatus(stack, keys, s.campaigns[0]!, samples)] as const)().finally(() => (stop = true));
  say(`status while intake runs: ${JSON.stringify(statusBusy)}`);
  await intake;
  const intakeRate = +(reported / ((Date.now() - t0) / 1000)).toFixed(1);

  const figures: Figure[] = [];
  for (const [load, results] of [['idle', idle], ['intake', busy]] as const) {
    for (const f of filters) {
      const mine = results.filter((r) => r.spec.filter === f.name);
      const p99 = Math.max(...mine.map((r) => r.p99));
      figures.push({
        id: `ledger-reads.${load}.${f.name}`,
        title: `GET /v1/hazards ${f.name === 'none' ? 'unfiltered' : `?${f.name}`} over ${rows.toLocaleString('en')} rows, ${load === 'idle' ? 'idle' : 'while intake runs'}: worst p99 of office/county key × first/deep page`,
        value: p99,
        unit: 'ms',
        topology: stack.topology,
        ...(load === 'idle' ? { target: `p99 < ${TARGET_P99_MS} ms`, met: p99 < TARGET_P99_MS } : {}),
        detail: Object.fromEntries(mine.map((r) => [`${r.spec.key}/${r.spec.page}`, { p50: r.p50, p99: r.p99 }])),
      });
    }
  }
  const worstIdle = Math.max(...idle.map((r) => r.p99));
  figures.push({
    id: 'ledger-reads.idle.worst',
    title: `GET /v1/hazards over ${rows.toLocaleString('en')} rows, idle: worst p99 of every filter, key and page`,
    value: worstIdle,
    unit: 'ms',
    topology: stack.topology,
    target: `p99 < ${TARGET_P99_MS} ms`,
    met: worstIdle < TARGET_P99_MS,
    detail: { rows, samplesPerQuery: samples, queries: idle.length, seedMs: s.seedMs, intakeDuringBusyPhasePerSecond: intakeRate, worstIntakeP99: Math.max(...busy.map((r) => r.p99)) },
  });
  for (const [load, st] of [['idle', statusIdle], ['intake', statusBusy]] as const) {
    const p99 = Math.max(st.office.p99, st.county.p99);
    figures.push({
      id: `campaign-status.${load}`,
      title: `GET /v1/campaigns/:id (status) at ${campaign.roster.toLocaleString('en')} enterprises, ${campaign.hazards.toLocaleString('en')} campaign hazards, ${load === 'idle' ? 'idle' : 'while intake runs'}: worst p99 of office/county key (no live phases: no workflow)`,
      value: p99,
      unit: 'ms',
      topology: stack.topology,
      ...(load === 'idle' ? { target: 'p99 < 100 ms', met: p99 < 100 } : {}),
      detail: { ...st, ...campaign, samples },
    });
  }
  return figures;
}
