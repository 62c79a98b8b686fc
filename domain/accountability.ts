// The accountability ladder (问责) for officials and units, as data, and the pure rules of a
// case's decisions. No IO, no clock: `now` is an argument. The review schedule of a rung is the
// hazard schedule (domain/policy) with the rung's review end as its deadline.
import { approxDays, parseDuration } from './duration';
import { ErrorCode, type FieldError } from './errors';
import type { Actor } from './hazard';
import { checkPolicyStep, hazardSchedule, shiftInstant, type TimerEvent } from './policy';
import { isValidLocalTime } from './time';

/** Rungs in rising order: 通报, 约谈, 移送, 免职, 移交司法. Wire values: never rename. */
export const CASE_RUNGS = ['CIRCULAR', 'SUMMONS', 'REFERRAL', 'DISMISSAL', 'JUDICIAL'] as const;
export type CaseRung = (typeof CASE_RUNGS)[number];

export const CASE_RUNG_LABELS: Readonly<Record<CaseRung, string>> = {
  CIRCULAR: '通报',
  SUMMONS: '约谈',
  REFERRAL: '移送',
  DISMISSAL: '免职',
  JUDICIAL: '移交司法',
};

/** Where a referral (移送) goes: 纪委监委, 组织部门, 公安. */
export const REFERRAL_BODIES = ['DISCIPLINE_COMMISSION', 'ORGANIZATION_DEPARTMENT', 'POLICE'] as const;
export type ReferralBody = (typeof REFERRAL_BODIES)[number];

export const REFERRAL_BODY_LABELS: Readonly<Record<ReferralBody, string>> = {
  DISCIPLINE_COMMISSION: '纪委监委',
  ORGANIZATION_DEPARTMENT: '组织部门',
  POLICE: '公安',
};

