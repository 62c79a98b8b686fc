// The only module that calls the Temporal client for hazard workflows.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import { findUnstartedHazards, markWorkflowStarted, type HazardRow } from '../db/hazards.repo';
import { DomainError, ErrorCode, type FieldError } from '../domain/errors';
import type { CommandInput, HazardCommand } from '../domain/hazard';
import { hazardStateQuery, hazardUpdates, type HazardSnapshot, type HazardWorkflowInput } from '../workflows/hazard.messages';
import { hazardWorkflowId } from '../workflows/ids';

export interface TemporalTarget {
  client: Client;
  taskQueue: string;
}

export function workflowInputFor(row: HazardRow): HazardWorkflowInput {
  return {
    hazardId: row.id,
    grade: row.grade,
    enterpriseId: row.enterpriseId,
    countyCode: row.countyCode,
    departmentCode: row.departmentCode,
    deadline: row.deadline.toISOString(),
    timeZone: row.timeZone,
    policy: row.policy,
    reportedBy: row.reportedBy,
  };
}

/** Idempotent: the ID is the business key, and a second start finds the first workflow. */
export async function startHazardWorkflow(db: Db, t: TemporalTarget, row: HazardRow): Promise<void> {
  try {
    await t.client.workflow.start('hazardRectificationWorkflow', {
      workflowId: row.workflowId,
      taskQueue: t.taskQueue,
      args: [workflowInputFor(row)],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A closed hazard's workflow is never started again under the same ID.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  await markWorkflowStarted(db, row.id);
}

/** Sends a command as an update; refusals of the workflow's validator become DomainErrors (409, 422…). */
export async function executeHazardCommand<C extends HazardCommand>(
  t: TemporalTarget,
  hazardId: string,
  command: C,
  input: CommandInput<C>,
): Promise<HazardSnapshot> {
  const handle = t.client.workflow.getHandle(hazardWorkflowId(hazardId));
  try {
    return await handle.executeUpdate(hazardUpdates[command], { args: [input] });
  } catch (err) {
    throw toDomainError(err);
  }
}

/** Live state, or null within `timeoutMs` when no worker answers (the ledger row still serves the read). */
export async function queryHazard(t: TemporalTarget, hazardId: string, timeoutMs = 3000): Promise<HazardSnapshot | null> {
  try {
    return await t.client.connection.withDeadline(Date.now() + timeoutMs, () =>
      t.client.workflow.getHandle(hazardWorkflowId(hazardId)).query(hazardStateQuery),
    );
  } catch {
    // The ledger row stays readable when the workflow is closed or the worker is down.
    return null;
  }
}

export function toDomainError(err: unknown): unknown {
  if (err instanceof WorkflowNotFoundError) return new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'the hazard process has ended');
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    const code = Object.values(ErrorCode).find((c) => c === failure.type) ?? ErrorCode.INTERNAL;
    const details = failure.details?.[0];
    return new DomainError(code, failure.message, Array.isArray(details) ? (details as FieldError[]) : []);
  }
  // Updates on a completed workflow fail with a gRPC NOT_FOUND/FAILED_PRECONDITION.
  if (err instanceof Error && /workflow execution already completed/i.test(err.message)) {
    return new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'the hazard process has ended');
  }
  return err;
}

/**
 * Starts the workflows of ledger rows that never got one (a crash between the insert and the
 * start). Returns how many it started. Safe to run anywhere, any time: starts are idempotent.
 */
export async function reconcileHazards(db: Db, t: TemporalTarget, opts: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await findUnstartedHazards(db, new Date(Date.now() - (opts.olderThanMs ?? 30_000)), opts.limit ?? 500);
  for (const row of rows) await startHazardWorkflow(db, t, row);
  return rows.length;
}
