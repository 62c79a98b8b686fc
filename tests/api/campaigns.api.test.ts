// The campaign API as the office, counties, departments and enterprises drive it: templates,
// launch, live status, phase moves, duty submissions, self-inspection declarations, supervision
// findings and the spot-check draw, on the real app (api/app.ts), a fresh Postgres database, the
// shared Temporal dev server and a real worker. Requests go through app.inject; nothing is mocked.
// Campaigns used for commands open 10 minutes after launch, so no timer fires while the file runs;
// the spot-check campaign is launched first (its sample is drawn 10 s later) so its wait overlaps the rest.
import { and, asc, count, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignEvents, campaignParticipants, campaigns, campaignTemplates, duties, hazards, selfInspections, spotCheckDraws, supervisionFindings } from '../../db/schema';
import { resolvePolicy } from '../../domain/policy';
import { datong2023Template, demoTemplate, phaseWindows, type CampaignTemplate, type PhaseKey } from '../../domain/campaign';
import { localDateOf, localTimeOf } from '../../domain/time';
import { ApiHarness, eventually, type Enterprise, type Json } from '../support/api-harness';
import { expectProblem } from '../support/problem';
import { reportBody, seedEnterprise, seedUnits, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: true });
const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const UNIT_DUTY_KEYS = ['plan', 'progress:1', 'progress:2', 'progress:3', 'summary'];
const PHASES: PhaseKey[] = ['MOBILIZATION', 'SELF_INSPECTION', 'SPOT_CHECK', 'SUMMARY', 'SUPERVISION'];

/** Every campaign this file launched: its workflows (and the ones they started) are terminated in afterAll. */
const launched = new Set<string>();

interface SpotCampaign {
  id: string;
  seed: string;
  countyCode: string;
  byIndustry: Record<string, string[]>;
  cityLevel: string;
}
let spot: SpotCampaign;

beforeAll(async () => {
  await h.start();
  spot = await launchSpotCheckCampaign();
});

