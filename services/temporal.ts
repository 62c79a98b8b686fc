// Temporal client mechanics shared by the per-workflow service modules: idempotent starts by
// business-key ID, queries that give up when no worker answers, refusals mapped to DomainErrors.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition, type SignalDefinition, type UpdateDefinition } from '@temporalio/common';
import { DomainError, ErrorCode, type FieldError } from '../domain/errors';

export interface TemporalTarget {
  client: Client;
  taskQueue: string;
  /** How long a command (an update) may take before the API answers 503; default 10 s. */
  commandTimeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

const isDeadline = (err: unknown): boolean =>
  err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (err instanceof Error && /deadline exceeded/i.test(err.message));

/**
 * Sends an update and waits a bounded time. Not accepted in time (no worker answers): 503, nothing
 * changed. Accepted but not complete in time (a side effect is slow): 503 too, and the command
 * completes on its own; a retry with the same `updateId` returns its result instead of running it again.
 */
export async function executeUpdateBounded<Ret, Args extends [unknown, ...unknown[]]>(
  t: TemporalTarget,
  workflowId: string,
  def: UpdateDefinition<Ret, Args>,
  args: Args,
  opts: { updateId?: string; ended: string; whenEnded?: () => Promise<Error> },
): Promise<Ret> {
  const refusal = async (err: unknown) => (opts.whenEnded && isEndedWorkflowError(err) ? await opts.whenEnded() : toDomainError(err, opts.ended));
  const deadline = Date.now() + (t.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const handle = t.client.workflow.getHandle(workflowId);
  let accepted;
  try {
    accepted = await t.client.connection.withDeadline(deadline, () => handle.startUpdate(def, { args, updateId: opts.updateId, waitForStage: WorkflowUpdateStage.ACCEPTED }));
  } catch (err) {
    if (isDeadline(err)) throw new DomainError(ErrorCode.UNAVAILABLE, 'the command was not taken in time: its process is not answering now. Nothing changed; retry later (with the same Idempotency-Key)');
    throw await refusal(err);
  }
  try {
    return await t.client.connection.withDeadline(deadline, () => accepted.result());
  } catch (err) {
    if (isDeadline(err)) {
      throw new DomainError(ErrorCode.UNAVAILABLE, `the command was accepted and will complete, but not in time to answer (update ${accepted.updateId}); read the record later, or retry with the same Idempotency-Key to get its result`);
    }
    throw await refusal(err);
  }
}

/** Starts a workflow under its business-key ID; a second start finds the first. A closed one is never started again. */
export async function startIdempotently(t: TemporalTarget, workflowType: string, workflowId: string, args: unknown[]): Promise<void> {
  try {
    await t.client.workflow.start(workflowType, {
      workflowId,
      taskQueue: t.taskQueue,
      args,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Live state, or null within `timeoutMs` when the workflow or its worker does not answer (the ledger still serves the read). */
export async function queryOrNull<T>(t: TemporalTarget, workflowId: string, query: QueryDefinition<T>, timeoutMs = 3000): Promise<T | null> {
  try {
    return await t.client.connection.withDeadline(Date.now() + timeoutMs, () => t.client.workflow.getHandle(workflowId).query(query));
  } catch {
    return null;
  }
}

/** An update sent to a workflow that has completed (or never existed under that ID). */
export function isEndedWorkflowError(err: unknown): boolean {
  // Updates on a completed workflow fail with NOT_FOUND or "workflow execution already completed".
  return err instanceof WorkflowNotFoundError || (err instanceof Error && /workflow execution already completed/i.test(err.message));
}

/** Signals a workflow; one that has ended (or never ran under that ID) has nothing left to learn, which is not an error. */
export async function signalIfRunning<Args extends unknown[]>(t: TemporalTarget, workflowId: string, signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
  try {
    await t.client.workflow.getHandle(workflowId).signal(signal, ...args);
  } catch (err) {
    if (!isEndedWorkflowError(err)) throw err;
  }
}

/** Maps a failed update to a DomainError: the validator's refusal keeps its code and fields. */
export function toDomainError(err: unknown, ended: string): unknown {
  if (isEndedWorkflowError(err)) return new DomainError(ErrorCode.ILLEGAL_TRANSITION, ended);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    const code = Object.values(ErrorCode).find((c) => c === failure.type) ?? ErrorCode.INTERNAL;
    const details = failure.details?.[0];
    return new DomainError(code, failure.message, Array.isArray(details) ? (details as FieldError[]) : []);
  }
  return err;
}
