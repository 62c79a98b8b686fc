// What a workflow test file needs: a private time-skipping server, a fresh Postgres database,
// an SMTP sink and a worker with the real activities. Started one at a time, so `close` stops
// whatever did start when a later step fails.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createDb, type DbHandle } from '../../db/client';
import type { TemporalTarget } from '../../services/temporal';
import { freshDatabase } from './database';
import { uniq } from './fixtures';
import { createHazardWorker } from './hazard-worker';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { timeSkippingEnv, timeSkippingEnvAt } from './temporal';

export interface WorkflowStack {
  env: TestWorkflowEnvironment;
  handle: DbHandle;
  sink: SmtpSink;
  taskQueue: string;
  target: TemporalTarget;
  /** Sleeps on the test server until an absolute instant, plus a minute to let workflows act. */
  skipTo(instant: number): Promise<void>;
  close(): Promise<void>;
}

/** `at`: the test server's clock starts at that instant (a past year's calendar), not now. */
export async function startWorkflowStack(name: string, opts: { at?: number } = {}): Promise<WorkflowStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const env = opts.at === undefined ? await timeSkippingEnv() : await timeSkippingEnvAt(opts.at);
    stops.push(() => env.teardown());
    const database = await freshDatabase();
    stops.push(() => database.close());
    const handle = await createDb(database.url);
    stops.push(() => handle.close());
    const sink = await startSmtpSink();
    stops.push(() => sink.close());
    const taskQueue = uniq(name);
    const worker: Worker = await createHazardWorker({ connection: env.nativeConnection, client: env.client, taskQueue, db: handle.db, smtpUrl: sink.url });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });
    return {
      env,
      handle,
      sink,
      taskQueue,
      target: { client: env.client, taskQueue },
      async skipTo(instant) {
        const now = await env.currentTimeMs();
        if (instant > now) await env.sleep(instant - now + 60_000);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
