// The system under measurement, brought up one way for every figure (bench/figures/*, bench/webhooks.ts):
// - 'dev': Temporal CLI dev server on an SQLite file with the WAL pragmas of the embedded start, a real
//   Postgres (cli/provision/postgres.ts), the API in the bench process, the worker(s) as child processes
//   (`node --import tsx worker/main.ts`, the product's own worker entry and env) so RSS is per process;
// - 'postgres': the full Temporal server on PostgreSQL (cli/provision/temporal-postgres.ts) and two
//   worker processes by default; otherwise as 'dev';
// - 'embedded': what `npm start` runs: PGlite, the worker and the API in one process (this one) beside
//   the dev server; `workerRss` is then that one process.
// An in-process SMTP sink receives all mail. Never part of `npm test`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { startApi } from '../api/server';
import { createDatabase, startPostgres, type PostgresHandle } from '../cli/provision/postgres';
import { startDevServer } from '../cli/provision/temporal';
import { loadConfig, type AppConfig } from '../config';
import { createDb, type Db, type DbHandle } from '../db/client';
import { migrateHandle, runMigrations } from '../db/migrate';
import { runWorker } from '../worker/main';
import { startSmtpSink, type SmtpSink } from '../tests/support/smtp-sink';

export type Topology = 'dev' | 'postgres' | 'embedded';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Elapsed-time progress lines, and one time limit for every wait of the run. */
export interface Clock {
  say(line: string): void;
  until(what: string, check: () => Promise<boolean>, everyMs?: number): Promise<number>;
}

export function clock(label = 'bench', limitMs = Number(process.env.BENCH_LIMIT_SECONDS ?? 3600) * 1000): Clock {
  const started = Date.now();
  const say = (line: string) => console.log(`[${label} ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  return {
    say,
    async until(what, check, everyMs = 250) {
      const t0 = Date.now();
      while (!(await check())) {
        if (Date.now() - started > limitMs) throw new Error(`bench time limit (${limitMs / 1000} s) reached while waiting for ${what}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
      return Date.now() - t0;
    },
  };
}

