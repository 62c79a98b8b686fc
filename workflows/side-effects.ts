// How workflows treat side effects that must not gate the next step (mail), and ledger writes
// whose data the database refuses. Deterministic: only SDK primitives.
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, log } from '@temporalio/workflow';
import { SideEffectErrorType } from '../domain/delivery';
import { storable } from '../domain/text';

/**
 * Side effects started without waiting for them: the workflow's timers go on while a mail is
 * retried. The workflow waits for `idle` only before it ends or continues as new, so no started
 * effect is abandoned. A failure is logged, never thrown: the outbox row shows it to the office.
 */
export class Background {
  private readonly pending = new Set<Promise<void>>();

  /** `gaveUp` records a failure the effect could not record itself (its last attempt timed out). */
  start(what: string, attrs: Record<string, unknown>, effect: Promise<unknown>, gaveUp?: (reason: string) => Promise<unknown> | undefined): void {
    const tracked: Promise<void> = effect.then(
      (result) => {
        const status = (result as { status?: string } | undefined)?.status;
        if (status === 'FAILED' || status === 'PARTIALLY_SENT') log.warn(`${what}: ${status}`, attrs);
      },
      async (err: unknown) => {
        const reason = failureReason(err);
        log.error(`${what} failed`, { ...attrs, error: reason });
        await gaveUp?.(reason)?.catch((again: unknown) => log.error(`${what}: recording the failure failed`, { ...attrs, error: failureReason(again) }));
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** No started effect running and no message handler half-done. */
  get quiet(): boolean {
    return this.idle && allHandlersFinished();
  }

  /** Before a run ends: nothing abandoned, no handler cut short. */
  settled(): Promise<void> {
    return condition(() => this.quiet);
  }

  /**
   * Whether the run may continue as new now. Waits until quiet (continuing as new with a mail in
   * flight would abandon its retries), but no longer than `wakeAt()` as it stands now, nor past a
   * wake-up a message brings forward or `interrupted()`: a timer is never held back. False: try
   * again at the next wake.
   */
  async quietBefore(wakeAt: () => number, interrupted: () => boolean): Promise<boolean> {
    const dueAt = wakeAt();
    const stop = () => interrupted() || wakeAt() < dueAt;
    const ready = () => this.quiet || stop();
    const reached = Number.isFinite(dueAt) ? await condition(ready, Math.max(1, dueAt - Date.now())) : await condition(ready).then(() => true);
    return reached && !stop() && this.quiet;
  }
}

/** The innermost message of a failure chain: an activity failure's cause says what went wrong. */
export function failureReason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The reason of an activity failure that cannot heal (the ledger refused the data: LEDGER_REJECTED,
 * or the activity refused its input), else null: what retries without limit only comes back so.
 */
export function permanentFailure(err: unknown): string | null {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && (err.cause.type === SideEffectErrorType.LEDGER_REJECTED || err.cause.nonRetryable)) {
    return err.cause.message;
  }
  return null;
}

/**
 * Writes entries; if the database refuses their data for good, writes them again made storable
 * and marked with the refusal, so the step is on the ledger (visibly) and the workflow goes on.
 */
export async function writeOrMark<E extends { data: Record<string, unknown> }>(write: (entries: E[]) => Promise<unknown>, entries: E[], what: Record<string, unknown>): Promise<void> {
  try {
    await write(entries);
  } catch (err) {
    const reason = permanentFailure(err);
    if (reason === null) throw err;
    log.error('ledger refused the data of a step; recording the step without it', { ...what, reason });
    try {
      await write(entries.map((e) => storable({ ...e, data: { ...e.data, ledgerRefused: reason.slice(0, 500) } })));
    } catch (again) {
      if (permanentFailure(again) === null) throw again;
      log.error('ledger refused the step itself', { ...what, reason: permanentFailure(again) });
    }
  }
}
