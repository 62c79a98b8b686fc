// The only module that calls the Temporal client for hazard workflows.
import type { Db } from '../db/client';
import { findUnstartedHazards, markWorkflowStarted, type HazardRow } from '../db/hazards.repo';
import type { CommandInput, HazardCommand } from '../domain/hazard';
import { hazardReassignedSignal, hazardStateQuery, hazardUpdates, type HazardSnapshot, type HazardWorkflowInput } from '../workflows/hazard.messages';
import { hazardWorkflowId } from '../workflows/ids';
import { SYSTEM_ACTOR } from '../domain/hazard';
import { usesWorkingDays } from '../domain/policy';
import type { WorkingCalendar } from '../domain/working-days';
import { calendarForDeadline, loadWorkingCalendar } from './working-calendar';
import { executeUpdateBounded, queryOrNull, signalIfRunning, startIdempotently, type TemporalTarget } from './temporal';


export function workflowInputFor(row: HazardRow, calendar?: WorkingCalendar): HazardWorkflowInput {
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
    ...(calendar ? { calendar: calendarForDeadline(calendar, row.deadline) } : {}),
  };
}

/** Idempotent: the ID is the business key, and a second start finds the first workflow. */
export async function startHazardWorkflow(db: Db, t: TemporalTarget, row: HazardRow): Promise<void> {
  // A policy counting working days arms its timers on the calendar in force now, kept in the input.
  const calendar = usesWorkingDays(row.policy) ? await loadWorkingCalendar(db) : undefined;
  await startIdempotently(t, 'hazardRectificationWorkflow', row.workflowId, [workflowInputFor(row, calendar)]);
  await markWorkflowStarted(db, row.id);
}

/** Sends a command as an update; refusals of the workflow's validator become DomainErrors (409, 422…). */
export async function executeHazardCommand<C extends HazardCommand>(
  t: TemporalTarget,
  hazardId: string,
  command: C,
  input: CommandInput<C>,
  updateId?: string,
): Promise<HazardSnapshot> {
  return executeUpdateBounded(t, hazardWorkflowId(hazardId), hazardUpdates[command], [input], { updateId, ended: 'the hazard process has ended' });
}

/**
 * Tells running hazard workflows that their enterprise moved (the ledger rows and their REASSIGNED
 * events are written with the roster change): from now on they take commands from the new
 * county and department. A hazard whose workflow has ended has nothing to learn.
 */
export async function reassignHazardWorkflows(t: TemporalTarget, hazardIds: string[], to: { countyCode: string; departmentCode: string }): Promise<void> {
  for (const hazardId of hazardIds) await signalIfRunning(t, hazardWorkflowId(hazardId), hazardReassignedSignal, { ...to, actor: SYSTEM_ACTOR, reason: 'roster moved the enterprise' });
}

export function queryHazard(t: TemporalTarget, hazardId: string, timeoutMs?: number): Promise<HazardSnapshot | null> {
  return queryOrNull(t, hazardWorkflowId(hazardId), hazardStateQuery, timeoutMs);
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
