// Enforcement on enterprises (执法): orders a regulator records against an enterprise and the pure
// rules of their lifecycle, used by the order workflow's update validators and by the API for early
// refusals, so both always agree. Officials and units face accountability instead (accountability.ts).
import { ErrorCode, type FieldError, type Refusal } from './errors';
import { canSee, type Actor, type HazardScope, type Role } from './hazard';
import type { HazardPolicy } from './policy';
import { unstorableFields } from './text';

/** 限期整改, 停产整顿, 关闭取缔, 联合惩戒. Wire values: never rename. */
export const ORDER_KINDS = ['RECTIFICATION', 'SUSPENSION', 'CLOSURE', 'JOINT_DISCIPLINE'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

export const ORDER_KIND_LABELS: Readonly<Record<OrderKind, string>> = {
  RECTIFICATION: '限期整改',
  SUSPENSION: '停产整顿',
  CLOSURE: '关闭取缔',
  JOINT_DISCIPLINE: '联合惩戒',
};

/**
 * Where an order stands. A rectification order: RECTIFYING → COMPLIANCE_REPORTED → COMPLIED, or
 * back to RECTIFYING when the regulator rejects the report; IGNORED once its deadline and escalation
 * step pass without compliance (a case is opened; the enterprise may still comply). A suspension:
 * SUSPENDED → LIFTED. A closure is CLOSED and joint discipline RECORDED from the start.
 */
export const ORDER_STATUSES = ['RECTIFYING', 'COMPLIANCE_REPORTED', 'IGNORED', 'COMPLIED', 'SUSPENDED', 'LIFTED', 'CLOSED', 'RECORDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['COMPLIED', 'LIFTED', 'CLOSED', 'RECORDED'];
export const isTerminalOrder = (s: OrderStatus): boolean => TERMINAL_ORDER_STATUSES.includes(s);

export const INITIAL_ORDER_STATUS: Readonly<Record<OrderKind, OrderStatus>> = {
  RECTIFICATION: 'RECTIFYING',
  SUSPENSION: 'SUSPENDED',
  CLOSURE: 'CLOSED',
  JOINT_DISCIPLINE: 'RECORDED',
};

/** The flag on an enterprise (roster, lists): closed outranks suspended. Wire values: never rename. */
export const ENFORCEMENT_STATUSES = ['NONE', 'SUSPENDED', 'CLOSED'] as const;
export type EnforcementStatus = (typeof ENFORCEMENT_STATUSES)[number];

/** An enterprise's flag from its orders: CLOSED by any closure, else SUSPENDED while any suspension is in force. */
export function enforcementStatusOf(orders: readonly { kind: OrderKind; status: OrderStatus }[]): EnforcementStatus {
  if (orders.some((o) => o.kind === 'CLOSURE')) return 'CLOSED';
  if (orders.some((o) => o.kind === 'SUSPENSION' && o.status === 'SUSPENDED')) return 'SUSPENDED';
  return 'NONE';
}

/**
 * Who records orders and acts as the regulator on them (verifies, inspects, lifts): admin, the
 * office, a department on the enterprises it supervises, a county on those in its territory
 * (counties cover every enterprise there, 全覆盖). A reviewer reads; an enterprise answers.
 */
export const REGULATOR_ROLES: readonly Role[] = ['admin', 'office', 'department', 'county'];

/** Default policy of a rectification order: reminders 3 days and 1 day before, ignored 3 days after the deadline. */
export const DEFAULT_ORDER_POLICY: Readonly<HazardPolicy> = { reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P3D', sendTime: '09:00' };

/** May `actor` record an order against this enterprise? NOT_FOUND out of scope, FORBIDDEN without a regulator's role. */
export function checkIssuer(actor: Actor, enterprise: HazardScope): { ok: true } | Refusal {
  if (!canSee(actor, enterprise)) return { ok: false, code: ErrorCode.NOT_FOUND, reason: 'enterprise not found' };
  if (!REGULATOR_ROLES.includes(actor.role)) return { ok: false, code: ErrorCode.FORBIDDEN, reason: `role '${actor.role}' may not record enforcement orders` };
  return { ok: true };
}

export const ORDER_COMMANDS = ['reportCompliance', 'verifyCompliance', 'applyForLift', 'recordInspection', 'liftSuspension'] as const;
export type OrderCommand = (typeof ORDER_COMMANDS)[number];

interface OrderCommandRule {
  kind: OrderKind;
  from: readonly OrderStatus[];
  actors: readonly Role[];
}

const ENTERPRISE_SIDE: readonly Role[] = ['enterprise', 'admin'];

export const ORDER_COMMAND_RULES: Readonly<Record<OrderCommand, OrderCommandRule>> = {
  // An ignored order can still be complied with: the case it opened records that.
  reportCompliance: { kind: 'RECTIFICATION', from: ['RECTIFYING', 'IGNORED'], actors: ENTERPRISE_SIDE },
  verifyCompliance: { kind: 'RECTIFICATION', from: ['COMPLIANCE_REPORTED'], actors: REGULATOR_ROLES },
  applyForLift: { kind: 'SUSPENSION', from: ['SUSPENDED'], actors: ENTERPRISE_SIDE },
  recordInspection: { kind: 'SUSPENSION', from: ['SUSPENDED'], actors: REGULATOR_ROLES },
  liftSuspension: { kind: 'SUSPENSION', from: ['SUSPENDED'], actors: REGULATOR_ROLES },
};

export type InspectionOutcome = 'PASSED' | 'FAILED';
export type ComplianceDecision = 'ACCEPT' | 'REJECT';

export interface OrderCommandContext extends HazardScope {
  kind: OrderKind;
  status: OrderStatus;
  /** The latest inspection of a suspension, null before the first. */
  inspection: InspectionOutcome | null;
  /** An application to lift waits for its inspection. */
  liftApplied: boolean;
}

/**
 * May `actor` issue `command` on this order now? In order: visibility (an order outside the
 * actor's scope does not exist for it), role, kind and state, then the suspension's bookkeeping:
 * a lift needs a passed inspection first, an application waits for its inspection.
 */
export function checkOrderCommand(command: OrderCommand, o: OrderCommandContext, actor: Actor): { ok: true } | Refusal {
  if (!canSee(actor, o)) return { ok: false, code: ErrorCode.NOT_FOUND, reason: 'order not found' };
  const rule = ORDER_COMMAND_RULES[command];
  if (!rule.actors.includes(actor.role)) return { ok: false, code: ErrorCode.FORBIDDEN, reason: `role '${actor.role}' may not ${command}` };
  if (o.kind !== rule.kind) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `${command} applies to a ${rule.kind} order, not a ${o.kind} one` };
  if (!rule.from.includes(o.status)) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `${command} is not allowed in status ${o.status}` };
  if (command === 'liftSuspension' && o.inspection !== 'PASSED') {
    return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: 'a suspension is lifted only after a passed inspection: record one first' };
  }
  if (command === 'applyForLift' && o.liftApplied) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: 'an application to lift already waits for its inspection' };
  return { ok: true };
}

