// The API as a Fastify plugin: server.ts, the embedded start and the tests all register this.
import AjvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../domain/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client';
import auth from './plugins/auth';
import type { KeyIndexOptions } from './plugins/key-index';
import errors, { answerClientError, sendProblem } from './plugins/errors';
import idempotency from './plugins/idempotency';
import inputGuard from './plugins/input-guard';
import limits from './plugins/limits';
import swagger from './plugins/swagger';
import { healthRoutes } from './routes/health.routes';
import { calendarRoutes } from './routes/calendar.routes';
import { riskMapRoutes } from './routes/risk-map.routes';
import { rosterXlsxRoutes } from './routes/roster-xlsx.routes';
import { exportRoutes } from './routes/exports.routes';
import { campaignRoutes } from './routes/campaigns.routes';
import { campaignTemplateRoutes } from './routes/campaign-templates.routes';
import { CampaignTemplateSchema } from './schemas/campaign-template';
import { caseRoutes } from './routes/cases.routes';
import { recordRoutes } from './routes/record.routes';
import { hazardRoutes, hazardSchemas } from './routes/hazards.routes';
import { orderRoutes, orderSchemas } from './routes/orders.routes';
import { ledgerRoutes } from './routes/ledger.routes';
import { rankingRoutes } from './routes/ranking.routes';
import { circularRoutes } from './routes/circulars.routes';
import { campaignReportRoutes } from './routes/campaign-report.routes';
import { referenceRoutes } from './routes/reference.routes';
import { webhookRoutes } from './routes/webhooks.routes';
import { webhookSchemas } from './schemas/webhooks';
import { defaultWebhookSettings, type WebhookSettings } from '../services/webhook.service';
import type { TargetPolicy } from '../domain/webhooks';
import { authRoutes } from './routes/auth.routes';
import { userRoutes } from './routes/users.routes';
import type { TemporalTarget } from '../services/temporal';
import { DEFAULT_LIMITS, type ApiLimits, type AuthSettings } from '../config';

export interface AppDeps {
  db: Db;
  temporal: TemporalTarget;
  /** Rate limits (config/index.ts); production defaults when absent. Tests that write a lot raise them. */
  limits?: Partial<ApiLimits>;
  /** The in-memory API key index (refresh interval…); production defaults when absent. */
  keys?: KeyIndexOptions;
  /** Webhook delivery settings (config/webhooks.ts); production defaults (public targets only) when absent. */
  webhooks?: Partial<WebhookSettings> & { targets?: TargetPolicy };
  /** People's sign-in: lockout, session lifetimes, cookie flags (config/index.ts); defaults when absent. */
  auth?: Partial<AuthSettings>;
}

export const app: FastifyPluginAsyncTypebox<AppDeps> = async (fastify, deps) => {
  await fastify.register(errors);
  await fastify.register(limits, { limits: deps.limits });
  await fastify.register(inputGuard);
  await fastify.register(swagger);
  await fastify.register(auth, { db: deps.db, keys: deps.keys, auth: deps.auth });
  await fastify.register(idempotency, { db: deps.db });
  for (const schema of [...hazardSchemas, ...orderSchemas, CampaignTemplateSchema, ...webhookSchemas]) fastify.addSchema(schema);
  await fastify.register(healthRoutes, deps);
  await fastify.register(
    async (v1) => {
      await v1.register(hazardRoutes, deps);
      await v1.register(calendarRoutes, deps);
      await v1.register(riskMapRoutes, deps);
      await v1.register(rosterXlsxRoutes, deps);
      await v1.register(exportRoutes, deps);
      await v1.register(referenceRoutes, deps);
      await v1.register(ledgerRoutes, deps);
      await v1.register(campaignTemplateRoutes, deps);
      await v1.register(campaignRoutes, deps);
      await v1.register(rankingRoutes, deps);
      await v1.register(circularRoutes, deps);
      await v1.register(campaignReportRoutes, deps);
      await v1.register(orderRoutes, deps);
      await v1.register(caseRoutes, deps);
      await v1.register(recordRoutes, deps);
      await v1.register(webhookRoutes, {
        ...deps,
        webhooks: { ...defaultWebhookSettings(deps.temporal.taskQueue), targets: { allowLoopback: false, allowPrivate: false }, ...deps.webhooks },
      });
      await v1.register(authRoutes, deps);
      await v1.register(userRoutes, deps);
    },
    { prefix: '/v1' },
  );
};

const ajvPool = AjvCompiler();
/**
 * Query strings, path params and headers arrive as text, so their values are coerced ("50" is a
 * limit of 50). A JSON body is never coerced: "12000" for a number, or [x] for x, is the client's
 * mistake and gets a 400 naming the field.
 */
const buildValidator: ValidatorFactory = (externalSchemas, options) => {
  const coercing = ajvPool(externalSchemas, options);
  const ajvOptions = (options ?? {}) as { customOptions?: object };
  const strict = ajvPool(externalSchemas, { ...ajvOptions, customOptions: { ...ajvOptions.customOptions, coerceTypes: false } });
  return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
};

/** Fastify options every instance of the app needs (tests use them too). */
export const fastifyOptions = {
  // Report unknown fields instead of silently dropping them: bad input gets a clear error.
  ajv: { customOptions: { removeAdditional: false, allErrors: true } },
  // Client IPs (rate-limit keys without an API key) come from X-Forwarded-For only behind a
  // configured proxy (TRUST_PROXY); otherwise anyone could pick their own key by sending the header.
  trustProxy: false,
  bodyLimit: DEFAULT_LIMITS.bodyLimitBytes,
  schemaController: { compilersFactory: { buildValidator } },
  // Errors Fastify answers before any plugin runs (a path with malformed percent-encoding): problem JSON too.
  frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    void sendProblem(request, reply, 400, ErrorCode.VALIDATION_FAILED, error.message, [{ field: 'url', reason: 'is not valid percent-encoded UTF-8' }]);
  },
  // Before that, what Node's HTTP parser refuses (a URL and headers over 16 KiB: 431): problem JSON as well.
  clientErrorHandler: answerClientError,
};