afterAll(async () => {
  try {
    await terminateEverything();
  } finally {
    await h.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Helpers


/** A seconds-long demo template starting `offsetMs` from now, under a key of its own. */
function demo(offsetMs: number): CampaignTemplate {
  return { ...demoTemplate(Date.now() + offsetMs), key: uniq('demo') };
}

/** A demo template whose phases open 10 minutes from now: nothing fires while this file runs. */
const future = (): CampaignTemplate => demo(10 * 60_000);

const postTemplate = (t: unknown, key = h.keys.admin) => h.call('POST', '/v1/campaign-templates', key, t);

async function storeTemplate(t: CampaignTemplate): Promise<CampaignTemplate> {
  const res = await postTemplate(t);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return t;
}

interface LaunchBody {
  templateKey: string;
  templateVersion: number;
  counties: string[];
  departments: string[];
  name?: string;
  spotCheckSeed?: string;
  startOn?: string;
}

async function launch(body: LaunchBody, key = h.keys.admin, headers: Record<string, string> = {}) {
  const res = await h.call<{ id: string; workflowId: string; name: string; spotCheckSeed: string }>('POST', '/v1/campaigns', key, body, headers);
  if (res.status === 200 || res.status === 201) launched.add(res.body.id);
  return res;
}

async function launchOk(body: LaunchBody): Promise<string> {
  const res = await launch(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const status = (id: string, key = h.keys.admin) => h.call('GET', `/v1/campaigns/${id}`, key);

const campaignCount = async () => (await h.db.select({ n: count() }).from(campaigns))[0]!.n;
const templateRows = (key: string) => h.db.select().from(campaignTemplates).where(eq(campaignTemplates.key, key));
const dutyRows = (campaignId: string) => h.db.select().from(duties).where(eq(duties.campaignId, campaignId)).orderBy(asc(duties.holderCode), asc(duties.dueAt));
const eventsOf = (campaignId: string, type: string) =>
  h.db.select().from(campaignEvents).where(and(eq(campaignEvents.campaignId, campaignId), eq(campaignEvents.type, type))).orderBy(asc(campaignEvents.seq));
const hazardsOf = (enterpriseId: string) => h.db.select().from(hazards).where(eq(hazards.enterpriseId, enterpriseId));

/** Waits until every unit's obligation workflow has put its duties on the ledger (it must exist to take submissions). */
function waitForUnitDuties(campaignId: string, units: string[], dutyKeys = UNIT_DUTY_KEYS) {
  return eventually(async () => {
    const rows = (await dutyRows(campaignId)).filter((d) => d.kind !== 'INSPECTION');
    const ok = units.every((u) => rows.filter((d) => d.holderCode === u).length === dutyKeys.length);
    return ok ? rows : undefined;
  }, 20_000, `duties of ${units.join(', ')}`);
}

/** A local date-time in the campaign's zone, as the phase-move API reads it. */
const local = (ms: number) => `${localDateOf(ms, TZ)}T${localTimeOf(ms, TZ)}`;

async function launchSpotCheckCampaign(): Promise<SpotCampaign> {
  // A county of its own with 12 chemical plants, 5 construction sites (county-supervised, all under
  // the harness' department) and one city-supervised plant that the rule keeps out of the draw.
  const { countyCode } = await seedUnits(h.db);
  const departmentCode = h.entA.departmentCode;
  const byIndustry: Record<string, string[]> = { HAZARDOUS_CHEMICALS: [], CONSTRUCTION: [] };
  for (let i = 0; i < 12; i++) byIndustry.HAZARDOUS_CHEMICALS!.push((await seedEnterprise(h.db, { countyCode, departmentCode })).id);
  for (let i = 0; i < 5; i++) byIndustry.CONSTRUCTION!.push((await seedEnterprise(h.db, { countyCode, departmentCode, industry: 'CONSTRUCTION' })).id);
  const cityLevel = (await seedEnterprise(h.db, { countyCode, departmentCode, supervisionLevel: 'CITY' })).id;
  // SPOT_CHECK opens 10 s after the template's start.
  const t = await storeTemplate(demo(0));
  const seed = uniq('seed');
  const id = await launchOk({ templateKey: t.key, templateVersion: 1, counties: [countyCode], departments: [departmentCode], spotCheckSeed: seed });
  return { id, seed, countyCode, byIndustry, cityLevel };
}

async function terminateEverything(): Promise<void> {
  const client = h.env?.client;
  if (!client || !h.handle) return;
  const ids = [...launched];
  const workflowIds: string[] = ids.map((id) => `campaign:${id}`);
  if (ids.length > 0) {
    const parts = await h.db.select().from(campaignParticipants).where(inArray(campaignParticipants.campaignId, ids));
    workflowIds.push(...parts.map((p) => `obligation:${p.campaignId}:${p.unitCode}`));
    const draws = await h.db.select().from(spotCheckDraws).where(inArray(spotCheckDraws.campaignId, ids));
    for (const d of draws) workflowIds.push(...d.strata.flatMap((s) => s.drawn.map((e) => `inspection:${d.campaignId}:${e}`)));
  }
  // The database is this file's own: every hazard on it was registered here.
  workflowIds.push(...(await h.db.select({ id: hazards.id }).from(hazards)).map((r) => `hazard:${r.id}`));
  // Some have completed already (a submitted inspection): their terminate fails, which is fine.
  await Promise.allSettled(workflowIds.map((w) => client.workflow.getHandle(w).terminate('campaigns.api.test cleanup')));
}

// ---------------------------------------------------------------------------------------------

describe('campaign templates', () => {
  it('stores the Datong template (201) and takes the same body again as a replay (200)', async () => {
    const t = structuredClone(datong2023Template);
    t.key = uniq('datong');
    const created = await postTemplate(t);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({ key: t.key, version: 1 });

    const list = await h.call<{ items: { key: string; version: number; documentNumber: string }[] }>('GET', '/v1/campaign-templates', h.keys.office);
    expect(list.status).toBe(200);
    expect(list.body.items.filter((i) => i.key === t.key)).toEqual([expect.objectContaining({ key: t.key, version: 1, documentNumber: '同安发〔2023〕15号' })]);

    // Byte-for-byte the same body: a replay, not a conflict.
    const replay = await postTemplate(t);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toEqual({ key: t.key, version: 1 });
    expect(await templateRows(t.key)).toHaveLength(1);
  });

  it('refuses another body under the same key and version with 409 naming version, keeping the first', async () => {
    const t = structuredClone(datong2023Template);
    t.key = uniq('datong');
    expect((await postTemplate(t)).status).toBe(201);
    expectProblem(await postTemplate({ ...t, name: `${t.name}（修订）` }), 409, 'CONFLICT', ['version']);
    const rows = await templateRows(t.key);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body.name).toBe(datong2023Template.name);
    // A new version of the same key is a new template.
    expect((await postTemplate({ ...t, version: 2, name: `${t.name}（修订）` })).status).toBe(201);
  });

  type Case = { name: string; change: (t: CampaignTemplate & Record<string, Json>) => void; fields: string[] };
  const cases: Case[] = [
    { name: 'a spot-check share of 0', change: (t) => (t.spotCheck.minRatio = 0), fields: ['spotCheck.minRatio'] },
    { name: 'a spot-check share of 1.5', change: (t) => (t.spotCheck.minRatio = 1.5), fields: ['spotCheck.minRatio'] },
    { name: 'an unknown industry', change: (t) => ((t.industries as string[])[2] = 'SPACE_MINING'), fields: ['industries[2]'] },
    { name: 'a phase ending before it starts', change: (t) => (t.phases[1]!.end = '2023-11-30'), fields: ['phases[1].end'] },
    { name: 'a missing phase', change: (t) => (t.phases = t.phases.filter((p) => p.key !== 'SUMMARY')), fields: ['phases'] },
    { name: 'a scoring scale against its direction', change: (t) => (t.scoring!.COUNTY[3]!.fullAt = 0.9), fields: ['scoring.COUNTY[3].fullAt'] },
    { name: 'a department indicator scoring a county', change: (t) => (t.scoring!.COUNTY[0]!.indicator = 'INSPECTION_COVERAGE'), fields: ['scoring.COUNTY[0].indicator'] },
  ];

  it.each(cases)('refuses $name with 422 naming $fields, and stores nothing', async ({ change, fields }) => {
    const t = structuredClone(datong2023Template) as CampaignTemplate & Record<string, Json>;
    t.key = uniq('bad');
    change(t);
    const res = await postTemplate(t);
    const problem = expectProblem(res, 422, 'VALIDATION_FAILED', fields);
    for (const e of problem.errors ?? []) expect(e.reason.length).toBeGreaterThan(0);
    expect(await templateRows(t.key)).toHaveLength(0);
  });

  it('refuses an unknown field and a wrong type with 400 naming each (the schema), and stores nothing', async () => {
    const t = structuredClone(datong2023Template) as CampaignTemplate & Record<string, Json>;
    t.key = uniq('shape');
    const body = { ...t, colour: 'red', phases: [{ ...t.phases[0], colour: 'blue' }, ...t.phases.slice(1)], spotCheck: { ...t.spotCheck, minRatio: '10%' } };
    const problem = expectProblem(await postTemplate(body), 400, 'VALIDATION_FAILED', ['colour', 'phases[0].colour', 'spotCheck.minRatio']);
    expect(problem.errors).toContainEqual({ field: 'colour', reason: 'is not a known field' });
    // A missing part is malformed too; a well-formed value the plan does not allow is validateTemplate's 422 (above).
    const withoutReporting: Record<string, unknown> = { ...t };
    delete withoutReporting.reporting;
    expectProblem(await postTemplate(withoutReporting), 400, 'VALIDATION_FAILED', ['reporting']);
    expect(await templateRows(t.key)).toHaveLength(0);
  });

  it('answers a stored template whole, so that it can be changed and stored as a new version', async () => {
    const t = structuredClone(datong2023Template);
    t.key = uniq('whole');
    expect((await postTemplate(t)).status).toBe(201);
    const read = await h.call<CampaignTemplate>('GET', `/v1/campaign-templates/${t.key}/1`, h.keys.county);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    // As validateTemplate stored it: the Datong fixture is already normalized.
    expect(read.body).toEqual({ ...datong2023Template, key: t.key });
    const revised = { ...read.body, version: 2, name: `${read.body.name}（修订）` };
    expect((await postTemplate(revised)).status).toBe(201);
    expect((await h.call<CampaignTemplate>('GET', `/v1/campaign-templates/${t.key}/2`, h.keys.office)).body.name).toBe(revised.name);
    expectProblem(await h.call('GET', `/v1/campaign-templates/${t.key}/3`, h.keys.office), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', `/v1/campaign-templates/${t.key}/0`, h.keys.office), 400, 'VALIDATION_FAILED', ['params.version']);
  });

  it('lets only the admin and the office store templates (403 for county, department and enterprise keys)', async () => {
    const t = structuredClone(datong2023Template);
    t.key = uniq('roles');
    for (const key of [h.keys.county, h.keys.department, h.keys.entA]) expectProblem(await postTemplate(t, key), 403, 'FORBIDDEN');
    expect(await templateRows(t.key)).toHaveLength(0);
    expect((await postTemplate(t, h.keys.office)).status).toBe(201);
  });
});

describe('launching a campaign', () => {
  let t: CampaignTemplate;
  let counties: string[];
  let departments: string[];
  beforeAll(async () => {
    t = await storeTemplate(future());
    counties = [h.entA.countyCode, h.entB.countyCode];
    departments = [h.entA.departmentCode];
  });

  it('refuses an unknown county, a department code among the counties and an unknown template with 422, and stores no campaign', async () => {
    const before = await campaignCount();
    const body = () => ({ templateKey: t.key, templateVersion: 1, counties, departments });
    expectProblem(await launch({ ...body(), counties: [uniq('nowhere'), h.entA.countyCode] }), 422, 'VALIDATION_FAILED', ['counties[0]']);
    expectProblem(await launch({ ...body(), counties: [h.entA.departmentCode] }), 422, 'VALIDATION_FAILED', ['counties[0]']);
    expectProblem(await launch({ ...body(), departments: [h.entA.countyCode] }), 422, 'VALIDATION_FAILED', ['departments[0]']);
    expectProblem(await launch({ ...body(), templateKey: uniq('no-such-template') }), 422, 'VALIDATION_FAILED', ['templateVersion']);
    expectProblem(await launch({ ...body(), templateVersion: 2 }), 422, 'VALIDATION_FAILED', ['templateVersion']);
    expectProblem(await launch({ ...body(), colour: 'red' } as LaunchBody), 400, 'VALIDATION_FAILED', ['colour']);
    expectProblem(await launch(body(), h.keys.county), 403, 'FORBIDDEN');
    expectProblem(await launch(body(), h.keys.entA), 403, 'FORBIDDEN');
    expect(await campaignCount()).toBe(before);
  });

  it('launches once per Idempotency-Key: the same id and the same single workflow on a replay', async () => {
    const idem = uniq('launch');
    const first = await launch({ templateKey: t.key, templateVersion: 1, counties, departments }, h.keys.office, { 'idempotency-key': idem });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ workflowId: `campaign:${first.body.id}`, name: t.name });
    const handle = h.env!.client.workflow.getHandle(first.body.workflowId);
    const run = await handle.describe();
    expect(run.status.name).toBe('RUNNING');

    const again = await launch({ templateKey: t.key, templateVersion: 1, counties, departments }, h.keys.office, { 'idempotency-key': idem });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual(first.body);

    // Keys are stored scoped to their caller (role and scope), so two callers never share one.
    expect(await h.db.select().from(campaigns).where(like(campaigns.idempotencyKey, `%:${idem}`))).toHaveLength(1);
    expect(await h.db.select().from(campaignParticipants).where(eq(campaignParticipants.campaignId, first.body.id))).toHaveLength(3);
    expect((await handle.describe()).runId).toBe(run.runId);
    await eventually(async () => ((await eventsOf(first.body.id, 'CAMPAIGN_LAUNCHED')).length > 0 ? true : undefined), 15_000, 'CAMPAIGN_LAUNCHED');
    expect(await eventsOf(first.body.id, 'CAMPAIGN_LAUNCHED')).toHaveLength(1);
  });

  it('shows the live phases, the participants and every unit\'s duties once the obligation workflows ran', async () => {
    const id = await launchOk({ templateKey: t.key, templateVersion: 1, counties, departments, name: '测试专项行动' });
    const units = [...counties, ...departments];
    await waitForUnitDuties(id, units);

    const res = await eventually(async () => {
      const r = await status(id);
      return r.status === 200 && r.body.phases !== null && r.body.status === 'RUNNING' ? r : undefined;
    }, 15_000, 'live status');
    const windows = phaseWindows(t);
    expect(res.body).toMatchObject({ id, name: '测试专项行动', status: 'RUNNING', currentPhases: [], timeZone: TZ, spotCheck: null, supervisionFindings: 0 });
    expect(Object.keys(res.body.phases).sort()).toEqual([...PHASES].sort());
    for (const k of PHASES) {
      expect(res.body.phases[k], k).toEqual({ status: 'PENDING', opensAt: new Date(windows[k].opensAt).toISOString(), closesAt: new Date(windows[k].closesAt).toISOString() });
    }
    expect(res.body.participants).toEqual(
      [...counties.map((unitCode) => ({ unitCode, kind: 'COUNTY' })), ...departments.map((unitCode) => ({ unitCode, kind: 'DEPARTMENT' }))].sort((a, b) => (a.unitCode < b.unitCode ? -1 : 1)),
    );
    expect(Object.keys(res.body.duties.units).sort()).toEqual([...units].sort());
    for (const u of units) {
      const list = res.body.duties.units[u] as { dutyKey: string; state: string; late: boolean; dueAt: string }[];
      expect(list.map((d) => d.dutyKey), u).toEqual(UNIT_DUTY_KEYS);
      expect(list.every((d) => d.state === 'PENDING' && !d.late)).toBe(true);
      expect(list[0]!.dueAt).toBe(new Date(windows.MOBILIZATION.closesAt).toISOString());
    }
    expect(res.body.duties).toMatchObject({ total: units.length * UNIT_DUTY_KEYS.length, submitted: 0, missed: 0, submittedLate: 0 });

    // Regulators read it; an enterprise does not; an unknown id is a 404.
    expect((await status(id, h.keys.county)).status).toBe(200);
    expect((await status(id, h.keys.department)).status).toBe(200);
    expectProblem(await status(id, h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await status('00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
  });
});

describe('launching a plan written for past dates (the Datong plan: 2023-2024)', () => {
  let datong: CampaignTemplate;
  beforeAll(async () => {
    datong = await storeTemplate({ ...structuredClone(datong2023Template), key: uniq('datong') });
  });
  const body = (extra: Partial<LaunchBody> = {}): LaunchBody => ({ templateKey: datong.key, templateVersion: 1, counties: [h.entA.countyCode], departments: [h.entA.departmentCode], ...extra });

  it('refuses the plan as written with 422 naming templateVersion (its first phase closed in 2023), and a start already past naming startOn', async () => {
    const before = await campaignCount();
    const asWritten = expectProblem(await launch(body()), 422, 'VALIDATION_FAILED', ['templateVersion']);
    expect(asWritten.errors![0]!.reason).toMatch(/phase MOBILIZATION closes at 2023-11-30T15:59:59.999Z, already past; give startOn/);
    expectProblem(await launch(body({ startOn: '2020-01-01' })), 422, 'VALIDATION_FAILED', ['startOn']);
    expectProblem(await launch(body({ startOn: '0050-01-01' })), 422, 'VALIDATION_FAILED', ['startOn']);
    expectProblem(await launch(body({ startOn: '2025-02-30' })), 400, 'VALIDATION_FAILED', ['startOn']);
    expect(await campaignCount()).toBe(before);
  });

  it('launches it from startOn: started on its own day of another year it keeps its calendar (2月底, 3月5日前, 每月27日前)', async () => {
    const year = new Date().getUTCFullYear() + 1;
    const febEnd = `${year + 1}-02-${new Date(Date.UTC(year + 1, 2, 0)).getUTCDate()}`;
    const id = await launchOk(body({ startOn: `${year}-11-17` }));
    const [row] = await h.db.select().from(campaigns).where(eq(campaigns.id, id));
    expect(row!.template.key).toBe(datong.key);
    expect(row!.template.phases.map((p) => [p.key, p.start, p.end])).toEqual([
      ['MOBILIZATION', `${year}-11-17`, `${year}-11-30`],
      ['SELF_INSPECTION', `${year}-12-01`, febEnd],
      ['SPOT_CHECK', `${year}-12-01`, febEnd],
      ['SUMMARY', `${year + 1}-03-01`, `${year + 1}-03-05`],
      ['SUPERVISION', `${year}-11-17`, `${year + 1}-03-05`],
    ]);
    expect(row!.template.reporting).toMatchObject({ implementationPlan: { due: `${year}-11-30` }, progressReport: { rule: 'MONTHLY_BEFORE_DAY', day: 27 }, summary: { due: `${year + 1}-03-05` } });
    const rows = await waitForUnitDuties(id, [h.entA.countyCode], ['plan', `progress:${year}-12`, `progress:${year + 1}-01`, `progress:${year + 1}-02`, 'summary']);
    const dueOf = (key: string) => rows.find((d) => d.holderCode === h.entA.countyCode && d.dutyKey === key)!.dueAt.toISOString();
    expect(dueOf('plan')).toBe(`${year}-11-30T15:59:59.999Z`);
    expect(dueOf(`progress:${year}-12`)).toBe(`${year}-12-27T15:59:59.999Z`);
    expect(dueOf('summary')).toBe(`${year + 1}-03-05T15:59:59.999Z`);
  });
});

describe('moving a phase', () => {
  let t: CampaignTemplate;
  let id: string;
  const units = () => [h.entA.countyCode, h.entB.countyCode, h.entA.departmentCode];
  const move = (body: Record<string, unknown>, key = h.keys.office, phase = 'MOBILIZATION') => h.call('POST', `/v1/campaigns/${id}/phases/${phase}/move`, key, body);

  beforeAll(async () => {
    t = await storeTemplate(future());
    id = await launchOk({ templateKey: t.key, templateVersion: 1, counties: [h.entA.countyCode, h.entB.countyCode], departments: [h.entA.departmentCode] });
    await waitForUnitDuties(id, units());
  });

  it('refuses a move without a reason (400), closing before opening or in the past (422), by the wrong role (403), and changes nothing', async () => {
    const windows = phaseWindows(t);
    const before = (await status(id)).body;
    const dutiesBefore = await dutyRows(id);
    const later = local(windows.MOBILIZATION.closesAt + DAY_MS);

    expectProblem(await move({ closesAt: later }), 400, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await move({ closesAt: later, reason: '' }), 400, 'VALIDATION_FAILED', ['reason']);
    // Closing after now but before the phase opens.
    expectProblem(await move({ closesAt: local(Date.now() + 5 * 60_000), reason: '调整' }), 422, 'VALIDATION_FAILED');
    // Opening and closing in the past, in order.
    expectProblem(await move({ opensAt: '2020-01-01', closesAt: '2020-01-02', reason: '调整' }), 422, 'VALIDATION_FAILED');
    expectProblem(await move({ closesAt: '2020-01-02', reason: '调整' }), 422, 'VALIDATION_FAILED');
    // An instant with an offset is not how the campaign's zone is written.
    expectProblem(await move({ closesAt: new Date(windows.MOBILIZATION.closesAt + DAY_MS).toISOString(), reason: '调整' }), 422, 'VALIDATION_FAILED', ['closesAt']);
    expectProblem(await move({ reason: '调整' }), 422, 'VALIDATION_FAILED', ['closesAt']);
    expectProblem(await move({ closesAt: later, reason: '调整' }, h.keys.county), 403, 'FORBIDDEN');
    expectProblem(await move({ closesAt: later, reason: '调整' }, h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await move({ closesAt: later, reason: '调整' }, h.keys.office, 'HARVEST'), 400, 'VALIDATION_FAILED', ['params.phase']);

    expect((await status(id)).body.phases).toEqual(before.phases);
    expect(await eventsOf(id, 'PHASE_MOVED')).toHaveLength(0);
    expect(await dutyRows(id)).toEqual(dutiesBefore);
  });

  it('moves the end of mobilization by a day with a reason: status, ledger event and every unit\'s plan due follow', async () => {
    const windows = phaseWindows(t);
    const newClose = windows.MOBILIZATION.closesAt + DAY_MS;
    const planBefore = (await dutyRows(id)).filter((d) => d.dutyKey === 'plan');
    expect(planBefore.map((d) => d.holderCode).sort()).toEqual([...units()].sort());
    const others = (await dutyRows(id)).filter((d) => d.dutyKey !== 'plan').map((d) => [d.holderCode, d.dutyKey, d.dueAt.getTime()]);

    const res = await move({ closesAt: local(newClose), reason: '市委专题会议推迟动员部署' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ phase: 'MOBILIZATION', status: 'PENDING', opensAt: new Date(windows.MOBILIZATION.opensAt).toISOString(), closesAt: new Date(newClose).toISOString() });

    const after = await status(id);
    expect(after.body.phases.MOBILIZATION).toEqual({ status: 'PENDING', opensAt: new Date(windows.MOBILIZATION.opensAt).toISOString(), closesAt: new Date(newClose).toISOString() });
    expect(after.body.phases.SELF_INSPECTION.opensAt).toBe(new Date(windows.SELF_INSPECTION.opensAt).toISOString());

    const moved = await eventsOf(id, 'PHASE_MOVED');
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ phase: 'MOBILIZATION', actor: { role: 'office' } });
    expect(moved[0]!.data).toMatchObject({
      reason: '市委专题会议推迟动员部署',
      from: { closesAt: new Date(windows.MOBILIZATION.closesAt).toISOString() },
      to: { closesAt: new Date(newClose).toISOString() },
    });

    // The campaign signals the obligations: every unit's plan is due a day later, nothing else moves.
    const plans = await eventually(async () => {
      const rows = (await dutyRows(id)).filter((d) => d.dutyKey === 'plan');
      return rows.length === units().length && rows.every((d) => d.dueAt.getTime() === newClose) ? rows : undefined;
    }, 15_000, 'plan dues moved');
    for (const p of plans) {
      const old = planBefore.find((b) => b.holderCode === p.holderCode)!;
      expect(p.dueAt.getTime() - old.dueAt.getTime(), p.holderCode).toBe(DAY_MS);
      expect(p.state).toBe('PENDING');
    }
    expect((await dutyRows(id)).filter((d) => d.dutyKey !== 'plan').map((d) => [d.holderCode, d.dutyKey, d.dueAt.getTime()])).toEqual(others);
    const shown = await status(id);
    for (const u of units()) {
      const plan = (shown.body.duties.units[u] as { dutyKey: string; dueAt: string }[]).find((d) => d.dutyKey === 'plan');
      expect(plan, u).toMatchObject({ dueAt: new Date(newClose).toISOString(), state: 'PENDING' });
    }
  });
});

describe('duties, self-inspections and supervision findings', () => {
  let id: string;
  let countyB: string;
  const submit = (unit: string, duty: string, key: string, body: Record<string, unknown> = { text: '实施方案', figures: { meetings: 3 } }) =>
    h.call('POST', `/v1/campaigns/${id}/duties/${encodeURIComponent(unit)}/${encodeURIComponent(duty)}`, key, body);
  const dutyRow = async (unit: string, key: string) => (await dutyRows(id)).find((d) => d.holderCode === unit && d.dutyKey === key)!;

  beforeAll(async () => {
    const t = await storeTemplate(future());
    id = await launchOk({ templateKey: t.key, templateVersion: 1, counties: [h.entA.countyCode, h.entB.countyCode], departments: [h.entA.departmentCode] });
    countyB = await h.key('county', h.entB.countyCode);
    await waitForUnitDuties(id, [h.entA.countyCode, h.entB.countyCode, h.entA.departmentCode]);
  });

  describe('duty submissions', () => {
    it('takes a county\'s plan through its own key (on time), refuses it twice (409)', async () => {
      const res = await submit(h.entA.countyCode, 'plan', h.keys.county);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ dutyKey: 'plan', state: 'SUBMITTED', late: false });
      expect(typeof res.body.submittedAt).toBe('string');
      const row = await dutyRow(h.entA.countyCode, 'plan');
      expect(row).toMatchObject({ state: 'SUBMITTED', late: false, submittedBy: { role: 'county', scope: h.entA.countyCode } });
      expect(row.content).toMatchObject({ text: '实施方案', figures: { meetings: 3 } });

      expectProblem(await submit(h.entA.countyCode, 'plan', h.keys.county, { text: '第二版' }), 409, 'ILLEGAL_TRANSITION');
      expect(await dutyRow(h.entA.countyCode, 'plan')).toEqual(row);
    });

    it('answers 404 to another county\'s key and an unknown duty key, 403 to an enterprise key, and records nothing', async () => {
      const before = await dutyRows(id);
      expectProblem(await submit(h.entA.countyCode, 'progress:1', countyB), 404, 'NOT_FOUND');
      expectProblem(await submit(h.entB.countyCode, 'plan', h.keys.county), 404, 'NOT_FOUND');
      expectProblem(await submit(h.entA.countyCode, 'progress:1', h.keys.entA), 403, 'FORBIDDEN');
      expectProblem(await submit(h.entA.countyCode, 'progress:99', h.keys.county), 404, 'NOT_FOUND');
      expectProblem(await submit(h.entA.countyCode, 'progress:1', h.keys.county, { text: 'x', colour: 'red' }), 400, 'VALIDATION_FAILED', ['colour']);
      expect(await dutyRows(id)).toEqual(before);
    });

    it('answers 404 for a unit that does not take part in the campaign', async () => {
      // There is no obligation workflow `obligation:<id>:<unit>` for a non-participant.
      const res = await submit(uniq('nowhere'), 'plan', h.keys.office);
      expectProblem(res, 404, 'NOT_FOUND');
    });

    it('lets the office submit for a unit, and a department for itself', async () => {
      const res = await submit(h.entB.countyCode, 'plan', h.keys.office);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ dutyKey: 'plan', state: 'SUBMITTED', late: false });
      expect(await dutyRow(h.entB.countyCode, 'plan')).toMatchObject({ state: 'SUBMITTED', submittedBy: { role: 'office' } });

      const dept = await submit(h.entA.departmentCode, 'progress:1', h.keys.department, { text: '第一次进展' });
      expect(dept.status, JSON.stringify(dept.body)).toBe(200);
      expect(dept.body).toMatchObject({ dutyKey: 'progress:1', state: 'SUBMITTED', late: false });

      const shown = await status(id);
      expect(shown.body.duties).toMatchObject({ submitted: 3, submittedLate: 0, missed: 0 });
    });
  });

  describe('self-inspection declarations', () => {
    const declare = (key: string, body: Record<string, unknown>) => h.call('POST', `/v1/campaigns/${id}/self-inspections`, key, body);
    const declarations = () => h.db.select().from(selfInspections).where(eq(selfInspections.campaignId, id));

    it('records an enterprise\'s own declaration and updates it when declared again', async () => {
      const first = await declare(h.keys.entA, { problemsFound: 3, note: '自查完毕' });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toMatchObject({ campaignId: id, enterpriseId: h.entA.id, problemsFound: 3 });
      const second = await declare(h.keys.entA, { problemsFound: 5 });
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      expect(second.body).toMatchObject({ enterpriseId: h.entA.id, problemsFound: 5 });
      const rows = await declarations();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ enterpriseId: h.entA.id, problemsFound: 5, note: null });
      expect((await status(id)).body.selfInspections).toEqual({ declared: 1, problemsFound: 5 });
    });

    it('refuses a declaration by a county for an enterprise outside its territory with 404 enterpriseId', async () => {
      const before = await declarations();
      expectProblem(await declare(h.keys.county, { enterpriseId: h.entB.id, problemsFound: 9 }), 404, 'NOT_FOUND', ['enterpriseId']);
      expectProblem(await declare(h.keys.office, { problemsFound: 9 }), 422, 'VALIDATION_FAILED', ['enterpriseId']);
      expectProblem(await declare(h.keys.office, { enterpriseId: '00000000-0000-4000-8000-000000000000', problemsFound: 9 }), 404, 'NOT_FOUND', ['enterpriseId']);
      expectProblem(await declare(h.keys.department, { enterpriseId: h.entA.id, problemsFound: 9 }), 403, 'FORBIDDEN');
      expectProblem(await declare(h.keys.entA, { problemsFound: -1 }), 400, 'VALIDATION_FAILED', ['problemsFound']);
      expect(await declarations()).toEqual(before);
    });

    it('refuses an enterprise declaring for another enterprise with 404 enterpriseId (it does not exist for it), leaving its own declaration alone', async () => {
      const before = await declarations();
      const res = await declare(h.keys.entA, { enterpriseId: h.entB.id, problemsFound: 9 });
      expect(res.status, `answered ${JSON.stringify(res.body)} to enterprise ${h.entA.id} naming ${h.entB.id}`).toBe(404);
      expectProblem(res, 404, 'NOT_FOUND', ['enterpriseId']);
      expect(await declarations()).toEqual(before);
    });
  });

  describe('supervision findings', () => {
    const file = (body: Record<string, unknown>, key = h.keys.office) => h.call('POST', `/v1/campaigns/${id}/supervision-findings`, key, body);
    const findingCount = async () => (await h.db.select({ n: count() }).from(supervisionFindings).where(eq(supervisionFindings.campaignId, id)))[0]!.n;

    it('registers a finding against an enterprise as a SUPERVISION hazard of the campaign, with its workflow running', async () => {
      const res = await file({ team: '市第一督导组', target: 'ENTERPRISE', enterpriseId: h.entA.id, description: '消防通道堵塞', hazard: reportBody({ description: '消防通道堵塞' }) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(typeof res.body.id).toBe('string');
      expect(typeof res.body.hazardId).toBe('string');
      const [hz] = await h.db.select().from(hazards).where(eq(hazards.id, res.body.hazardId));
      expect(hz).toMatchObject({ source: 'SUPERVISION', campaignId: id, enterpriseId: h.entA.id, description: '消防通道堵塞' });
      // The campaign's template sets the general hazards' policy (seconds, in the demo): the finding's hazard runs on it.
      expect(hz!.policy).toEqual(resolvePolicy('GENERAL', demoTemplate(0).hazardPolicies?.GENERAL));
      const run = await h.env!.client.workflow.getHandle(`hazard:${hz!.id}`).describe();
      expect(run.status.name).toBe('RUNNING');
      const [row] = await h.db.select().from(supervisionFindings).where(eq(supervisionFindings.id, res.body.id));
      expect(row).toMatchObject({ campaignId: id, targetKind: 'ENTERPRISE', enterpriseId: h.entA.id, hazardId: hz!.id, team: '市第一督导组' });
    });

    it('refuses a finding against an enterprise without its hazard fields (422 hazard) or without the enterprise, and records nothing', async () => {
      const findings = await findingCount();
      const hazardsBefore = await h.hazardCount();
      expectProblem(await file({ team: '市第一督导组', target: 'ENTERPRISE', enterpriseId: h.entA.id, description: '消防通道堵塞' }), 422, 'VALIDATION_FAILED', ['hazard']);
      expectProblem(await file({ team: '市第一督导组', target: 'ENTERPRISE', description: '消防通道堵塞', hazard: reportBody() }), 422, 'VALIDATION_FAILED', ['enterpriseId']);
      expectProblem(await file({ team: '市第一督导组', target: 'ENTERPRISE', enterpriseId: h.entA.id, description: 'x', hazard: reportBody({ deadline: '2020-01-01' }) }), 422, 'VALIDATION_FAILED', ['hazard.deadline']);
      expectProblem(await file({ team: '市第一督导组', target: 'ENTERPRISE', enterpriseId: h.entA.id, description: 'x', hazard: reportBody() }, h.keys.entA), 403, 'FORBIDDEN');
      expect(await findingCount()).toBe(findings);
      expect(await h.hazardCount()).toBe(hazardsBefore);
    });

    it('records a finding of the office against a unit (no hazard), and refuses an unknown unit code with 422', async () => {
      const hazardsBefore = await h.hazardCount();
      const res = await file({ team: '市第二督导组', target: 'UNIT', unitCode: h.entA.countyCode, description: '检查流于形式' }, h.keys.office);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.hazardId).toBeNull();
      const [row] = await h.db.select().from(supervisionFindings).where(eq(supervisionFindings.id, res.body.id));
      expect(row).toMatchObject({ targetKind: 'UNIT', unitCode: h.entA.countyCode, hazardId: null, actor: { role: 'office' } });

      const findings = await findingCount();
      expectProblem(await file({ team: '市第二督导组', target: 'UNIT', unitCode: uniq('nowhere'), description: '检查流于形式' }), 422, 'VALIDATION_FAILED', ['unitCode']);
      expectProblem(await file({ team: '市第二督导组', target: 'UNIT', description: '检查流于形式' }), 422, 'VALIDATION_FAILED', ['unitCode']);
      expect(await findingCount()).toBe(findings);
      expect(await h.hazardCount()).toBe(hazardsBefore);
      expect((await status(id)).body.supervisionFindings).toBe(findings);
    });
  });

  describe('the spot-check before the draw', () => {
    it('answers 404 for the draw and its verification', async () => {
      expectProblem(await h.call('GET', `/v1/campaigns/${id}/spot-check`, h.keys.office), 404, 'NOT_FOUND');
      expectProblem(await h.call('GET', `/v1/campaigns/${id}/spot-check/verification`, h.keys.entA), 404, 'NOT_FOUND');
      expectProblem(await h.call('GET', '/v1/campaigns/00000000-0000-4000-8000-000000000000/spot-check', h.keys.office), 404, 'NOT_FOUND');
    });
  });
});

