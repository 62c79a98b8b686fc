// Message definitions of the accountability case workflow. Wire names are camelCase
// and are never renamed once deployed: running workflows answer to them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseCause, CaseDecision, CaseLadder, CaseRung, CaseStatus, CaseSubject, ReferralBody } from '../domain/accountability';
import type { Actor } from '../domain/hazard';
import type { TimerEvent } from '../domain/policy';

export interface CaseWorkflowInput {
  caseId: string;
  subject: CaseSubject;
  /** The cause that opened the case; later ones join by addCaseCause. */
  cause: CaseCause;
  campaignId?: string | null;
  ladder: CaseLadder;
  timeZone: string;
  openedBy: Actor;
  /** The reviewers to ask and remind; the office's mailboxes (activity deps) when absent. */
  reviewerEmails?: string[];
  /** Set only by continue-as-new: the process state carried over. */
  resume?: CaseProcessState;
}

export interface CaseCauseRecord extends CaseCause {
  joinedAt: string;
  resolvedAt: string | null;
}

export interface CaseProcessState {
  status: CaseStatus;
  rung: CaseRung;
  exposed: boolean;
  overdue: boolean;
  summonsAt: string | null;
  referralTo: ReferralBody | null;
  /** Review windows opened so far (1 at opening); each has its own reminders and overdue notice. */
  window: number;
  windowOpenedAt: string | null;
  /** Null while held and once resolved. */
  reviewDueAt: string | null;
  heldUntil: string | null;
  /** Keys of the timer events of the current window already handled. */
  firedEvents: string[];
  /** Sequence of the last ledger event written; ledger writes are unique on (workflow, seq). */
  seq: number;
  causes: CaseCauseRecord[];
  resolvedAt: string | null;
}

export interface CaseSnapshot extends CaseProcessState {
  caseId: string;
  subject: CaseSubject;
  nextEvent: { key: string; kind: TimerEvent['kind'] | 'HOLD_END'; atIso: string } | null;
}

export interface DecideCaseInput {
  actor: Actor;
  decision: CaseDecision;
}

export interface CaseCauseSignal extends CaseCause {
  actor: Actor;
}

export const caseStateQuery = defineQuery<CaseSnapshot>('caseState');
/** The reviewer's decision: ESCALATE, RESOLVE or HOLD, validated before acceptance. */
export const decideCaseUpdate = defineUpdate<CaseSnapshot, [DecideCaseInput]>('decideCase');
/** Another cause (hazard, missed duty, finding) joins the open case. */
export const addCaseCauseSignal = defineSignal<[CaseCauseSignal]>('addCaseCause');
/** A linked hazard closed, a missed duty filed late: recorded; the case stays for the reviewer to decide. */
export const caseCauseResolvedSignal = defineSignal<[CaseCauseSignal]>('caseCauseResolved');
