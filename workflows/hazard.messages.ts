// Message definitions of the hazard rectification workflow. Wire names are camelCase
// and are never renamed once deployed: running workflows answer to them.
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CommandInput, HazardCommand, HazardGrade, HazardState, PendingExtension } from '../domain/hazard';
import type { HazardPolicy, TimerEvent } from '../domain/policy';
import type { WorkingCalendar } from '../domain/working-days';

export interface HazardWorkflowInput {
  hazardId: string;
  grade: HazardGrade;
  enterpriseId: string;
  countyCode: string;
  departmentCode: string;
  /** Absolute ISO instant. */
  deadline: string;
  timeZone: string;
  policy: HazardPolicy;
  reportedBy: Actor;
  /**
   * The working-day calendar (the years around the deadline) when a policy step counts working
   * days (P3WD): given at the start, kept for the workflow's life (continue-as-new included), so a
   * later change of the calendar never moves a timer already armed. Absent otherwise.
   */
  calendar?: WorkingCalendar;
  /** Set only by continue-as-new: the process state carried over. */
  resume?: HazardProcessState;
}

export interface HazardProcessState {
  state: HazardState;
  overdue: boolean;
  escalated: boolean;
  deadline: string;
  deadlineVersion: number;
  /** When the current deadline version was armed; reminders due before it are skipped. */
  armedAt: string;
  /** `v<version>:<event key>` of every timer event handled (sent, skipped). */
  firedEvents: string[];
  /** Sequence of the last ledger event written; ledger writes are unique on (workflow, seq). */
  seq: number;
  rejections: number;
  extensions: number;
  pendingExtension: PendingExtension | null;
  /** Major hazards from v5 on: listed for supervision yet (挂牌督办 runs beside rectification). Absent on runs from before. */
  listed?: boolean;
  /** Set once a roster move reassigned the hazard (v4); before that the input's codes hold. */
  scope?: { enterpriseId: string; countyCode: string; departmentCode: string };
}

export interface HazardSnapshot extends HazardProcessState {
  hazardId: string;
  grade: HazardGrade;
  nextEvent: (TimerEvent & { atIso: string }) | null;
  /** The version of the working-day calendar the workflow was armed with, when its policy counts working days. */
  calendarVersion?: string;
}

export const hazardStateQuery = defineQuery<HazardSnapshot>('hazardState');

export interface HazardReassignment {
  countyCode: string;
  departmentCode: string;
  actor: Actor;
  reason: string;
}
/** The enterprise moved to another county or department on the roster: its open hazard follows. */
export const hazardReassignedSignal = defineSignal<[HazardReassignment]>('hazardReassigned');

export const listForSupervisionUpdate = defineUpdate<HazardSnapshot, [CommandInput<'listForSupervision'>]>('listForSupervision');
export const submitRectificationUpdate = defineUpdate<HazardSnapshot, [CommandInput<'submitRectification'>]>('submitRectification');
export const decideVerificationUpdate = defineUpdate<HazardSnapshot, [CommandInput<'decideVerification'>]>('decideVerification');
export const closeHazardUpdate = defineUpdate<HazardSnapshot, [CommandInput<'close'>]>('close');
export const requestExtensionUpdate = defineUpdate<HazardSnapshot, [CommandInput<'requestExtension'>]>('requestExtension');
export const decideExtensionUpdate = defineUpdate<HazardSnapshot, [CommandInput<'decideExtension'>]>('decideExtension');
export const withdrawHazardUpdate = defineUpdate<HazardSnapshot, [CommandInput<'withdraw'>]>('withdraw');

export type HazardUpdates = { [C in HazardCommand]: UpdateDefinition<HazardSnapshot, [CommandInput<C>]> };

export const hazardUpdates: HazardUpdates = {
  listForSupervision: listForSupervisionUpdate,
  submitRectification: submitRectificationUpdate,
  decideVerification: decideVerificationUpdate,
  close: closeHazardUpdate,
  requestExtension: requestExtensionUpdate,
  decideExtension: decideExtensionUpdate,
  withdraw: withdrawHazardUpdate,
};
