// The worker process: config, connection, worker, graceful shutdown on SIGINT/SIGTERM.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, type AppConfig } from '../config';
import { createMailer } from '../activities/mailer';
import { createDb, type DbHandle } from '../db/client';
import { webhookTaskQueue } from '../services/webhook.service';
import { createHazardWorker, createWebhookDeliveryWorker } from './worker';

/** Runs a worker until `signal` aborts; the embedded start shares the database handle. */
export async function runWorker(config: AppConfig, db: DbHandle, signal: AbortSignal): Promise<void> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Activities start and signal workflows too (campaign fan-out, findings become hazards).
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const mailer = createMailer(config.smtpUrl, join(config.dataDir, 'mail'), (line) => console.log(`[mail] ${line}`));
  try {
    const deps = {
      db: db.db,
      mailer,
      mail: { from: config.mailFrom, officeEmails: config.officeEmails, publicUrl: config.publicUrl },
      temporal: { client, taskQueue: config.temporal.taskQueue },
      webhooks: { targets: { allowLoopback: config.webhooks.allowLoopback, allowPrivate: config.webhooks.allowPrivate }, attemptTimeoutMs: config.webhooks.attemptTimeoutMs },
    };
    const worker = await createHazardWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps, tuning: config.worker });
    const webhooks = await createWebhookDeliveryWorker({ connection, namespace: config.temporal.namespace, taskQueue: webhookTaskQueue(config.temporal.taskQueue), deps });
    // Aborted already (a start that failed while the worker was being built): stop at once, not never.
    const stopped = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.all([worker.runUntil(stopped), webhooks.runUntil(stopped)]);
  } finally {
    mailer.close();
    await clientConnection.close();
    await connection.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  if (config.databaseUrl.startsWith('pglite:')) {
    console.error('The worker alone needs a shared database: set DATABASE_URL=postgres://… (the embedded start runs everything in one process).');
    process.exit(2);
  }
  Runtime.install({ shutdownSignals: [] });
  // Up to 100 activities run at once, most of them a query or two: a pool of 10 made them queue.
  const db = await createDb(config.databaseUrl, { poolSize: 40 });
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  await runWorker(config, db, stop.signal);
  await db.close();
}