/** Command payloads as the workflow receives them (the API adds the actor). */
export interface OrderCommandPayloads {
  reportCompliance: { report: string };
  verifyCompliance: { decision: ComplianceDecision; reason?: string };
  applyForLift: { note: string };
  recordInspection: { outcome: InspectionOutcome; findings: string };
  liftSuspension: { reason?: string };
}

export type OrderCommandInput<C extends OrderCommand> = OrderCommandPayloads[C] & { actor: Actor };

/** The most a command's text may carry: it travels in the workflow's history. */
export const MAX_COMMAND_TEXT = 2000;

/** Rules on a payload's content (schemas check shapes; the workflow validator calls this too). */
export function checkOrderPayload<C extends OrderCommand>(command: C, payload: OrderCommandPayloads[C]): FieldError[] {
  const errors: FieldError[] = unstorableFields(payload);
  const p = payload as Record<string, unknown>;
  const required = (field: string, why: string) => {
    const v = p[field];
    if (typeof v !== 'string' || v.trim() === '') errors.push({ field, reason: why });
    else if (v.length > MAX_COMMAND_TEXT) errors.push({ field, reason: `longer than ${MAX_COMMAND_TEXT} characters` });
  };
  const oneOf = (field: string, values: readonly string[]) => {
    if (!values.includes(p[field] as string)) errors.push({ field, reason: `must be one of ${values.join(', ')}` });
  };
  switch (command) {
    case 'reportCompliance':
      required('report', 'say what was rectified');
      break;
    case 'verifyCompliance':
      oneOf('decision', ['ACCEPT', 'REJECT']);
      if (p.decision === 'REJECT') required('reason', 'a rejection needs a reason the enterprise can act on');
      break;
    case 'applyForLift':
      required('note', 'say how the conditions to lift are met');
      break;
    case 'recordInspection':
      oneOf('outcome', ['PASSED', 'FAILED']);
      required('findings', 'an inspection records its findings');
      break;
    case 'liftSuspension':
      break;
  }
  return errors;
}

/** What an order's ledger events record (order_events.type). Wire values: never rename. */
export const ORDER_EVENT_TYPES = [
  'ISSUED',
  'REMINDER_SENT',
  'REMINDER_SKIPPED',
  'OVERDUE',
  'IGNORED',
  'CASE_OPENED',
  'COMPLIANCE_REPORTED',
  'COMPLIANCE_ACCEPTED',
  'COMPLIANCE_REJECTED',
  'LIFT_APPLIED',
  'INSPECTION_PASSED',
  'INSPECTION_FAILED',
  'LIFTED',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** 瓦斯超限: only a coal mine's reading is one. */
export const GAS_INDUSTRY = 'COAL_MINE';
