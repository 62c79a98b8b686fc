// Baseline: what most government systems do instead of a durable workflow per obligation. A table
// of due reminders and a poller that every second takes the due rows with
// `SELECT ... FOR UPDATE SKIP LOCKED`, mails each to the same SMTP sink with the product's mailer
// and marks it sent. Bench-only: its tables live in the schema bench_poller, never in the product.
// Intake: the same hazard report (validation by buildHazardRow, the ledger insert by insertHazard,
// into a copy of the hazards table with the same indexes) plus its reminder rows in one transaction,
// through a bare HTTP endpoint, 16 clients: what POST /v1/hazards does minus the workflow start.
// Lateness: mail accepted by the sink minus the reminder's due instant, for a probe spread over a
// few minutes and for a burst due at one instant.
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { createSmtpMailer } from '../../activities/mailer';
import { createDb, type Db } from '../../db/client';
import { insertHazard } from '../../db/hazards.repo';
import { getEnterprise } from '../../db/reference.repo';
import { hazardSchedule } from '../../domain/policy';
import { buildHazardRow, type HazardReport } from '../../services/hazard-report';
import { creditCode, reportBody } from '../../tests/support/fixtures';
import type { Figure } from '../report';
import type { Stack } from '../stack';
import { burstSize } from './ceiling';
import { latenessSizes } from './lateness';
import { pct, rowsOf } from './ledger-reads';

export type PollerStack = Pick<Stack, 'topology' | 'db' | 'databaseUrl' | 'admin' | 'sink' | 'say' | 'post'>;

const POLL_EVERY_MS = 1000;
const BATCH = 100;
const POLLERS = 2;
const CLIENTS = 16;

/** The poller: POLLERS loops, each every second taking up to BATCH due rows (again at once while batches come back full). */
function startPollers(db: Db, sinkUrl: string) {
  const mailer = createSmtpMailer(sinkUrl);
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const tick = Date.now();
      for (;;) {
        const sent = await db.transaction(async (tx) => {
          const due = await rowsOf<{ id: string; recipient: string; subject: string }>(
            tx,
            sql`select id::text, recipient, subject from bench_poller.reminders where sent_at is null and due_at <= now() order by due_at limit ${BATCH}::int for update skip locked`,
          );
          for (const r of due) {
            await mailer.send({ from: 'office@bench.test', to: [r.recipient], subject: r.subject, text: 'reminder', messageId: `<poller-${r.id}@bench.test>`, headers: { 'x-bench-poller': r.id } });
          }
          if (due.length > 0) await tx.execute(sql`update bench_poller.reminders set sent_at = now() where id = any(${`{${due.map((r) => r.id).join(',')}}`}::bigint[])`);
          return due.length;
        });
        if (sent < BATCH || stopped) break;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, tick + POLL_EVERY_MS - Date.now())));
    }
  };
  const loops = Array.from({ length: POLLERS }, loop);
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      mailer.close();
    },
  };
}

