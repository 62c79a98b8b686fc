// Classifies database errors for activities: data the database refuses (SQLSTATE classes 22,
// data exception, and 23, integrity violation) cannot heal by retrying and becomes a
// non-retryable LEDGER_REJECTED; anything else (connection lost, server restarting) is retried.
import { ApplicationFailure } from '@temporalio/activity';
import { isRefusedData, sqlState } from '../db/errors';
import { SideEffectErrorType } from '../domain/delivery';

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
