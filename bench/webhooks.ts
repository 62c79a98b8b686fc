// `npm run bench -- --only webhooks` (or `npm run bench:webhooks`): webhook delivery latency, from an
// event recorded on the ledger (portal_events.recorded_at, the writer's transaction) to the
// receiver's 2xx. Production composition and defaults (the API's waker every second, the delivery
// workflows' own task queue), a persistent dev server, a real Postgres, one receiver (node:http)
// per enterprise endpoint, and the office's endpoint that never answers beside them. Never in `npm test`.
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { inArray, sql } from 'drizzle-orm';
import { portalEvents } from '../db/schema';
import { creditCode, reportBody } from '../tests/support/fixtures';
import { clock, startStack } from './stack';

const ENDPOINTS = Number(process.env.BENCH_WEBHOOK_ENDPOINTS ?? 20);
const HAZARDS = Number(process.env.BENCH_WEBHOOK_HAZARDS ?? 200);
const STEADY = Number(process.env.BENCH_WEBHOOK_STEADY ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const LIMIT_MS = Number(process.env.BENCH_LIMIT_SECONDS ?? 300) * 1000;
const started = Date.now();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

Runtime.install({ logger: new DefaultLogger('ERROR') });

// One receiver for every endpoint: when it got each event (by webhook-id), 204 at once; /dead never answers.
const receivedAt = new Map<string, number>();
let duplicates = 0;
const receiver: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/dead') return;
    const id = String(req.headers['webhook-id']);
    if (receivedAt.has(id)) duplicates++;
    else receivedAt.set(id, Date.now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const ra = receiver.address();
const hookBase = `http://127.0.0.1:${typeof ra === 'object' && ra ? ra.port : 0}`;

// The production composition and webhook defaults (the worker a child process, as deployed).
const stack = await startStack({ topology: 'dev', name: 'bench_webhooks', env: { WEBHOOK_ALLOW_LOOPBACK: 'true' }, clock: clock('bench:webhooks', LIMIT_MS) });
const { config, db: ledger, admin, say } = stack;
const post = <T = { id: string }>(path: string, key: string, body: unknown) => stack.post<T>(path, key, body);
const pool = (n: number, work: (i: number) => Promise<void>) => stack.pool(n, work, CONCURRENCY);

let result: Record<string, unknown> = {};
try {
  await post('/v1/units', admin, { kind: 'COUNTY', code: 'wh-county', name: '基准县', email: 'county@bench.test' });
  await post('/v1/units', admin, { kind: 'DEPARTMENT', code: 'wh-dept', name: '基准局', email: 'dept@bench.test' });
  const enterprises: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const e = await post('/v1/enterprises', admin, { name: `门户企业${i}`, creditCode: creditCode(), industry: 'CONSTRUCTION', countyCode: 'wh-county', departmentCode: 'wh-dept', principal: { name: '负责人' } });
    const key = await post<{ secret: string }>('/v1/api-keys', admin, { name: `portal ${i}`, role: 'enterprise', scope: e.id });
    await post('/v1/webhook-endpoints', key.secret, { url: `${hookBase}/e${i}` });
    enterprises.push(e.id);
  }
  await post('/v1/webhook-endpoints', admin, { url: `${hookBase}/dead` });
  say(`${ENDPOINTS} enterprise endpoints and a dead one registered; reporting ${HAZARDS} hazards, ${CONCURRENCY} at a time`);
  await pool(HAZARDS, async (i) => {
    await post('/v1/hazards', admin, { ...reportBody({ deadline: '2099-06-30' }), enterpriseId: enterprises[i % enterprises.length] });
  });
  // Every event of those enterprises (registration and rectification started, per hazard) must arrive.
  const delivered = async (after: number, n: number): Promise<number[]> => {
    for (;;) {
      const rows = (await ledger.select({ seq: portalEvents.seq, recordedAt: portalEvents.recordedAt }).from(portalEvents).where(inArray(portalEvents.enterpriseId, enterprises))).filter((r) => r.seq > after);
      if (rows.length >= n && rows.every((r) => receivedAt.has(`evt_${r.seq}`))) return rows.map((r) => receivedAt.get(`evt_${r.seq}`)! - r.recordedAt.getTime());
      if (Date.now() - started > LIMIT_MS) throw new Error(`time limit: ${receivedAt.size} of ${rows.length} events received`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const burst = await delivered(0, HAZARDS * 2);
  say(`burst delivered; now ${STEADY} hazards one at a time, 500 ms apart`);
  const [{ maxSeq } = { maxSeq: 0 }] = await ledger.select({ maxSeq: sql<number>`coalesce(max(${portalEvents.seq}), 0)::int` }).from(portalEvents);
  for (let i = 0; i < STEADY; i++) {
    await post('/v1/hazards', admin, { ...reportBody({ deadline: '2099-06-30' }), enterpriseId: enterprises[i % enterprises.length] });
    await new Promise((r) => setTimeout(r, 500));
  }
  const steady = await delivered(maxSeq, STEADY * 2);
  const figures = (xs: number[]) => ({ p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), max: Math.max(...xs) });
  result = {
    machine: { cores: cpus().length, node: process.version },
    endpoints: ENDPOINTS,
    deadEndpoints: 1,
    duplicates,
    burst: { hazards: HAZARDS, events: burst.length, latencyMs: figures(burst) },
    steady: { hazards: STEADY, events: steady.length, latencyMs: figures(steady) },
    settings: { wakeIntervalMs: config.webhooks.wakeIntervalMs, pollIntervalMs: config.webhooks.pollIntervalMs },
  };
  say(JSON.stringify(result));
} finally {
  await stack.stop();
  receiver.closeAllConnections();
  receiver.close();
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
type Figures = { events: number; hazards: number; latencyMs: Record<string, number> };
const b = result.burst as Figures;
const st = result.steady as Figures;
const row = (f: Figures) => `${f.latencyMs.p50} / ${f.latencyMs.p90} / ${f.latencyMs.p99} / ${f.latencyMs.max} ms`;
const md = `# Webhook delivery benchmark ${stamp}

${stack.describe}; production webhook defaults (waker every ${config.webhooks.wakeIntervalMs} ms); ${JSON.stringify(result.machine)}.
Latency: from the event recorded on the ledger (the writer's transaction) to the receiver's 2xx.

| figure | value |
| --- | --- |
| endpoints (one per enterprise) + a dead one beside them | ${ENDPOINTS} + 1 |
| burst: ${b.hazards} hazards reported 8 at a time, ${b.events} events: p50 / p90 / p99 / max | ${row(b)} |
| steady: ${st.hazards} hazards one every 500 ms, ${st.events} events: p50 / p90 / p99 / max | ${row(st)} |
| duplicates received | ${duplicates} |
`;
await writeFile(new URL(`./results/webhooks-${stamp}.json`, import.meta.url), JSON.stringify(result, null, 2));
await writeFile(new URL(`./results/webhooks-${stamp}.md`, import.meta.url), md);
console.log(md);
process.exit(0);
