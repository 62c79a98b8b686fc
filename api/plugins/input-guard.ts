// Input a store cannot hold is refused at the edge, for every route at once: Postgres text and
// jsonb cannot hold U+0000, jsonb refuses lone UTF-16 surrogates (JSON.stringify writes them as
// \ud800 escapes), and JSON nested without end overflows the stack of whatever walks it next.
// Schemas say the same per field (api/schemas/common.ts); this hook also covers object keys,
// untyped bodies (campaign templates, roster rows, duty figures) and headers, and it runs before
// validation, so no handler ever sees such a value and nothing changes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { invalidInput, type FieldError } from '../../domain/errors';

/** Deeper than any shape the API declares; the untyped bodies get the same bound. */
export const MAX_NESTING = 32;
/** Enough to name every bad field of a form; a hostile body does not get a megabyte of errors back. */
const MAX_REPORTED = 20;

const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null when it can. */
export function unstorable(text: string): string | null {
  if (text.includes(NUL)) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

/** A field name as the problem shows it: bad characters of a hostile key are escaped, not echoed. */
const printable = (key: string) => key.replace(/[\u0000-\u001f\u007f-\u009f\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const join = (base: string, key: string) => (base ? `${base}.${printable(key)}` : printable(key));

/**
 * Every unstorable string and key under `value`, with field names as api/plugins/errors.ts writes
 * them (`a.b[0].c`, prefixed by the context unless it is the body). Iterative: depth is bounded
 * by MAX_NESTING, not by the call stack.
 */
export function findUnstorable(value: unknown, context: string): FieldError[] {
  const out: FieldError[] = [];
  const stack: { v: unknown; field: string; depth: number }[] = [{ v: value, field: context === 'body' ? '' : context, depth: 0 }];
  while (stack.length > 0 && out.length < MAX_REPORTED) {
    const { v, field, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unstorable(v);
      if (reason) out.push({ field: field || context, reason });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING) {
      out.push({ field: field || context, reason: `nests deeper than ${MAX_NESTING} levels` });
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], field: `${field}[${i}]`, depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const reason = unstorable(key);
      if (reason) out.push({ field: join(field, key), reason: `(a field name) ${reason}` });
      stack.push({ v: child, field: join(field, key), depth: depth + 1 });
    }
  }
  return out.slice(0, MAX_REPORTED);
}

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