describe('hazards reported while a campaign runs', () => {
  it('links a hazard reported by an enterprise in a participating county to the running campaign, and not one from elsewhere', async () => {
    const inside: Enterprise = await seedEnterprise(h.db);
    const outside: Enterprise = await seedEnterprise(h.db);
    const t = await storeTemplate(future());
    const id = await launchOk({ templateKey: t.key, templateVersion: 1, counties: [inside.countyCode], departments: [] });

    const res = await h.call('POST', '/v1/hazards', await h.key('enterprise', inside.id), reportBody());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await hazardsOf(inside.id)).map((x) => x.campaignId)).toEqual([id]);

    const other = await h.call('POST', '/v1/hazards', await h.key('enterprise', outside.id), reportBody());
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect((await hazardsOf(outside.id)).map((x) => x.campaignId)).toEqual([null]);
  });
});

describe('the spot-check draw and inspections', () => {
  const drawnOf = (strata: { industry: string; drawn: string[] }[], industry: string) => strata.find((s) => s.industry === industry)!.drawn;

  it('draws at least 10% of every stratum when the phase opens, and anyone can verify it', async () => {
    const draw = await eventually(async () => {
      const r = await h.call('GET', `/v1/campaigns/${spot.id}/spot-check`, h.keys.office);
      return r.status === 200 ? r : undefined;
    }, 30_000, 'the spot-check draw');
    expect(draw.body).toMatchObject({ seed: spot.seed, rosterSize: 18, rule: { minRatio: 0.1, strata: ['industry'], population: 'COUNTY_SUPERVISED' } });
    const strata = draw.body.strata as { key: string; industry: string; population: number; required: number; drawn: string[] }[];
    expect(strata.map((s) => s.key)).toEqual(['CONSTRUCTION', 'HAZARDOUS_CHEMICALS']);
    for (const s of strata) {
      const pool = spot.byIndustry[s.industry]!;
      expect(s.population).toBe(pool.length);
      expect(s.required).toBe(Math.ceil(pool.length / 10));
      expect(s.drawn.length).toBeGreaterThanOrEqual(Math.ceil(s.population * 0.1));
      expect(new Set(s.drawn).size).toBe(s.drawn.length);
      for (const e of s.drawn) expect(pool).toContain(e);
    }
    expect(strata.flatMap((s) => s.drawn)).not.toContain(spot.cityLevel);

    const verification = await h.call('GET', `/v1/campaigns/${spot.id}/spot-check/verification`, h.keys.entA);
    expect(verification.status).toBe(200);
    // The seed is withheld from an enterprise until the campaign completes (see property-access.api.test).
    expect(verification.body).toMatchObject({ matches: true, seed: null, rosterSize: 18 });
    expect((await h.call('GET', `/v1/campaigns/${spot.id}/spot-check/verification`, h.keys.office)).body).toMatchObject({ matches: true, seed: spot.seed });
    // Inspections are unannounced: an enterprise can verify the draw but not read who was drawn.
    expect(JSON.stringify(verification.body)).not.toContain(strata[0]!.drawn[0]!);
    expectProblem(await h.call('GET', `/v1/campaigns/${spot.id}/spot-check`, h.keys.entA), 403, 'FORBIDDEN');

    const shown = await status(spot.id);
    expect(shown.body.spotCheck.strata.map((s: { key: string; drawn: number; inspected: number }) => [s.key, s.drawn, s.inspected])).toEqual([
      ['CONSTRUCTION', drawnOf(strata, 'CONSTRUCTION').length, 0],
      ['HAZARDOUS_CHEMICALS', drawnOf(strata, 'HAZARDOUS_CHEMICALS').length, 0],
    ]);
  });

  it('refuses inconsistent inspection results (422) without a hazard, and turns a finding into a SPOT_CHECK hazard', async () => {
    const draw = await eventually(async () => {
      const r = await h.call('GET', `/v1/campaigns/${spot.id}/spot-check`, h.keys.office);
      return r.status === 200 ? r : undefined;
    }, 30_000, 'the spot-check draw');
    const target = drawnOf(draw.body.strata, 'HAZARDOUS_CHEMICALS')[0]!;
    // The department's inspection obligation for the drawn enterprise exists once its duty is on the ledger.
    await eventually(async () => ((await dutyRows(spot.id)).some((d) => d.kind === 'INSPECTION' && d.subjectEnterpriseId === target) ? true : undefined), 20_000, 'inspection duty');
    const inspect = (body: Record<string, unknown>, key = h.keys.department, enterpriseId = target) => h.call('POST', `/v1/campaigns/${spot.id}/inspections/${enterpriseId}`, key, body);
    const inspectionRow = async () => (await dutyRows(spot.id)).find((d) => d.kind === 'INSPECTION' && d.subjectEnterpriseId === target)!;
    const before = await inspectionRow();

    expectProblem(await inspect({ outcome: 'FINDINGS' }), 422, 'VALIDATION_FAILED', ['findings']);
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [] }), 422, 'VALIDATION_FAILED', ['findings']);
    expectProblem(await inspect({ outcome: 'PASSED', findings: [reportBody()] }), 422, 'VALIDATION_FAILED', ['findings']);
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [reportBody({ deadline: '2020-01-01' })] }), 422, 'VALIDATION_FAILED', ['findings[0].deadline']);
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [reportBody()] }, h.keys.county), 403, 'FORBIDDEN');
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [reportBody()] }, h.keys.office, '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expect(await hazardsOf(target)).toHaveLength(0);
    expect(await inspectionRow()).toEqual(before);

    const res = await inspect({ outcome: 'FINDINGS', note: '抽查发现问题', findings: [reportBody({ description: '动火作业未审批' })] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ state: 'SUBMITTED' });
    const found = await hazardsOf(target);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ source: 'SPOT_CHECK', campaignId: spot.id, enterpriseId: target, description: '动火作业未审批' });
    // Found in the campaign: on its template's policy for the grade (seconds, in the demo).
    expect(found[0]!.policy).toEqual(resolvePolicy(found[0]!.grade, demoTemplate(0).hazardPolicies?.[found[0]!.grade]));
    expect(found[0]!.policy).not.toEqual(resolvePolicy(found[0]!.grade));
    expect(await inspectionRow()).toMatchObject({ state: 'SUBMITTED', submittedBy: { role: 'department' } });
    expect((await inspectionRow()).content).toMatchObject({ outcome: 'FINDINGS', hazardIds: [found[0]!.id] });

    // Reported again: the inspection is in, and no second hazard appears.
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [reportBody()] }), 409, 'ILLEGAL_TRANSITION');
    expect(await hazardsOf(target)).toHaveLength(1);
  });
});