export async function poller(stack: PollerStack, { quick, large = false, results = [] }: { quick: boolean; large?: boolean; results?: Figure[] }): Promise<Figure[]> {
  const { db, sink, say, post, admin } = stack;
  const intakeN = quick ? 300 : 1000;
  // The Temporal path's lateness probe (bench/figures/lateness.ts): as many reminders over as long.
  const sizes = latenessSizes({ quick });
  const probeN = sizes.reminders;
  const probeSpreadMs = sizes.windowS * 1000;
  // As many as the Temporal path's burst in this run (bench/figures/reminder-burst.ts), for a like-for-like ratio.
  const burstN = Number(results.find((f) => f.id === 'reminder-burst' && f.topology === stack.topology)?.detail?.reminders ?? burstSize({ quick, large }));
  await db.execute(sql`create schema if not exists bench_poller`);
  await db.execute(sql`drop table if exists bench_poller.reminders, bench_poller.hazards`);
  await db.execute(sql`create table bench_poller.hazards (like public.hazards including all)`);
  await db.execute(sql`create table bench_poller.reminders (id bigserial primary key, hazard_id uuid, recipient text not null, subject text not null, due_at timestamptz(3) not null, sent_at timestamptz(3))`);
  await db.execute(sql`create index on bench_poller.reminders (due_at) where sent_at is null`);

  // Intake through a bare endpoint on a pool whose search_path puts the bench copy of hazards first.
  const url = new URL(stack.databaseUrl);
  url.searchParams.set('options', '-c search_path=bench_poller,public');
  const pollerDb = await createDb(url.toString(), { poolSize: 20 });
  const app = Fastify();
  app.post('/hazards', async (request, reply) => {
    const body = request.body as HazardReport & { enterpriseId: string };
    const enterprise = await getEnterprise(pollerDb.db, body.enterpriseId);
    if (!enterprise) return reply.status(404).send();
    const now = Date.now();
    const built = buildHazardRow(body, enterprise, { keyId: 'bench', role: 'office', scope: null, name: 'bench' }, now);
    if (!built.ok) return reply.status(422).send(built.errors);
    const row = built.row;
    await pollerDb.db.transaction(async (tx) => {
      const { hazard } = await insertHazard(tx, row);
      const reminders = hazardSchedule({ deadline: hazard.deadline.getTime(), policy: hazard.policy, timeZone: hazard.timeZone, armedAt: now }).filter((e) => e.kind === 'REMINDER');
      for (const r of reminders) {
        await tx.execute(sql`insert into bench_poller.reminders (hazard_id, recipient, subject, due_at) values (${hazard.id}, ${hazard.responsibleEmail ?? 'nobody@bench.test'}, 'reminder', ${new Date(r.at).toISOString()}::timestamptz)`);
      }
    });
    return reply.status(201).send({ ok: true });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const county = `poll-${Date.now().toString(36)}`;
  await post('/v1/units', admin, { kind: 'COUNTY', code: county, name: county, email: `${county}@bench.test` });
  await post('/v1/units', admin, { kind: 'DEPARTMENT', code: `${county}-d`, name: county, email: `${county}-d@bench.test` });
  const enterprise = await post('/v1/enterprises', admin, { name: '轮询企业', creditCode: creditCode(), industry: 'CONSTRUCTION', countyCode: county, departmentCode: `${county}-d`, principal: { name: '负责人', email: 'p@bench.test' } });

  const latencies: number[] = [];
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < intakeN) {
        next++;
        const t = performance.now();
        const res = await fetch(`${address}/hazards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...reportBody({ deadline: '2099-06-30' }), enterpriseId: enterprise.id }) });
        if (res.status !== 201) throw new Error(`poller intake: ${res.status} ${await res.text()}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const intakePerSecond = +(intakeN / ((Date.now() - t0) / 1000)).toFixed(1);
  await app.close();
  await pollerDb.close();
  await db.execute(sql`delete from bench_poller.reminders`);
  say(`poller: intake ${intakeN} in ${Date.now() - t0} ms (${intakePerSecond}/s)`);

  const pollers = startPollers(db, sink.url);
  async function probe(name: string, dueAts: number[]) {
    const ids = await rowsOf<{ id: string; due: string | Date }>(
      db,
      sql`insert into bench_poller.reminders (recipient, subject, due_at) select 'r' || i || '@bench.test', ${name}, to_timestamp(d / 1000.0) from unnest(${`{${dueAts.join(',')}}`}::bigint[]) with ordinality as u(d, i) returning id::text, due_at as due`,
    );
    const dueOf = new Map(ids.map((r) => [r.id, new Date(r.due).getTime()]));
    // Bounded, scaled to the probe: the pollers send one mail at a time each (a 500 burst drained in 33 s).
    const bound = Math.max(120_000, dueAts.length * 150);
    const deadline = Math.max(...dueAts) + bound;
    while (Date.now() < deadline) {
      const got = sink.messages.filter((m) => dueOf.has(String(m.headers.get('x-bench-poller'))));
      if (got.length >= dueAts.length) {
        const late = got.map((m) => sink.receivedAt.get(m)! - dueOf.get(String(m.headers.get('x-bench-poller')))!);
        return { n: dueAts.length, p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late), drainMs: Math.max(...late) - Math.min(...late) };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`poller ${name}: not every reminder mailed within ${bound / 1000} s of the last one's instant`);
  }
  const start = Date.now() + 5_000;
  // The pollers stop whatever happens: a probe that fails must not leave them on a pool the stack closes.
  const { spread, burst } = await (async () => {
    say(`poller: ${probeN} reminders spread over ${probeSpreadMs / 1000} s`);
    const spread = await probe('spread', Array.from({ length: probeN }, (_, i) => start + Math.floor((i * probeSpreadMs) / probeN)));
    say(`poller: ${burstN} reminders due at one instant`);
    const burst = await probe('burst', Array.from({ length: burstN }, () => Date.now() + 5_000));
    return { spread, burst };
  })().finally(() => pollers.stop());
  await db.execute(sql`drop schema bench_poller cascade`);
  say(`poller: spread ${JSON.stringify(spread)}; burst ${JSON.stringify(burst)}`);

  const topology = stack.topology;
  const how = `${POLLERS} pollers, every ${POLL_EVERY_MS} ms, batches of ${BATCH}, FOR UPDATE SKIP LOCKED`;
  // The Temporal path measured earlier in this run on the same topology (bench/figures/intake.ts, lateness.ts, reminder-burst.ts).
  const temporal = (id: string) => results.find((f) => f.topology === topology && (f.id === id || f.id.startsWith(id)));
  const beside = (f: Figure, t: Figure | undefined, scale: number, title: string): Figure =>
    t ? { ...f, ceiling: { title: `the Temporal path: ${title}`, value: t.value * scale, unit: f.unit }, ratio: +(f.value / (t.value * scale)).toFixed(2) } : f;
  const intakeT = temporal('intake.rate');
  const latenessT = temporal('lateness.');
  const burstT = temporal('reminder-burst');
  return [
    beside(
      { id: 'poller.intake', title: `Baseline poller: hazard reports/s (validation + ledger insert + reminder rows in one transaction, bare HTTP, ${CLIENTS} clients; no workflow start)`, value: intakePerSecond, unit: '/s', topology, detail: { reports: intakeN, latencyMs: { p50: +pct(latencies, 50).toFixed(1), p99: +pct(latencies, 99).toFixed(1) } } },
      intakeT,
      1,
      'POST /v1/hazards (intake.rate)',
    ),
    beside(
      { id: 'poller.lateness.spread.p99', title: `Baseline poller: reminder lateness p99, ${probeN} spread over ${probeSpreadMs / 1000} s (mail accepted minus due instant; ${how})`, value: spread.p99, unit: 'ms', topology, detail: spread },
      latenessT && latenessT.unit === 's' ? latenessT : undefined,
      1000,
      `reminder lateness p99 (${latenessT?.id ?? 'lateness'})`,
    ),
    beside(
      { id: 'poller.lateness.burst.max', title: `Baseline poller: ${burstN} reminders due at one instant, the last accepted by the SMTP sink after (${how})`, value: burst.max, unit: 'ms', topology, detail: burst },
      burstT && burstT.unit === 's' ? burstT : undefined,
      1000,
      `the last of a reminder burst (reminder-burst, ${(burstT?.detail?.reminders as number | undefined) ?? '?'} reminders)`,
    ),
    { id: 'poller.lateness.burst.p99', title: `Baseline poller: reminder lateness p99, ${burstN} due at one instant (${how})`, value: burst.p99, unit: 'ms', topology, detail: burst },
  ];
}
