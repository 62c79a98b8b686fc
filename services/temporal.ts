// Temporal client mechanics shared by the per-workflow service modules: idempotent starts by
// business-key ID, queries that give up when no worker answers, refusals mapped to DomainErrors.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition } from '@temporalio/common';
import { DomainError, ErrorCode, type FieldError } from '../domain/errors';

export interface TemporalTarget {
  client: Client;
  taskQueue: string;
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
