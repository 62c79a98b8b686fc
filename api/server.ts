// The API process: read config, connect, listen, close gracefully. Everything else is app.ts.
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loadConfig, type AppConfig } from '../config';
import { createDb, type DbHandle } from '../db/client';
import { ensureBootstrapAdmin } from '../db/reference.repo';
import { app, fastifyOptions } from './app';
import consolePlugin from './plugins/console';
import { reconcileCampaigns } from '../services/campaign.service';
import { reconcileHazards } from '../services/hazard.service';
import { reconcileOrders } from '../services/order.service';
import { reconcileCases } from '../services/case-reconcile';
import { reconcileCirculars } from '../services/circular.service';
import { syncHazardScopes } from '../services/hazard-scope';
import { loadBuiltInTemplates, type BuiltInLoad } from '../services/builtin-templates';
import { startWebhookWaker, webhookTaskQueue, type WebhookSettings } from '../services/webhook.service';
import type { TargetPolicy } from '../domain/webhooks';

export interface RunningApi {
  fastify: FastifyInstance;
  /** Set when this start generated the first admin key: show it once. */
  generatedAdminKey: string | null;
  /** BOOTSTRAP_ADMIN_KEY names a key that was revoked: it stays revoked. */
  bootstrapKeyRevoked: boolean;
  /** The built-in campaign templates and what this start did with each. */
  templates: BuiltInLoad[];
  close(): Promise<void>;
}

export async function startApi(config: AppConfig, db: DbHandle): Promise<RunningApi> {
  const connection = await Connection.connect({ address: config.temporal.address });
  const fastify = Fastify({ ...fastifyOptions, trustProxy: config.trustProxy, bodyLimit: config.limits.bodyLimitBytes, logger: { level: config.logLevel } }).withTypeProvider<TypeBoxTypeProvider>();
  try {
    return await listenWith(config, db, connection, fastify);
  } catch (err) {
    // A start that fails leaves nothing open behind it.
    await fastify.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    throw err;
  }
}

async function listenWith(config: AppConfig, db: DbHandle, connection: Connection, fastify: FastifyInstance): Promise<RunningApi> {
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const temporal = { client, taskQueue: config.temporal.taskQueue, commandTimeoutMs: config.commandTimeoutSeconds * 1000 };
  // Before the app loads its key index, so the bootstrap key is in it from the first request.
  const admin = await ensureBootstrapAdmin(db.db, config.bootstrapAdminKey);
  if (admin.revoked) fastify.log.warn('BOOTSTRAP_ADMIN_KEY names a revoked key: it stays revoked; use another admin key, or configure a new BOOTSTRAP_ADMIN_KEY');
  // The Datong plan, ready to launch. Content stored earlier under the same version stays: campaigns may run on it.
  const templates = await loadBuiltInTemplates(db.db);
  for (const t of templates) {
    if (t.outcome === 'created') fastify.log.info({ template: t }, `stored the built-in campaign template ${t.key} v${t.version}`);
    if (t.outcome === 'conflict') {
      fastify.log.warn(
        { template: t },
        `campaign template ${t.key} v${t.version} is stored with other content than the built-in one (stored before the template rules changed); it is kept as stored. To offer the new content, publish it as a new version (README: Built-in templates)`,
      );
    }
  }
  const webhooks = webhookSettingsOf(config);
  await fastify.register(app, { db: db.db, temporal, limits: config.limits, webhooks, auth: config.auth });
  // The office console (web/dist, built by `npm start` and the test setup) at / beside the API.
  await fastify.register(consolePlugin);

  // Ledger rows whose workflow never started (a crash between the two writes) are picked up here.
  const reconcile = () =>
    Promise.all([
      reconcileHazards(db.db, temporal),
      reconcileCampaigns(db.db, temporal),
      // Cases: rows without their workflow, review records and findings against units without their case.
      reconcileCases(db.db, temporal, { onError: (err, item) => fastify.log.warn({ err, item }, 'case reconciliation failed for one item; will retry') }),
      reconcileOrders(db.db, temporal),
      // Published circulars whose mailing Temporal refused to start.
      reconcileCirculars(db.db, temporal),
    ]).then(
      ([hazards, campaigns, cases, orders, circulars]) =>
        hazards + campaigns + cases.started + cases.reviews + cases.findings + orders + circulars > 0 &&
        fastify.log.info({ hazards, campaigns, cases, orders, circulars }, 'reconciled ledger rows without a workflow'),
      (err: unknown) => fastify.log.warn({ err }, 'reconciliation failed; will retry'),
    );
  // Hazards a roster move left with a workflow not told its new scope yet (Temporal was down) are told here.
  const syncScopes = () =>
    syncHazardScopes(db.db, temporal, { olderThanMs: 30_000 }).then(
      (n) => n > 0 && fastify.log.info({ hazards: n }, 'told hazard workflows their new scope'),
      (err: unknown) => fastify.log.warn({ err }, 'scope sync failed; will retry'),
    );
  await fastify.listen({ host: config.host, port: config.port });
  void reconcile().then(syncScopes);
  const timer = config.reconcileIntervalSeconds > 0 ? setInterval(() => void reconcile().then(syncScopes), config.reconcileIntervalSeconds * 1000) : null;
  timer?.unref();
  // Settled events wake the delivery workflows of the endpoints that may see them.
  const stopWaker =
    config.webhooks.wakeIntervalMs > 0 ? startWebhookWaker(db.db, temporal, webhooks, config.webhooks.wakeIntervalMs, (err) => fastify.log.warn({ err }, 'webhook waker pass failed; will retry')) : null;
  return {
    fastify,
    generatedAdminKey: admin.created && !config.bootstrapAdminKey ? admin.secret : null,
    bootstrapKeyRevoked: admin.revoked === true,
    templates,
    async close() {
      if (timer) clearInterval(timer);
      stopWaker?.();
      await fastify.close();
      await connection.close();
    },
  };
}

/** Webhook delivery as configured (config/webhooks.ts): the routes and the waker start workflows with it. */
export function webhookSettingsOf(config: AppConfig): WebhookSettings & { targets: TargetPolicy } {
  return {
    retry: config.webhooks.retry,
    attemptTimeoutMs: config.webhooks.attemptTimeoutMs,
    pollIntervalMs: config.webhooks.pollIntervalMs,
    deliveryTaskQueue: webhookTaskQueue(config.temporal.taskQueue),
    targets: { allowLoopback: config.webhooks.allowLoopback, allowPrivate: config.webhooks.allowPrivate },
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
