// Message definitions of the campaign and obligation workflows. Wire names: never rename.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignTemplate, Duty, PhaseKey } from '../domain/campaign';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import type { DutyLedgerEntry } from '../activities';

export type DutyState = 'PENDING' | 'SUBMITTED' | 'MISSED';

export interface ObligationInput {
  obligationId: string;
  campaignId: string;
  holderCode: string;
  /** Inspection assignments name the enterprise to inspect; a self-inspection duty the enterprise that owes it. */
  subjectEnterpriseId?: string;
  /** A self-inspection duty: the enterprise's county, which may file for it. */
  subjectCountyCode?: string;
  duties: Duty[];
  reminderOffsets: string[];
  timeZone: string;
  /** The workflow ends this long after the last due instant if duties are still open (late submissions until then). */
  lateWindow: string;
  /** v7: the fan-out that started it wrote its DUTY_ASSIGNED steps (seq 1..n) to the ledger already. */
  assignedOnLedger?: boolean;
  /** v8: the campaign that started it sends its DUTIES_ASSIGNED notice (the fan-out page's sendAssignmentNotices). */
  noticedByFanOut?: boolean;
  resume?: ObligationState;
}

export interface DutyStatus {
  duty: Duty;
  state: DutyState;
  late: boolean;
  submittedAt: string | null;
}

export interface ObligationState {
  duties: DutyStatus[];
  firedEvents: string[];
  armedAt: string;
  seq: number;
  closed: boolean;
}

export interface DutySubmission {
  dutyKey: string;
  content: Record<string, unknown>;
  actor: Actor;
}

export const obligationStateQuery = defineQuery<ObligationState>('obligationState');
export const submitDutyUpdate = defineUpdate<DutyStatus, [DutySubmission]>('submitDuty');
/** From the campaign when the office moves a phase: new due instants for open duties. */
export const rescheduleDutiesSignal = defineSignal<[{ duties: Duty[]; reason: string }]>('rescheduleDuties');

export interface CampaignInput {
  campaignId: string;
  template: CampaignTemplate;
  spotCheckSeed: string;
  launchedBy: Actor;
  resume?: CampaignState;
}

export type PhaseStatus = 'PENDING' | 'OPEN' | 'CLOSED';

export interface CampaignState {
  phases: Record<PhaseKey, { opensAt: number; closesAt: number; status: PhaseStatus }>;
  seq: number;
  obligationsStarted: boolean;
  spotCheckDrawn: boolean;
  inspectionsStarted: boolean;
  summaryTaken: boolean;
  /** Phase moves that obligations have not yet been told about. */
  pendingReschedule: boolean;
  /**
   * v4 (patch 'inspections-due-at-spot-check-close'), decided at the campaign's first run: its
   * inspections are due when the spot-check phase closes and follow a move of that close. False
   * (or absent) for a campaign launched before: they stay due a fixed time after the draw.
   */
  inspectionsDueAtClose?: boolean;
  /** The spot-check close the started inspections were last given (v4). */
  inspectionsDueAt?: number;
  /**
   * v6 (patch 'self-inspection-duties'), decided at the campaign's first run: when the
   * self-inspection phase opens, every enterprise on the roster gets its self-inspection duty
   * (due at that phase's close, following its moves). False (or absent) for a campaign launched before.
   */
  selfInspectionDuties?: boolean;
  selfInspectionsStarted?: boolean;
  /** The self-inspection close the started duties were last given (v6). */
  selfInspectionsDueAt?: number;
  /**
   * v8 (patch 'duty-notices-by-fan-out'), decided at the campaign's first run: each page's DUTIES_ASSIGNED
   * notices go out from the campaign once the page started, not from every new workflow. False (or
   * absent) for a campaign launched before: its workflows mail their own.
   */
  noticesByFanOut?: boolean;
}

export interface PhaseMove {
  phase: PhaseKey;
  /** Absolute ISO instants (the API resolves local dates in the campaign's zone). */
  opensAt?: string;
  closesAt?: string;
  reason: string;
  actor: Actor;
}

export const campaignStatusQuery = defineQuery<CampaignState>('campaignStatus');
export const movePhaseUpdate = defineUpdate<CampaignState, [PhaseMove]>('movePhase');

/**
 * The DUTY_ASSIGNED steps an obligation begins with (seq 1..n, in its duties' order): written by the
 * workflow itself, or (v7) for a whole page at once by the fan-out that starts it.
 */
export function dutiesAssigned(input: ObligationInput, at: string): DutyLedgerEntry[] {
  return input.duties.map((duty, i) => ({
    campaignId: input.campaignId,
    obligationId: input.obligationId,
    holderCode: input.holderCode,
    subjectEnterpriseId: input.subjectEnterpriseId ?? null,
    seq: i + 1,
    type: 'DUTY_ASSIGNED',
    actor: SYSTEM_ACTOR,
    data: {},
    at,
    duty,
    state: 'PENDING',
    late: false,
    submittedAt: null,
  }));
}
