// Message definitions of the enforcement order workflow. Wire names are camelCase and are never
// renamed once deployed: running workflows answer to them.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { InspectionOutcome, OrderCommand, OrderCommandInput, OrderKind, OrderStatus } from '../domain/enforcement';
import type { Actor } from '../domain/hazard';
import type { HazardPolicy, TimerEvent } from '../domain/policy';

export interface OrderWorkflowInput {
  orderId: string;
  kind: OrderKind;
  /** Whose order it is and where it sits: whom it takes commands from. */
  enterpriseId: string;
  countyCode: string;
  departmentCode: string;
  /** RECTIFICATION: the deadline (ISO instant) and its reminder and escalation policy; null otherwise. */
  deadline: string | null;
  policy: HazardPolicy | null;
  timeZone: string;
  /** 联合惩戒: positions in the order's notifiedBodies of the bodies with a mailbox; each is mailed once. */
  bodiesToMail: number[];
  issuedBy: Actor;
  /** Set only by continue-as-new: the process state carried over. */
  resume?: OrderProcessState;
}

export interface OrderProcessState {
  status: OrderStatus;
  overdue: boolean;
  /** The deadline and its escalation step passed without compliance: a case was opened. */
  ignored: boolean;
  /** When the schedule was armed (the workflow's start): reminders before it are skipped. */
  armedAt: string;
  /** Keys of the timer events already handled. */
  firedEvents: string[];
  /** Sequence of the last ledger event; ledger writes are unique on (workflow, seq). */
  seq: number;
  rejections: number;
  complianceReportedAt: string | null;
  liftAppliedAt: string | null;
  /** A suspension's latest inspection. */
  inspection: InspectionOutcome | null;
  /** The case opened or joined when the order was ignored. */
  caseId: string | null;
  endedAt: string | null;
}

export interface OrderSnapshot extends OrderProcessState {
  orderId: string;
  kind: OrderKind;
  deadline: string | null;
  nextEvent: { key: string; kind: TimerEvent['kind']; atIso: string } | null;
}

export const orderStateQuery = defineQuery<OrderSnapshot>('orderState');

/** One update per command, validated before acceptance (domain/enforcement checkOrderCommand). */
export const orderUpdates: { [C in OrderCommand]: UpdateDefinition<OrderSnapshot, [OrderCommandInput<C>]> } = {
  reportCompliance: defineUpdate<OrderSnapshot, [OrderCommandInput<'reportCompliance'>]>('reportCompliance'),
  verifyCompliance: defineUpdate<OrderSnapshot, [OrderCommandInput<'verifyCompliance'>]>('verifyCompliance'),
  applyForLift: defineUpdate<OrderSnapshot, [OrderCommandInput<'applyForLift'>]>('applyForLift'),
  recordInspection: defineUpdate<OrderSnapshot, [OrderCommandInput<'recordInspection'>]>('recordInspection'),
  liftSuspension: defineUpdate<OrderSnapshot, [OrderCommandInput<'liftSuspension'>]>('liftSuspension'),
};
