// What a database error says, looking through the wrappers around it (drizzle puts the driver's
// error in `cause`): its SQLSTATE, and the classes the rest of the code acts on.

/** The error and the causes it wraps, outermost first (a few levels: wrappers, not a chain of history). */
export function* errorChain(err: unknown, depth = 5): Generator<object> {
  for (let e: unknown = err, i = 0; e && typeof e === 'object' && i < depth; e = (e as { cause?: unknown }).cause, i++) yield e;
}

/** The SQLSTATE of a pg or PGlite error, or null. */
export function sqlState(err: unknown): string | null {
  for (const e of errorChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

/** The database refused the data itself (class 22, data exception; 23, integrity violation): retrying cannot help. */
export const isRefusedData = (err: unknown): boolean => /^2[23]/.test(sqlState(err) ?? '');

/** A unique constraint or index refused the row (23505). */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === '23505';
