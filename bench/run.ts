// `npm run bench`: measured figures for the hazard pipeline, never part of `npm test`.
// Runs on the real dev server (SQLite file with the embedded start's pragmas), a real Postgres,
// the production api and worker composition, and an in-process SMTP sink. Bounded in time;
// writes bench/results/<stamp>.md and .json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { count, eq, and } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import { startApi } from '../api/server';
import { benchCampaignLaunch } from './campaign-launch';
import { createDatabase, startPostgres } from '../cli/provision/postgres';
import { startDevServer } from '../cli/provision/temporal';
import { loadConfig } from '../config';
import { createDb } from '../db/client';
import { runMigrations } from '../db/migrate';
import { hazards, notifications } from '../db/schema';
import { runWorker } from '../worker/main';
import { startSmtpSink } from '../tests/support/smtp-sink';
import { creditCode, reportBody } from '../tests/support/fixtures';

// `npm run bench -- --only webhooks`: the webhook delivery latency alone (bench/webhooks.ts).
if (process.argv.slice(2).join(' ').includes('--only webhooks')) {
  await import('./webhooks');
}

const REPORTS = Number(process.env.BENCH_HAZARDS ?? 1000);
const ENTERPRISES = Number(process.env.BENCH_ENTERPRISES ?? 10_000);
const UNITS = Number(process.env.BENCH_UNITS ?? 200);
const BURST = Number(process.env.BENCH_BURST ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LIMIT_MS = Number(process.env.BENCH_LIMIT_SECONDS ?? 600) * 1000;
const started = Date.now();
const say = (s: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${s}`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function until(what: string, check: () => Promise<boolean>, everyMs = 250): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - started > LIMIT_MS) throw new Error(`bench time limit reached while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now() - t0;
}

Runtime.install({ logger: new DefaultLogger((process.env.BENCH_LOG_LEVEL ?? 'WARN') as 'WARN') });
const dir = await mkdtemp(join(tmpdir(), 'hc-bench-'));
const dev = await startDevServer({ dbFilename: join(dir, 'temporal.db') });
const pg = await startPostgres();
const url = await createDatabase(pg.url, 'bench');
await runMigrations(url);
const sink = await startSmtpSink();
const config = loadConfig({ PORT: '0', DATABASE_URL: url, TEMPORAL_ADDRESS: dev.address, SMTP_URL: sink.url, BOOTSTRAP_ADMIN_KEY: 'bench-admin-key-0123456789', LOG_LEVEL: 'error', RECONCILE_INTERVAL_SECONDS: '0', RATE_LIMIT_WRITES_PER_MINUTE: '1000000', RATE_LIMIT_MAIL_PER_MINUTE: '1000000' });
const db = await createDb(url, { poolSize: 20 });
const stopWorker = new AbortController();
const worker = runWorker(config, db, stopWorker.signal);
const api = await startApi(config, db);
const address = api.fastify.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const admin = config.bootstrapAdminKey!;

async function post(path: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

async function pool<T>(n: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await work(i);
    }
  }));
  return out;
}

