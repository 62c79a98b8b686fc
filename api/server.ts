// The API process: read config, connect, listen, close gracefully. Everything else is app.ts.
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loadConfig, type AppConfig } from '../config';
import { createDb, type DbHandle } from '../db/client';
import { ensureBootstrapAdmin } from '../db/reference.repo';
import { app, fastifyOptions } from './app';
import { reconcileHazards } from '../services/hazard.service';

export interface RunningApi {
  fastify: FastifyInstance;
  /** Set when this start generated the first admin key: show it once. */
  generatedAdminKey: string | null;
  close(): Promise<void>;
}

export async function startApi(config: AppConfig, db: DbHandle): Promise<RunningApi> {
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const temporal = { client, taskQueue: config.temporal.taskQueue };
  const fastify = Fastify({ ...fastifyOptions, logger: { level: config.logLevel } }).withTypeProvider<TypeBoxTypeProvider>();
  await fastify.register(app, { db: db.db, temporal });
  const admin = await ensureBootstrapAdmin(db.db, config.bootstrapAdminKey);

  // Ledger rows whose workflow never started (a crash between the two writes) are picked up here.
  const reconcile = () =>
    reconcileHazards(db.db, temporal).then(
      (n) => n > 0 && fastify.log.info({ started: n }, 'reconciled hazards without a workflow'),
      (err: unknown) => fastify.log.warn({ err }, 'reconciliation failed; will retry'),
    );
  void reconcile();
  const timer = config.reconcileIntervalSeconds > 0 ? setInterval(() => void reconcile(), config.reconcileIntervalSeconds * 1000) : null;
  timer?.unref();

  await fastify.listen({ host: config.host, port: config.port });
  return {
    fastify,
    generatedAdminKey: admin.created && !config.bootstrapAdminKey ? admin.secret : null,
    async close() {
      if (timer) clearInterval(timer);
      await fastify.close();
      await connection.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const db = await createDb(config.databaseUrl);
  const api = await startApi(config, db);
  if (api.generatedAdminKey) console.log(`First admin API key (shown once, store it now): ${api.generatedAdminKey}`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void api.close().then(() => db.close());
    });
  }
}
