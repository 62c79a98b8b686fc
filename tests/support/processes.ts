// Fault tests: the worker as a separate OS process (so it can be SIGKILLed), and a stack of
// API (in-process) + worker (child process) + SMTP sink on whatever Postgres and Temporal
// server a scenario gives it. Every child is killed when the test process exits, also on failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { startApi, type RunningApi } from '../../api/server';
import { loadConfig, type AppConfig } from '../../config';
import { createDb, type DbHandle } from '../../db/client';
import { baseUrlOf, callApi } from './e2e-stack';
import { uniq } from './fixtures';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { prebuiltWorkflowBundle } from './hazard-worker';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface WorkerProcess {
  pid: number;
  /** Resolves when the process has exited (also when killed). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last 20 kB of its stdout and stderr. */
  output(): string;
  /** Resolves once the worker polls its task queue (its log says RUNNING). */
  ready(timeoutMs?: number): Promise<void>;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** `node --import tsx worker/main.ts` with `env` added to this process's environment. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const readyWaiters = new Set<() => void>();
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
    if (/state: 'RUNNING'|"state":"RUNNING"|RUNNING/.test(output)) for (const w of readyWaiters) w();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    exited,
    output: () => output,
    ready(timeoutMs = 60_000) {
      if (/RUNNING/.test(output)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          readyWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(() => {
          readyWaiters.delete(done);
          reject(new Error(`worker ${child.pid} not running after ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        readyWaiters.add(done);
        void exited.then(({ code, signal }) => {
          if (!readyWaiters.has(done)) return;
          readyWaiters.delete(done);
          clearTimeout(timer);
          reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before running:\n${output}`));
        });
      });
    },
    alive,
    kill(signal) {
      if (alive()) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A worker process that polls its queue. A start that fails before polling (bundling the
 * workflows on a loaded 2-core machine has crashed once here) is retried once: that is not the
 * fault under test, and the output of the failed start is logged.
 */
export async function spawnReadyWorker(env: Record<string, string>): Promise<WorkerProcess> {
  for (let attempt = 1; ; attempt++) {
    const worker = spawnWorker(env);
    try {
      await worker.ready();
      return worker;
    } catch (err) {
      await worker.stop();
      if (attempt >= 2) throw err;
      console.warn(`[faults] worker start failed, retrying once: ${String(err).slice(0, 4000)}`);
    }
  }
}

/** PIDs of processes whose command line contains `needle` (e.g. a unique temp path), this one excluded. */
export async function pidsWithArg(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some((arg) => arg.includes(needle))) pids.push(Number(entry));
  }
  return pids;
}

export interface FaultStack {
  base: string;
  adminKey: string;
  config: AppConfig;
  /** The test's own pool on the scenario's database (for ledger and outbox checks). */
  db: DbHandle;
  sink: SmtpSink;
  /** The current worker process (replaced by `restartWorker`). */
  worker: WorkerProcess;
  /** Starts a new worker process and waits until it polls. */
  restartWorker(): Promise<WorkerProcess>;
  call<T = Record<string, unknown>>(method: string, path: string, key: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; body: T; contentType: string | null }>;
  close(): Promise<void>;
}

/** API in this process, worker as a child process, a fresh SMTP sink; on the given database and Temporal server. */
export async function startFaultStack(o: { databaseUrl: string; temporalAddress: string; env?: Record<string, string> }): Promise<FaultStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.warn(`[faults] cleanup: ${String(err)}`));
  };
  try {
    const sink = await startSmtpSink();
    stops.push(() => sink.close());
    const env = {
      PORT: '0',
      DATABASE_URL: o.databaseUrl,
      TEMPORAL_ADDRESS: o.temporalAddress,
      TEMPORAL_TASK_QUEUE: uniq('faults'),
      SMTP_URL: sink.url,
      OFFICE_EMAILS: 'office@faults.test',
      BOOTSTRAP_ADMIN_KEY: `faults-admin-${uniq('k')}`,
      // The API's outage warnings would drown the scenario summaries; errors still show.
      LOG_LEVEL: 'error',
      RECONCILE_INTERVAL_SECONDS: '0',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
      RATE_LIMIT_MAIL_PER_MINUTE: '100000',
      ...prebuiltWorkflowBundle(),
      ...o.env,
    };
    const config = loadConfig(env);
    const db = await createDb(o.databaseUrl);
    stops.push(() => db.close());
    const apiDb = await createDb(o.databaseUrl);
    stops.push(() => apiDb.close());
    // The worker first: the API ensures the bootstrap key, and the worker needs nothing from it.
    let worker = await spawnReadyWorker(env);
    stops.push(() => worker.stop());
    const api: RunningApi = await startApi(config, apiDb);
    stops.push(() => api.close());
    const base = baseUrlOf(api);
    return {
      base,
      adminKey: config.bootstrapAdminKey!,
      config,
      db,
      sink,
      get worker() {
        return worker;
      },
      async restartWorker() {
        await worker.stop();
        worker = await spawnReadyWorker(env);
        return worker;
      },
      call: (method, path, key, body, timeoutMs) => callApi(base, method, path, key, body, timeoutMs),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function inPool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

export const sleepUntil = (instant: number): Promise<void> => delay(Math.max(0, instant - Date.now()));