const report: Record<string, unknown> = { machine: { cores: (await import('node:os')).cpus().length, node: process.version }, concurrency: CONCURRENCY };
try {
  say(`campaign launch: ${ENTERPRISES} enterprises, ${UNITS} units`);
  const counties = Math.max(1, Math.round(UNITS / 4));
  report.launch = await benchCampaignLaunch(
    { db: db.db, client: new Client({ connection: await Connection.connect({ address: dev.address }) }), address: dev.address, admin, post, say, until },
    { enterprises: ENTERPRISES, counties, departments: UNITS - counties },
  );
  say(JSON.stringify(report.launch));

  say('seeding units and enterprises');
  await post('/v1/units', admin, { kind: 'COUNTY', code: 'bench-county', name: '基准县', email: 'county@bench.test' });
  await post('/v1/units', admin, { kind: 'DEPARTMENT', code: 'bench-dept', name: '基准局', email: 'dept@bench.test' });
  const enterpriseCount = Math.max(1, Math.ceil((REPORTS + BURST) / 10));
  const keys = await pool(enterpriseCount, async (i) => {
    const e = await post('/v1/enterprises', admin, { name: `企业${i}`, creditCode: creditCode(), industry: 'CONSTRUCTION', countyCode: 'bench-county', departmentCode: 'bench-dept', principal: { name: '负责人', email: `p${i}@bench.test` } });
    // Through the API: the key is in its in-memory key index at once.
    const created = (await post('/v1/api-keys', admin, { name: `e${i}`, role: 'enterprise', scope: e.id })) as unknown as { secret: string };
    return { enterpriseId: e.id, secret: created.secret };
  });

  say(`phase 1: reporting ${REPORTS} hazards through the API, ${CONCURRENCY} at a time`);
  const latencies: number[] = [];
  const t1 = Date.now();
  await pool(REPORTS, async (i) => {
    const t = performance.now();
    await post('/v1/hazards', keys[i % keys.length]!.secret, reportBody({ deadline: '2099-06-30' }), { 'idempotency-key': `r-${i}` });
    latencies.push(performance.now() - t);
  });
  const reportMs = Date.now() - t1;
  say(`reported in ${reportMs} ms; waiting until every workflow has written RECTIFYING`);
  const settleMs = await until('workflows to start', async () => {
    const [r] = await db.db.select({ n: count() }).from(hazards).where(eq(hazards.state, 'RECTIFYING'));
    return (r?.n ?? 0) >= REPORTS;
  });
  report.reporting = {
    hazards: REPORTS,
    totalMs: reportMs,
    perSecond: +(REPORTS / (reportMs / 1000)).toFixed(1),
    latencyMs: { p50: +pct(latencies, 50).toFixed(1), p95: +pct(latencies, 95).toFixed(1), p99: +pct(latencies, 99).toFixed(1) },
    allWorkflowsRunningAfterLastReportMs: settleMs,
  };
  say(JSON.stringify(report.reporting));

  say(`phase 2: ${BURST} hazards whose reminders fall due at one instant`);
  const reminders = () => sink.messages.filter((m) => m.headers.get('x-notification-kind') === 'REMINDER').length;
  const mailsBefore = reminders();
  // Far enough ahead that every burst workflow is registered and waiting before the instant,
  // judged by phase 1's rate from first report to last workflow running; checked below.
  const setupMsPerHazard = (reportMs + settleMs) / REPORTS;
  const dueAt = Date.now() + 5_000 + Math.ceil(BURST * setupMsPerHazard * 1.5);
  const deadline = new Date(dueAt + 30_000).toISOString();
  // A policy is the office's to set (an enterprise setting one is refused): the office reports the burst.
  await pool(BURST, (i) => post('/v1/hazards', admin, { ...reportBody({ deadline, policy: { reminderOffsets: ['PT30S'], escalationAfter: 'P30D' } }), enterpriseId: keys[i % keys.length]!.enterpriseId }, { 'idempotency-key': `b-${i}` }));
  await until('burst workflows to start', async () => {
    const [r] = await db.db.select({ n: count() }).from(hazards).where(eq(hazards.state, 'RECTIFYING'));
    return (r?.n ?? 0) >= REPORTS + BURST;
  });
  const wait = dueAt - Date.now();
  say(`all ${BURST} registered and waiting; reminders due in ${(wait / 1000).toFixed(1)} s`);
  if (wait < 0) throw new Error('setting up the burst took longer than the margin: lower BENCH_BURST');
  await new Promise((r) => setTimeout(r, wait));
  const drainMs = await until('reminders to be mailed', async () => reminders() - mailsBefore >= BURST, 100);
  const [sent] = await db.db.select({ n: count() }).from(notifications).where(and(eq(notifications.kind, 'REMINDER'), eq(notifications.status, 'SENT')));
  report.timerBurst = { hazards: BURST, drainMs, mailsPerSecond: +(BURST / (drainMs / 1000)).toFixed(1), outboxSent: sent?.n ?? 0 };
  say(JSON.stringify(report.timerBurst));
} finally {
  await api.close();
  stopWorker.abort();
  await worker;
  await db.close();
  await sink.close();
  await dev.stop();
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const r = report as { reporting: { hazards: number; perSecond: number; latencyMs: Record<string, number>; allWorkflowsRunningAfterLastReportMs: number; totalMs: number }; timerBurst: { hazards: number; drainMs: number; mailsPerSecond: number } };
const l = report.launch as Awaited<ReturnType<typeof benchCampaignLaunch>>;
const md = `# Benchmark ${stamp}

Dev server (SQLite file, WAL), real Postgres, api + worker in one process, SMTP sink in process; ${report.machine && JSON.stringify(report.machine)}; client concurrency ${CONCURRENCY}.

| figure | value |
| --- | --- |
| campaign launch: enterprises / units / drawn inspections | ${l.enterprises} / ${l.units} / ${l.drawnInspections} (roster import ${l.rosterImportMs} ms) |
| every unit obligation running after launch | ${l.unitObligationsRunningMs} ms |
| every obligation and inspection running after launch | ${l.everythingRunningMs} ms |
| ideal: as many trivial workflows started and run | ${l.idealTrivialWorkflowsMs} ms (ratio ${l.ratio}) |
| largest history: campaign / obligation workflow | ${l.largestCampaignHistory} / ${l.largestObligationHistory} events |
| largest pending activities in the campaign workflow | ${l.largestPendingActivities} |
| hazards reported through the API | ${r.reporting.hazards} in ${r.reporting.totalMs} ms (${r.reporting.perSecond}/s) |
| report latency p50 / p95 / p99 | ${r.reporting.latencyMs.p50} / ${r.reporting.latencyMs.p95} / ${r.reporting.latencyMs.p99} ms |
| every workflow on RECTIFYING, after the last report | ${r.reporting.allWorkflowsRunningAfterLastReportMs} ms |
| reminders due at one instant | ${r.timerBurst.hazards}, all mailed ${r.timerBurst.drainMs} ms after the instant (${r.timerBurst.mailsPerSecond}/s) |
`;
await writeFile(new URL(`./results/${stamp}.json`, import.meta.url), JSON.stringify(report, null, 2));
await writeFile(new URL(`./results/${stamp}.md`, import.meta.url), md);
console.log(md);
process.exit(0);