/** Runs `work(0..n-1)` with at most `concurrency` in flight; results in index order. */
export async function pool<T>(n: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

/**
 * Open loop: calls `work(k)` at t0 + k / perSecond for k = 0, 1, … while `more(k, t0)`, whether or not the
 * earlier calls have returned (a slow answer does not slow the arrivals down), up to 256 in flight.
 */
export async function paced(perSecond: number, more: (k: number, t0: number) => boolean, work: (k: number) => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let k = 0; more(k, t0); k++) {
    const wait = t0 + (k * 1000) / perSecond - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inFlight.size >= 256) await Promise.race(inFlight);
    const p: Promise<unknown> = work(k).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN for none. */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export interface StackOptions {
  topology: Topology;
  /** Worker processes ('dev': 1, 'postgres': 2); 'embedded' always runs its worker in this process. */
  workerProcesses?: number;
  /** Extra product env (e.g. WEBHOOK_ALLOW_LOOPBACK) for the API and the workers. */
  env?: Record<string, string>;
  /** Database name in the bench's Postgres cluster. */
  name?: string;
  clock?: Clock;
}

export interface Stack extends Clock {
  topology: Topology;
  temporalAddress: string;
  databaseUrl: string;
  db: Db;
  client: Client;
  /** API base URL (http://127.0.0.1:port). */
  base: string;
  admin: string;
  sink: SmtpSink;
  config: AppConfig;
  /** Server versions etc. for the report (filled as far as known). */
  versions: Record<string, string>;
  /** What runs where, in a line for the report. */
  describe: string;
  /** Client concurrency every figure uses unless it says otherwise (BENCH_CONCURRENCY, default 16). */
  concurrency: number;
  post<T = { id: string }>(path: string, key: string, body: unknown, headers?: Record<string, string>): Promise<T>;
  pool<T>(n: number, work: (i: number) => Promise<T>, concurrency?: number): Promise<T[]>;
  /** Resident set size (bytes) of each worker process, read from /proc/<pid>/status (VmRSS). */
  workerRss(): Promise<number[]>;
  workerPids: number[];
  /** Registers a clean-up that runs (before what the stack itself started) when the stack stops. */
  onStop(fn: () => Promise<unknown>): void;
  stop(): Promise<void>;
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/** The 'postgres' topology's server: cli/provision/temporal-postgres.ts (the topology engineer's). */
interface TemporalOnPostgres {
  address: string;
  version?: string;
  stop(): Promise<void>;
}
type StartTemporalOnPostgres = (opts: { postgresUrl: string; dir: string; log?: (line: string) => void }) => Promise<TemporalOnPostgres>;

async function temporalOnPostgres(pg: PostgresHandle, dir: string, say: (s: string) => void): Promise<TemporalOnPostgres> {
  const file = join(ROOT, 'cli/provision/temporal-postgres.ts');
  const mod = (await import(pathToFileURL(file).href).catch((err: unknown) => {
    throw new Error(`the 'postgres' topology needs ${file} (startTemporalOnPostgres): ${String(err)}`);
  })) as { startTemporalOnPostgres?: StartTemporalOnPostgres };
  if (!mod.startTemporalOnPostgres) throw new Error(`${file} exports no startTemporalOnPostgres`);
  return mod.startTemporalOnPostgres({ postgresUrl: pg.url, dir, log: say });
}

/** Spawns the product's worker entry as a child; its log is kept (last lines) and shown only if it dies. */
function spawnWorker(env: NodeJS.ProcessEnv, i: number, say: (s: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (d: string) => {
    tail.push(...d.split('\n').filter((l) => l.trim()));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', keep);
  }
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') say(`worker process ${i} (pid ${child.pid}) exited (${code ?? signal}); its last lines:\n${tail.join('\n')}`);
  });
  return child;
}

/** Until `n` distinct pollers serve the task queue (workflow tasks): the workers have bundled and started. */
async function waitForPollers(client: Client, namespace: string, taskQueue: string, n: number, c: Clock, children: ChildProcess[]): Promise<void> {
  await c.until(`${n} worker process(es) to poll ${taskQueue}`, async () => {
    const dead = children.find((ch) => ch.exitCode !== null || ch.signalCode !== null);
    if (dead) throw new Error(`worker process ${dead.pid} exited (${dead.exitCode ?? dead.signalCode}) before it was ready`);
    const r = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
    return new Set((r.pollers ?? []).map((p) => p.identity)).size >= n;
  }, 500);
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const c = opts.clock ?? clock();
  const { say } = c;
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err: unknown) => say(`stopping: ${String(err)}`));
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), `hc-bench-${opts.topology}-`));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const versions: Record<string, string> = {};
    const sink = await startSmtpSink();
    stops.push(() => sink.close());

    let pg: PostgresHandle | undefined;
    let temporalAddress: string;
    if (opts.topology === 'postgres') {
      pg = await startPostgres();
      stops.push(() => pg!.stop());
      const server = await temporalOnPostgres(pg, dir, say);
      stops.push(() => server.stop());
      temporalAddress = server.address;
      versions.temporal = server.version ?? 'Temporal server on PostgreSQL';
    } else {
      const dev = await startDevServer({ dbFilename: join(dir, 'temporal.db') });
      stops.push(() => dev.stop());
      temporalAddress = dev.address;
      versions.temporal = 'dev server';
    }

    let databaseUrl: string;
    if (opts.topology === 'embedded') {
      databaseUrl = `pglite:${join(dir, 'pglite')}`;
    } else {
      if (!pg) {
        const started = await startPostgres();
        stops.push(() => started.stop());
        pg = started;
      }
      databaseUrl = await createDatabase(pg.url, opts.name ?? `bench_${opts.topology}`);
      await runMigrations(databaseUrl);
    }

    const productEnv: Record<string, string> = {
      PORT: '0',
      DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      SMTP_URL: sink.url,
      BOOTSTRAP_ADMIN_KEY: 'bench-admin-key-0123456789',
      LOG_LEVEL: 'error',
      RECONCILE_INTERVAL_SECONDS: '0',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
      RATE_LIMIT_MAIL_PER_MINUTE: '1000000',
      ...opts.env,
    };
    const config = loadConfig(productEnv);

    // The bench's own handle (figures query the ledger); the embedded start shares its one PGlite.
    const handle: DbHandle = await createDb(databaseUrl, { poolSize: 10 });
    stops.push(() => handle.close());
    if (handle.kind === 'pglite') await migrateHandle(handle);
    if (handle.kind === 'postgres') {
      const r = (await handle.db.execute(sql`select current_setting('server_version') as v`)) as unknown as { rows: { v: string }[] };
      versions.postgres = r.rows[0]?.v ?? '?';
    } else {
      versions.pglite = (JSON.parse(await readFile(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
    }

    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const sys = await client.workflowService.getSystemInfo({}).catch(() => null);
    if (sys?.serverVersion && !versions.temporal.includes(sys.serverVersion)) versions.temporal = `${versions.temporal} ${sys.serverVersion}`;

    const workerPids: number[] = [];
    let describe: string;
    if (opts.topology === 'embedded') {
      const abort = new AbortController();
      const worker = runWorker(config, handle, abort.signal);
      worker.catch(() => undefined);
      stops.push(async () => {
        abort.abort();
        await worker.catch(() => undefined);
      });
      workerPids.push(process.pid);
      // Measured only once the worker polls (it bundles the workflows first: seconds of this process's CPU).
      await waitForPollers(client, config.temporal.namespace, config.temporal.taskQueue, 1, c, []);
      describe = 'embedded (`npm start`): PGlite, worker and API in one process beside the dev server (SQLite file, WAL)';
    } else {
      const n = opts.workerProcesses ?? (opts.topology === 'postgres' ? 2 : 1);
      const env = { ...process.env, ...productEnv };
      const children = Array.from({ length: n }, (_, i) => spawnWorker(env, i, say));
      stops.push(async () => {
        await Promise.all(
          children.map(async (ch) => {
            if (ch.exitCode !== null || ch.signalCode !== null) return;
            const exited = new Promise((r) => ch.once('exit', r));
            ch.kill('SIGTERM');
            const t = setTimeout(() => ch.kill('SIGKILL'), 20_000);
            await exited;
            clearTimeout(t);
          }),
        );
      });
      await waitForPollers(client, config.temporal.namespace, config.temporal.taskQueue, n, c, children);
      workerPids.push(...children.map((ch) => ch.pid!));
      describe = `${opts.topology === 'postgres' ? 'Temporal server on PostgreSQL' : 'dev server (SQLite file, WAL)'}, Postgres ${versions.postgres}, API in the bench process, ${n} worker process(es)`;
      const w = loadConfig(env).worker;
      describe += ` (cache ${w.maxCachedWorkflows} workflows, ${w.workflowTaskSlots} workflow-task and ${w.activitySlots} activity slots)`;
    }

    const api = await startApi(config, handle);
    stops.push(() => api.close());
    const address = api.fastify.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

    const post = async <T = { id: string }>(path: string, key: string, body: unknown, headers: Record<string, string> = {}): Promise<T> => {
      const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    say(`stack '${opts.topology}' up: ${describe}`);
    return {
      ...c,
      topology: opts.topology,
      temporalAddress,
      databaseUrl,
      db: handle.db,
      client,
      base,
      admin: config.bootstrapAdminKey!,
      sink,
      config,
      versions,
      describe,
      concurrency,
      post,
      pool: (n, work, k = concurrency) => pool(n, k, work),
      workerRss: () => Promise.all(workerPids.map(rssOf)),
      workerPids,
      onStop: (fn) => void stops.push(fn),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