export const CASE_STATUSES = ['OPEN', 'HELD', 'RESOLVED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** A unit and its responsible official (accountability), or an enterprise and its principal. */
export const CASE_SUBJECT_KINDS = ['UNIT', 'ENTERPRISE'] as const;
export type CaseSubjectKind = (typeof CASE_SUBJECT_KINDS)[number];

/**
 * Why a case is open: a hazard past its escalation step, a missed duty, a supervision finding,
 * concealment (瞒报), the office by hand, gas over the limit in a coal mine (瓦斯超限, treated as an
 * accident: 比照事故调查), an enforcement order left unheeded. Wire values: never rename.
 */
export const CASE_CAUSE_KINDS = ['HAZARD_ESCALATION', 'DUTY_MISSED', 'SUPERVISION_FINDING', 'CONCEALMENT', 'MANUAL', 'GAS_OVER_LIMIT', 'ORDER_IGNORED'] as const;
export type CaseCauseKind = (typeof CASE_CAUSE_KINDS)[number];

export interface CaseSubject {
  kind: CaseSubjectKind;
  /** A unit's code, or an enterprise's id. */
  ref: string;
  /** For mails and the ledger: the unit's or enterprise's name, and the official's. */
  name?: string;
  officialName?: string;
  /** Where the case sits, for scoped keys: the subject county's code (a county, or an enterprise's county). */
  countyCode?: string | null;
  /** The subject department's code (a department, or an enterprise's supervising department). */
  departmentCode?: string | null;
}

/** The cause reference of a hazard's escalation: one per deadline version (`<hazard>:v2`); the prefix `<hazard>:` names them all. */
export const hazardCauseRef = (hazardId: string, deadlineVersion: number | null): string => `${hazardId}:${deadlineVersion === null ? '' : `v${deadlineVersion}`}`;

/** The cause reference of a missed duty: the obligation, the duty and the due instant it missed. */
export const dutyCauseRef = (obligationId: string, dutyKey: string): string => `${obligationId}:${dutyKey}`;

export interface CaseCause {
  kind: CaseCauseKind;
  /** What caused it: a hazard id, an obligation's duty key, a finding's id. */
  refId: string;
  note?: string;
}

export interface RungPolicy {
  /** How long the reviewer has to decide on this rung, e.g. P5D (PT30S in a demo). */
  reviewTime: string;
  /** Offsets before the review ends at which the reviewer is reminded. */
  reminderOffsets: string[];
}

export interface CaseLadder {
  rungs: Record<CaseRung, RungPolicy>;
  /** Whether an escalation may jump over rungs (e.g. 免职 at once for leaders who tolerate illegal mining). */
  allowSkip: boolean;
  /** Local time (HH:mm) at which day-offset reminders go out. */
  sendTime: string;
}

const DEFAULT_RUNG: RungPolicy = { reviewTime: 'P5D', reminderOffsets: ['P2D', 'P1D'] };

export const DEFAULT_CASE_LADDER: Readonly<CaseLadder> = {
  rungs: Object.fromEntries(CASE_RUNGS.map((r) => [r, DEFAULT_RUNG])) as Record<CaseRung, RungPolicy>,
  allowSkip: false,
  sendTime: '09:00',
};

export interface CaseLadderOverride {
  rungs?: Partial<Record<CaseRung, Partial<RungPolicy>>>;
  allowSkip?: boolean;
  sendTime?: string;
}

function checkDuration(text: unknown, field: string, positive: boolean): FieldError | null {
  const invalid = checkPolicyStep(text, field, 'P5D or PT30S');
  if (invalid) return invalid;
  if (positive && approxDays(parseDuration(text as string)!) <= 0) return { field, reason: 'a review time must be longer than zero' };
  return null;
}

/**
 * Field errors of a ladder override (campaign template or case), in the manner of
 * validatePolicyOverride. Takes what came from outside (a template body, stored JSON): a field of
 * the wrong type is named, never thrown over.
 */
export function validateCaseLadderOverride(override: unknown, path = 'ladder'): FieldError[] {
  const errors: FieldError[] = [];
  const push = (e: FieldError | null) => {
    if (e) errors.push(e);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(override)) return [{ field: path, reason: 'must be an object with rungs, allowSkip and/or sendTime' }];
  for (const field of Object.keys(override)) {
    if (field !== 'rungs' && field !== 'allowSkip' && field !== 'sendTime') errors.push({ field: `${path}.${field}`, reason: `'${field}' is not a ladder field: rungs, allowSkip or sendTime` });
  }
  const rungs = override.rungs;
  if (rungs !== undefined && !isObject(rungs)) errors.push({ field: `${path}.rungs`, reason: 'must be an object keyed by rung' });
  for (const [rung, p] of Object.entries(isObject(rungs) ? rungs : {})) {
    const at = `${path}.rungs.${rung}`;
    if (!(CASE_RUNGS as readonly string[]).includes(rung)) {
      errors.push({ field: at, reason: `'${rung}' is not a rung; rungs are ${CASE_RUNGS.join(', ')}` });
      continue;
    }
    if (p === undefined) continue;
    if (!isObject(p)) {
      errors.push({ field: at, reason: 'must be an object with reviewTime and/or reminderOffsets' });
      continue;
    }
    for (const field of Object.keys(p)) {
      if (field !== 'reviewTime' && field !== 'reminderOffsets') errors.push({ field: `${at}.${field}`, reason: `'${field}' is not a rung field: reviewTime or reminderOffsets` });
    }
    if (p.reviewTime !== undefined) push(checkDuration(p.reviewTime, `${at}.reviewTime`, true));
    const offsets = p.reminderOffsets;
    if (Array.isArray(offsets)) offsets.forEach((o: unknown, i) => push(checkDuration(o, `${at}.reminderOffsets[${i}]`, false)));
    else if (offsets !== undefined) errors.push({ field: `${at}.reminderOffsets`, reason: 'must be a list of ISO-8601 durations such as ["P2D", "P1D"]' });
  }
  if (override.allowSkip !== undefined && typeof override.allowSkip !== 'boolean') errors.push({ field: `${path}.allowSkip`, reason: 'must be true or false' });
  const sendTime = override.sendTime;
  if (sendTime !== undefined && (typeof sendTime !== 'string' || !isValidLocalTime(sendTime))) errors.push({ field: `${path}.sendTime`, reason: `${JSON.stringify(sendTime)} is not a local time HH:mm` });
  return errors;
}

/** Known fields only, copied: call validateCaseLadderOverride first. */
export function copyCaseLadderOverride(o: CaseLadderOverride): CaseLadderOverride {
  const out: CaseLadderOverride = {};
  if (o.rungs) {
    out.rungs = {};
    for (const r of CASE_RUNGS) {
      const p = o.rungs[r];
      if (!p) continue;
      out.rungs[r] = { ...(p.reviewTime !== undefined ? { reviewTime: p.reviewTime } : {}), ...(p.reminderOffsets ? { reminderOffsets: [...p.reminderOffsets] } : {}) };
    }
  }
  if (o.allowSkip !== undefined) out.allowSkip = o.allowSkip;
  if (o.sendTime !== undefined) out.sendTime = o.sendTime;
  return out;
}

/** Later layers win: the default ladder, then the campaign template's, then the case's own. Call validateCaseLadderOverride first. */
export function resolveCaseLadder(...overrides: (CaseLadderOverride | undefined)[]): CaseLadder {
  const rungs = Object.fromEntries(CASE_RUNGS.map((r) => [r, { ...DEFAULT_CASE_LADDER.rungs[r], reminderOffsets: [...DEFAULT_CASE_LADDER.rungs[r].reminderOffsets] }])) as Record<CaseRung, RungPolicy>;
  let ladder: CaseLadder = { rungs, allowSkip: DEFAULT_CASE_LADDER.allowSkip, sendTime: DEFAULT_CASE_LADDER.sendTime };
  for (const o of overrides) {
    if (!o) continue;
    for (const r of CASE_RUNGS) {
      const p = o.rungs?.[r];
      if (p) ladder.rungs[r] = { reviewTime: p.reviewTime ?? ladder.rungs[r].reviewTime, reminderOffsets: [...(p.reminderOffsets ?? ladder.rungs[r].reminderOffsets)] };
    }
    ladder = { ...ladder, allowSkip: o.allowSkip ?? ladder.allowSkip, sendTime: o.sendTime ?? ladder.sendTime };
  }
  return ladder;
}

export const rungIndex = (r: CaseRung): number => CASE_RUNGS.indexOf(r);

/**
 * The rungs a subject can stand on. 免职 (dismissal) is for officials: an enterprise and its
 * principal go from 移送 straight on to 移交司法 (their enforcement is orders, section 2).
 */
export const rungsFor = (kind: CaseSubjectKind): readonly CaseRung[] => (kind === 'ENTERPRISE' ? CASE_RUNGS.filter((r) => r !== 'DISMISSAL') : CASE_RUNGS);

/** The rung above `r` for this kind of subject, or null at the top. */
export const nextRung = (r: CaseRung, kind: CaseSubjectKind = 'UNIT'): CaseRung | null => rungsFor(kind).find((x) => rungIndex(x) > rungIndex(r)) ?? null;

/** When the review of a rung opened at `openedAt` ends: calendar parts on the local wall clock. */
export function reviewEnd(ladder: CaseLadder, rung: CaseRung, openedAt: number, timeZone: string): number {
  const d = parseDuration(ladder.rungs[rung].reviewTime);
  if (!d) throw new RangeError(`invalid review time ${ladder.rungs[rung].reviewTime}`);
  return shiftInstant(openedAt, d, 1, timeZone);
}

export interface ReviewWindow {
  /** When the reviewer's time on this rung ends: the office head is told and the case is flagged overdue. */
  dueAt: number;
  /** REMINDER events before `dueAt`, then the OVERDUE event at it. */
  events: TimerEvent[];
}

/** The timer events of one review window: the hazard schedule with the review end as deadline, without escalation. */
export function caseReviewSchedule(input: { ladder: CaseLadder; rung: CaseRung; openedAt: number; timeZone: string }): ReviewWindow {
  const { ladder, rung, openedAt, timeZone } = input;
  const dueAt = reviewEnd(ladder, rung, openedAt, timeZone);
  const events = hazardSchedule({
    deadline: dueAt,
    policy: { reminderOffsets: ladder.rungs[rung].reminderOffsets, escalationAfter: 'P0D', sendTime: ladder.sendTime },
    timeZone,
    armedAt: openedAt,
  }).filter((e) => e.kind === 'REMINDER' || e.kind === 'OVERDUE');
  return { dueAt, events };
}

/** A reviewer's decision on the current rung. A reason is always required. */
export type CaseDecision =
  | {
      kind: 'ESCALATE';
      reason: string;
      /** The rung to go to; the next one when omitted. Further only when the ladder allows skipping. */
      to?: CaseRung;
      /** 约谈: when the summons interview takes place (ISO instant, in the future). */
      summonsAt?: string;
      /** 移送: to which body. */
      referralTo?: ReferralBody;
      /** 曝光: the case is also made public. */
      expose?: boolean;
    }
  | { kind: 'RESOLVE'; reason: string }
  | { kind: 'HOLD'; reason: string; /** ISO instant, in the future. */ until: string };

export type CaseDecisionKind = CaseDecision['kind'];

export interface CaseDecisionContext {
  status: CaseStatus;
  rung: CaseRung;
  subject: CaseScope;
  ladder: Pick<CaseLadder, 'allowSkip'>;
}

/** Who decides cases: admin, the safety office and reviewers (within their scope). */
export const CASE_DECIDING_ROLES: readonly Actor['role'][] = ['admin', 'office', 'reviewer'];

export type CaseScope = Pick<CaseSubject, 'kind' | 'ref' | 'countyCode' | 'departmentCode'>;

/**
 * Who sees a case: the office and admin all; a reviewer all or those in its county or department;
 * a county or department key the cases about itself and about enterprises in its scope; an
 * enterprise its own.
 */
export function canSeeCase(actor: Actor, subject: CaseScope): boolean {
  const inScope = (scope: string | null) => scope !== null && (subject.ref === scope || subject.countyCode === scope || subject.departmentCode === scope);
  switch (actor.role) {
    case 'admin':
    case 'office':
      return true;
    case 'reviewer':
      return actor.scope === null || inScope(actor.scope);
    case 'county':
    case 'department':
      return inScope(actor.scope);
    case 'enterprise':
      return subject.kind === 'ENTERPRISE' && actor.scope === subject.ref;
  }
}

export type DecisionCheck = { ok: true } | { ok: false; code: ErrorCode; reason: string; errors?: FieldError[] };

const MAX_REASON = 2000;

function fieldErrors(d: CaseDecision, now: number): FieldError[] {
  const errors: FieldError[] = [];
  const raw = d as unknown as Record<string, unknown>;
  const reason = raw.reason;
  if (typeof reason !== 'string' || reason.trim() === '') errors.push({ field: 'reason', reason: 'a reason is required' });
  else if (reason.length > MAX_REASON) errors.push({ field: 'reason', reason: `longer than ${MAX_REASON} characters` });
  const future = (field: string, value: unknown) => {
    const at = typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isFinite(at)) errors.push({ field, reason: `'${String(value)}' is not an ISO instant` });
    else if (at <= now) errors.push({ field, reason: 'must be in the future' });
  };
  if (d.kind === 'HOLD') future('until', raw.until);
  if (d.kind === 'ESCALATE') {
    if (raw.to !== undefined && !(CASE_RUNGS as readonly unknown[]).includes(raw.to)) errors.push({ field: 'to', reason: `'${String(raw.to)}' is not a rung; rungs are ${CASE_RUNGS.join(', ')}` });
    if (raw.expose !== undefined && typeof raw.expose !== 'boolean') errors.push({ field: 'expose', reason: 'must be true or false' });
  }
  return errors;
}

