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
/**
 * The error responses every authenticated route can give: 413 (body too large), 415 (not JSON),
 * 429 (rate limit, with Retry-After), 500 (logged, details hidden), 503 (Temporal or the database
 * not answering in time).
 */
export const errorResponses = {
  400: problemRef,
  401: problemRef,
  403: problemRef,
  404: problemRef,
  409: problemRef,
  413: problemRef,
  415: problemRef,
  422: problemRef,
  429: problemRef,
  500: problemRef,
  503: problemRef,
};

/**
 * Multi-line text Postgres can store: anything but U+0000 and lone UTF-16 surrogates (tabs and
 * line breaks are fine). api/plugins/input-guard.ts refuses the same on every route; the pattern
 * puts it in the OpenAPI document so clients and fuzzers know.
 */
export const TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';
/** One line: no C0/C1 control characters either (a name ends up in a mail subject or header). */
export const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$';

/** What a failed Text or SingleLine pattern means, in the words of a problem's `reason`. */
export function patternReason(pattern: unknown): string | undefined {
  if (pattern === SINGLE_LINE_PATTERN) return 'must be one line without control characters, U+0000 or lone surrogates';
  if (pattern === TEXT_PATTERN) return 'must not contain U+0000 or lone surrogates';
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
