// What an enforcement order must say when it is recorded, by kind: the rules a schema cannot check
// (a deadline in the order's zone, the fields that belong to one kind only). Pure: `now` is an argument.
import type { OrderKind } from './enforcement';
import { DEFAULT_ORDER_POLICY } from './enforcement';
import type { FieldError } from './errors';
import { MAX_DEADLINE_AHEAD_MS } from './hazard';
import { layerPolicy, validatePolicyOverride, type HazardPolicy, type HazardPolicyOverride } from './policy';
import { DEFAULT_TIME_ZONE, isValidTimeZone, parseDeadline, parseLocalDate } from './time';

export interface PenaltyLine {
  /** The penalty as decided, e.g. 罚款 or 警告. */
  text: string;
  /** CNY, when it is a fine. */
  amount?: number;
}

/** 一案双罚: one act, a penalty on the enterprise and a linked one on its principal, recorded together. */
export interface DoublePenalty {
  enterprise: PenaltyLine;
  /** The principal (主要负责人): the roster's when no name is given. */
  principal: PenaltyLine & { name?: string };
}

/** 联合惩戒: a body told of the order; mailed when it has a mailbox. */
export interface NotifiedBody {
  name: string;
  email?: string;
}

export interface OrderIssueInput {
  kind: OrderKind;
  /** 法律依据 */
  legalBasis: string;
  reason: string;
  hazardIds?: string[];
  caseId?: string;
  /** RECTIFICATION only: YYYY-MM-DD (end of that day in the zone), local YYYY-MM-DDTHH:mm, or an instant with offset. */
  deadline?: string;
  timeZone?: string;
  /** RECTIFICATION only: reminders and the escalation step, ISO-8601 durations. */
  policy?: HazardPolicyOverride;
  /** SUSPENSION only: what must be true before it is lifted. */
  conditions?: string[];
  /** CLOSURE only: the date of the closure (YYYY-MM-DD). */
  closedOn?: string;
  doublePenalty?: DoublePenalty;
  notifiedBodies?: NotifiedBody[];
}

export interface ResolvedOrderIssue {
  timeZone: string;
  deadline: number | null;
  policy: HazardPolicy | null;
  closedOn: string | null;
}

/** Which kind each kind-bound field belongs to. */
const FIELD_KIND: Readonly<Record<'deadline' | 'policy' | 'conditions' | 'closedOn', OrderKind>> = {
  deadline: 'RECTIFICATION',
  policy: 'RECTIFICATION',
  conditions: 'SUSPENSION',
  closedOn: 'CLOSURE',
};

const blank = (v: unknown): boolean => typeof v !== 'string' || v.trim() === '';

/** Field errors of an order as recorded, or what it resolves to (deadline instant, policy). */
export function checkOrderIssue(o: OrderIssueInput, now: number): { ok: true; value: ResolvedOrderIssue } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const push = (field: string, reason: string) => errors.push({ field, reason });
  if (blank(o.legalBasis)) push('legalBasis', 'name the legal basis (法律依据)');
  if (blank(o.reason)) push('reason', 'must not be blank');
  for (const [field, kind] of Object.entries(FIELD_KIND)) {
    if (o[field as keyof typeof FIELD_KIND] !== undefined && o.kind !== kind) push(field, `only a ${kind} order has ${field}`);
  }
  const timeZone = o.timeZone ?? DEFAULT_TIME_ZONE;
  const zoneOk = isValidTimeZone(timeZone);
  if (!zoneOk) push('timeZone', `'${timeZone}' is not an IANA time zone`);

  let deadline: number | null = null;
  let policy: HazardPolicy | null = null;
  if (o.kind === 'RECTIFICATION') {
    if (o.deadline === undefined) push('deadline', 'a rectification order (限期整改) needs its deadline');
    else if (zoneOk) {
      deadline = parseDeadline(o.deadline, timeZone);
      if (deadline === null) push('deadline', 'expected YYYY-MM-DD, YYYY-MM-DDTHH:mm (local) or an ISO instant with offset');
      else if (deadline <= now) push('deadline', 'the deadline must be in the future');
      else if (deadline > now + MAX_DEADLINE_AHEAD_MS) push('deadline', 'the deadline must be within a hundred years');
    }
    const policyErrors = o.policy ? validatePolicyOverride(o.policy) : [];
    errors.push(...policyErrors);
    if (policyErrors.length === 0) policy = layerPolicy(DEFAULT_ORDER_POLICY, o.policy);
  }
  if (o.kind === 'SUSPENSION') {
    if (!o.conditions || o.conditions.length === 0) push('conditions', 'a suspension (停产整顿) names the conditions to lift it');
    o.conditions?.forEach((c, i) => blank(c) && push(`conditions[${i}]`, 'must not be blank'));
  }
  if (o.kind === 'CLOSURE') {
    if (o.closedOn === undefined) push('closedOn', 'a closure (关闭取缔) is recorded with its date');
    else if (!parseLocalDate(o.closedOn)) push('closedOn', `'${o.closedOn}' is not a date YYYY-MM-DD`);
  }
  if (o.kind === 'JOINT_DISCIPLINE' && (!o.notifiedBodies || o.notifiedBodies.length === 0)) push('notifiedBodies', 'joint discipline (联合惩戒) names the bodies notified');
  o.notifiedBodies?.forEach((b, i) => blank(b.name) && push(`notifiedBodies[${i}].name`, 'must not be blank'));
  if (o.doublePenalty) {
    if (blank(o.doublePenalty.enterprise.text)) push('doublePenalty.enterprise.text', "the enterprise's penalty must not be blank");
    if (blank(o.doublePenalty.principal.text)) push('doublePenalty.principal.text', "the principal's penalty must not be blank (一案双罚)");
    if (o.doublePenalty.principal.name !== undefined && blank(o.doublePenalty.principal.name)) push('doublePenalty.principal.name', 'must not be blank');
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { timeZone, deadline, policy, closedOn: o.closedOn ?? null } };
}