/** The rung an escalation goes to (for this kind of subject), or null when there is none above. */
export const escalationTarget = (rung: CaseRung, d: Extract<CaseDecision, { kind: 'ESCALATE' }>, kind: CaseSubjectKind): CaseRung | null => d.to ?? nextRung(rung, kind);

/**
 * Whether `actor` may take `decision` on a case in state `c` at `now`: NOT_FOUND out of scope,
 * FORBIDDEN without a deciding role, ILLEGAL_TRANSITION for a move the ladder does not allow,
 * VALIDATION_FAILED (with the fields) for bad fields.
 */
export function checkDecision(c: CaseDecisionContext, decision: CaseDecision, actor: Actor, now: number): DecisionCheck {
  if (!canSeeCase(actor, c.subject)) return { ok: false, code: ErrorCode.NOT_FOUND, reason: 'case not found' };
  if (!CASE_DECIDING_ROLES.includes(actor.role)) return { ok: false, code: ErrorCode.FORBIDDEN, reason: `role '${actor.role}' may not decide accountability cases` };
  const kind = (decision as { kind?: unknown } | null)?.kind;
  if (kind !== 'ESCALATE' && kind !== 'RESOLVE' && kind !== 'HOLD') {
    const errors = [{ field: 'kind', reason: `'${String(kind)}' is not a decision; decisions are ESCALATE, RESOLVE, HOLD` }];
    return { ok: false, code: ErrorCode.VALIDATION_FAILED, reason: 'kind: not a decision', errors };
  }
  if (c.status === 'RESOLVED') return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: 'the case is resolved' };
  const errors = fieldErrors(decision, now);
  if (errors.length > 0) return { ok: false, code: ErrorCode.VALIDATION_FAILED, reason: errors.map((e) => `${e.field}: ${e.reason}`).join('; '), errors };
  if (decision.kind !== 'ESCALATE') return { ok: true };

  const to = escalationTarget(c.rung, decision, c.subject.kind);
  if (to === null) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `${c.rung} is the top rung` };
  const rungs = rungsFor(c.subject.kind);
  if (!rungs.includes(to)) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `${to} (${CASE_RUNG_LABELS[to]}) applies to officials, not to an enterprise: escalate to ${nextRung(c.rung, c.subject.kind) ?? 'no rung'}` };
  if (rungIndex(to) <= rungIndex(c.rung)) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `cannot escalate from ${c.rung} to ${to}: not above it` };
  const skipped = rungs.filter((r) => rungIndex(r) > rungIndex(c.rung) && rungIndex(r) < rungIndex(to));
  if (skipped.length > 0 && !c.ladder.allowSkip) return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `cannot skip from ${c.rung} to ${to}: the ladder does not allow skipping rungs` };
  // The fields a rung needs are checked once the rung is known.
  const rungErrors: FieldError[] = [];
  if (to === 'SUMMONS') {
    const at = typeof decision.summonsAt === 'string' ? Date.parse(decision.summonsAt) : NaN;
    if (!Number.isFinite(at)) rungErrors.push({ field: 'summonsAt', reason: 'a summons interview (约谈) needs its date, an ISO instant' });
    else if (at <= now) rungErrors.push({ field: 'summonsAt', reason: 'must be in the future' });
  }
  if (to === 'REFERRAL' && !(REFERRAL_BODIES as readonly unknown[]).includes(decision.referralTo)) {
    rungErrors.push({ field: 'referralTo', reason: `a referral (移送) names its body: ${REFERRAL_BODIES.join(', ')}` });
  }
  if (rungErrors.length > 0) return { ok: false, code: ErrorCode.VALIDATION_FAILED, reason: rungErrors.map((e) => `${e.field}: ${e.reason}`).join('; '), errors: rungErrors };
  return { ok: true };
}

/** What a case's ledger events record. Wire values: never rename. */
export const CASE_EVENT_TYPES = [
  'OPENED',
  'REVIEW_REMINDER_SENT',
  'REVIEW_OVERDUE',
  'ESCALATED',
  'HELD',
  'HOLD_ENDED',
  'RESOLVED',
  'CAUSE_JOINED',
  'CAUSE_RESOLVED',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];
