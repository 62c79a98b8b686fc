// The production composition for end-to-end tests: the API (startApi) and the worker (runWorker)
// on the run's shared dev server, a fresh Postgres database and an SMTP sink; real HTTP.
import { startApi, type RunningApi } from '../../api/server';
import { loadConfig, type AppConfig } from '../../config';
import { createDb, type DbHandle } from '../../db/client';
import { runWorker } from '../../worker/main';
import { freshDatabase, type FreshDatabase } from './database';
import { injected } from './injected';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { prebuiltWorkflowBundle } from './hazard-worker';
import { uniq } from './fixtures';

export interface E2eStack {
  base: string;
  adminKey: string;
  config: AppConfig;
  db: DbHandle;
  sink: SmtpSink;
  call<T = Record<string, unknown>>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }>;
  startWorker(): void;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** `env`: extra configuration variables (e.g. higher rate limits for a fuzzer). */
/** Where a started API listens. */
export function baseUrlOf(api: RunningApi): string {
  const address = api.fastify.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** A JSON request with an API key over real HTTP; gives up after `timeoutMs`. */
export async function callApi<T>(base: string, method: string, path: string, key: string, body?: unknown, timeoutMs = 30_000): Promise<{ status: number; body: T; contentType: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: (await res.json()) as T, contentType: res.headers.get('content-type') };
}

export async function startE2eStack(env: Record<string, string> = {}): Promise<E2eStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const database: FreshDatabase = await freshDatabase();
    stops.push(() => database.close());
    const db = await createDb(database.url);
    stops.push(() => db.close());
    const sink = await startSmtpSink();
    stops.push(() => sink.close());
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: injected('temporalAddress'),
      TEMPORAL_TASK_QUEUE: uniq('e2e'),
      SMTP_URL: sink.url,
      OFFICE_EMAILS: 'office@e2e.test',
      BOOTSTRAP_ADMIN_KEY: `e2e-admin-${uniq('k')}`,
      LOG_LEVEL: 'warn',
      RECONCILE_INTERVAL_SECONDS: '0',
      ...prebuiltWorkflowBundle(),
      ...env,
    });
    let workerStop: AbortController | undefined;
    let worker: Promise<void> | undefined;
    const startWorker = () => {
      workerStop = new AbortController();
      worker = runWorker(config, db, workerStop.signal);
    };
    const stopWorker = async () => {
      workerStop?.abort();
      await worker;
      worker = undefined;
    };
    startWorker();
    stops.push(stopWorker);
    const api: RunningApi = await startApi(config, db);
    stops.push(() => api.close());
    const base = baseUrlOf(api);
    return {
      base,
      adminKey: config.bootstrapAdminKey!,
      config,
      db,
      sink,
      call: (method, path, key, body) => callApi(base, method, path, key, body),
      startWorker,
      stopWorker,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
