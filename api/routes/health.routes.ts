import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import type { TemporalTarget } from '../../services/temporal';

const Health = Type.Object({ status: Type.Enum(['ok', 'degraded']), database: Type.Boolean(), temporal: Type.Boolean() });

async function within<T>(ms: number, work: Promise<T>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['health'], summary: 'Temporal and the database are reachable', security: [], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const [database, temporalOk] = await Promise.all([
        within(2000, db.execute(sql`select 1`)),
        within(2000, temporal.client.workflowService.getSystemInfo({})),
      ]);
      const ok = database && temporalOk;
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, temporal: temporalOk });
    },
  );
};
