import { Type, type Static } from 'typebox';

/** RFC 9457 problem details, with the fields at fault. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem>;

export const problemRef = Type.Ref('Problem');
/** A problem answer as the API sends it: RFC 9457's media type, application/problem+json. */
const problem = (description: string, headers?: Record<string, object>) => ({ description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: problemRef } } });
/**
 * The error responses every authenticated route can give: 413 (body too large), 415 (not JSON),
 * 429 (rate limit, with Retry-After), 431 (URL and headers over 16 KiB), 500 (logged, details hidden), 503 (Temporal or the database
 * not answering in time).
 */
export const errorResponses = {
  400: problem('the request does not match this schema (the fields at fault are named)'),
  401: problem('no API key, or an unknown, revoked or expired one'),
  403: problem('the key’s role may not do this'),
  404: problem('no such resource within the key’s scope'),
  409: problem('the resource’s state does not allow this now'),
  413: problem('the body is larger than the limit'),
  415: problem('the body is not JSON'),
  422: problem('the input is well formed but refused (the fields at fault are named)'),
  429: problem('too many requests for this key', { 'retry-after': { type: 'integer', minimum: 1, description: 'seconds until the key may send again' } }),
  431: problem('the request line and headers are larger than 16 KiB (a query string too long); the URL is not read'),
  500: problem('an unexpected error, logged; details are not disclosed'),
  503: problem('Temporal or the database did not answer in time; retry'),
};

/**
 * Multi-line text Postgres can store: anything but U+0000 (tabs and line breaks are fine). The
 * pattern puts it in the OpenAPI document so clients and fuzzers know; api/plugins/input-guard.ts
 * refuses it on every route, and lone UTF-16 surrogates too (left out of the pattern: generators
 * such as schemathesis cannot use a surrogate range, and valid UTF-8 never carries one).
 */
export const TEXT_PATTERN = '^[^\\u0000]*$';
/** One line: no C0/C1 control characters either (a name ends up in a mail subject or header). */
export const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';

/** What a failed Text or SingleLine pattern means, in the words of a problem's `reason`. */
export function patternReason(pattern: unknown): string | undefined {
  if (pattern === SINGLE_LINE_PATTERN) return 'must be one line without control characters';
  if (pattern === TEXT_PATTERN) return 'must not contain U+0000';
  return undefined;
}

type Bounds = { maxLength: number; minLength?: number; description?: string };

/** Free text over several lines: descriptions, measures, evidence, notes, reasons. */
export const Text = (b: Bounds) => Type.String({ ...b, pattern: TEXT_PATTERN });
/** A name, code, title or location: one line, no control characters. */
export const SingleLine = (b: Bounds) => Type.String({ ...b, pattern: SINGLE_LINE_PATTERN });

/** Largest value of a Postgres `integer` column. */
export const INT4_MAX = 2_147_483_647;

/** Same key, same body: the same answer; another body: 422. */
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(SingleLine({ minLength: 1, maxLength: 200 })) });

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const Person = Type.Object(
  {
    name: SingleLine({ minLength: 1, maxLength: 100 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(SingleLine({ minLength: 3, maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]*$', description: 'nextCursor of the previous page' })),
};

export const encodeCursor = (c: object): string => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor<T>(cursor: string | undefined, guard: (v: unknown) => v is T): T | undefined | null {
  if (cursor === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return guard(v) ? v : null;
  } catch {
    return null;
  }
}
