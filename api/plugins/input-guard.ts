// Input a store cannot hold is refused at the edge, for every route at once: Postgres text and
// jsonb cannot hold U+0000, jsonb refuses lone UTF-16 surrogates (JSON.stringify writes them as
// \ud800 escapes), and JSON nested without end overflows the stack of whatever walks it next.
// Schemas say the same per field (api/schemas/common.ts); this hook also covers object keys,
// untyped bodies (campaign templates, roster rows, duty figures) and headers, and it runs before
// validation, so no handler ever sees such a value and nothing changes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { invalidInput } from '../../domain/errors';
import { MAX_REPORTED, unstorableFields } from '../../domain/text';

/** What the walker finds in one part of the request, named as api/plugins/errors.ts names fields (`body` unprefixed). */
export const findUnstorable = (value: unknown, context: string) => unstorableFields(value, context === 'body' ? '' : context);

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A body array whose items the route checks one by one with findUnstorable (the roster import:
     * one bad row fails that row, not the file). The rest of the body is checked here.
     */
    rowsCheckedByRoute?: string;
  }
}

function bodyToCheck(request: FastifyRequest): unknown {
  const rows = request.routeOptions.config?.rowsCheckedByRoute;
  const body = request.body;
  if (!rows || !body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray((body as Record<string, unknown>)[rows])) return body;
  return { ...body, [rows]: [] };
}

function check(request: FastifyRequest): void {
  const errors = [
    ...findUnstorable(request.params, 'params'),
    ...findUnstorable(request.query, 'querystring'),
    ...findUnstorable(request.headers, 'headers'),
    ...findUnstorable(bodyToCheck(request), 'body'),
  ];
  if (errors.length > 0) throw invalidInput(errors.slice(0, MAX_REPORTED));
}

export default fp(
  async (app: FastifyInstance) => {
    // JSON only: Fastify's default text/plain parser would hand a string to schemas that expect objects.
    app.removeContentTypeParser('text/plain');
    // preValidation: after the body is parsed, before the schema and every handler.
    app.addHook('preValidation', async (request) => check(request));
  },
  { name: 'input-guard', dependencies: ['errors'] },
);
