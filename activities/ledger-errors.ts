// Classifies database errors for activities: data the database refuses (SQLSTATE classes 22,
// data exception, and 23, integrity violation) cannot heal by retrying and becomes a
// non-retryable LEDGER_REJECTED; anything else (connection lost, server restarting) is retried.
import { ApplicationFailure } from '@temporalio/activity';
import { SideEffectErrorType } from '../domain/delivery';

/** The SQLSTATE of a pg or PGlite error, also when drizzle wraps it (`cause`). */
export function sqlState(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

export const isRefusedData = (err: unknown): boolean => /^2[23]/.test(sqlState(err) ?? '');

/** Runs a ledger write; a refusal of its data is rethrown as non-retryable, with the database's reason. */
export async function ledgerWrite<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isRefusedData(err)) throw err;
    const cause = (err as { cause?: { message?: string } }).cause;
    const reason = cause?.message ?? (err instanceof Error ? err.message : String(err));
    throw ApplicationFailure.nonRetryable(`${what}: the database refused the data (${sqlState(err)}: ${reason.slice(0, 300)})`, SideEffectErrorType.LEDGER_REJECTED);
  }
}
