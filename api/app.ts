// The API as a Fastify plugin: server.ts, the embedded start and the tests all register this.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client';
import auth from './plugins/auth';
import type { KeyIndexOptions } from './plugins/key-index';
import errors from './plugins/errors';
import swagger from './plugins/swagger';
import { healthRoutes } from './routes/health.routes';
import { campaignRoutes } from './routes/campaigns.routes';
import { hazardRoutes, hazardSchemas } from './routes/hazards.routes';
import { ledgerRoutes } from './routes/ledger.routes';
import { referenceRoutes } from './routes/reference.routes';
import type { TemporalTarget } from '../services/temporal';

export interface AppDeps {
  db: Db;
  temporal: TemporalTarget;
  /** The in-memory API key index (refresh interval…); production defaults when absent. */
  keys?: KeyIndexOptions;
}

export const app: FastifyPluginAsyncTypebox<AppDeps> = async (fastify, deps) => {
  await fastify.register(errors);
  await fastify.register(swagger);
  await fastify.register(auth, { db: deps.db, keys: deps.keys });
  for (const schema of hazardSchemas) fastify.addSchema(schema);
  await fastify.register(healthRoutes, deps);
  await fastify.register(
    async (v1) => {
      await v1.register(hazardRoutes, deps);
      await v1.register(referenceRoutes, deps);
      await v1.register(ledgerRoutes, deps);
      await v1.register(campaignRoutes, deps);
    },
    { prefix: '/v1' },
  );
};

/** Fastify options every instance of the app needs (tests use them too). */
export const fastifyOptions = {
  // Report unknown fields instead of silently dropping them: bad input gets a clear error.
  ajv: { customOptions: { removeAdditional: false, allErrors: true } },
  trustProxy: true,
} as const;
