// The hazard lifecycle (闭环管理) as one table, used by the workflow's update validators
// and by the API for early refusals, so both always agree.
import { ErrorCode, type FieldError, type Refusal } from './errors';
import { unstorableFields } from './text';

/** A deadline further out than this is a typo (9999-12-31), not a plan; it also keeps calendar maths in range. */
export const MAX_DEADLINE_AHEAD_MS = 100 * 366 * 86_400_000;

export const HAZARD_STATES = [
  'REGISTERED',
  'REPORTED_TO_REGULATOR',
  'LISTED_FOR_SUPERVISION',
  'RECTIFYING',
  'SUBMITTED',
  'VERIFIED',
  'CLOSED',
  'WITHDRAWN',
] as const;
export type HazardState = (typeof HAZARD_STATES)[number];
export const TERMINAL_STATES: readonly HazardState[] = ['CLOSED', 'WITHDRAWN'];
export const isTerminal = (s: HazardState): boolean => TERMINAL_STATES.includes(s);
/** The enterprise has done its part and waits for the verifier: deadline reminders pause. */
export const AWAITING_VERIFIER: readonly HazardState[] = ['SUBMITTED', 'VERIFIED'];

export const HAZARD_GRADES = ['GENERAL', 'MAJOR'] as const; // 一般 / 重大
export type HazardGrade = (typeof HAZARD_GRADES)[number];

export const HAZARD_SOURCES = ['SELF_INSPECTION', 'SPOT_CHECK', 'SUPERVISION', 'REPORT'] as const;
export type HazardSource = (typeof HAZARD_SOURCES)[number];

/** `reviewer`: decides accountability cases; scope all (null), or a county or department code; reads hazards in that scope. */
export const ROLES = ['admin', 'office', 'department', 'county', 'enterprise', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who acts: an API key's or a signed-in person's identity, carried into every command and onto the ledger. */
export interface Actor {
  keyId: string;
  role: Role;
  /** Enterprise id, county code or department code the key belongs to; null for admin, office and a city-wide reviewer. */
  scope: string | null;
  name: string;
  /** Set when a person signed in (the console) acts: `keyId` is then `user:<userId>`. Absent for an API key. */
  kind?: 'user';
  userId?: string;
}

export const SYSTEM_ACTOR: Actor = { keyId: 'system', role: 'admin', scope: null, name: 'system' };

/** What a key's scope is compared with. */
export interface HazardScope {
  enterpriseId: string;
  countyCode: string;
  departmentCode: string;
}

export function canSee(actor: Actor, h: HazardScope): boolean {
  switch (actor.role) {
    case 'admin':
    case 'office':
      return true;
    case 'department':
      return actor.scope === h.departmentCode;
    case 'county':
      return actor.scope === h.countyCode;
    case 'enterprise':
      return actor.scope === h.enterpriseId;
    case 'reviewer':
      return actor.scope === null || actor.scope === h.countyCode || actor.scope === h.departmentCode;
  }
}

export const HAZARD_COMMANDS = [
  'listForSupervision',
  'submitRectification',
  'decideVerification',
  'close',
  'requestExtension',
  'decideExtension',
  'withdraw',
] as const;
export type HazardCommand = (typeof HAZARD_COMMANDS)[number];

const OPEN_STATES = HAZARD_STATES.filter((s) => !isTerminal(s));
const VERIFIERS = { GENERAL: ['enterprise', 'department', 'office', 'admin'], MAJOR: ['department', 'office', 'admin'] } as const;
const EXTENSION_APPROVERS = { GENERAL: ['county', 'department', 'office', 'admin'], MAJOR: ['department', 'office', 'admin'] } as const;

interface CommandRule {
  from: readonly HazardState[];
  actors: Readonly<Record<HazardGrade, readonly Role[]>>;
  /** Target state; null when the command leaves the state as it is (extensions). */
  to: HazardState | null;
}

export const COMMAND_RULES: Readonly<Record<HazardCommand, CommandRule>> = {
  // 挂牌督办: the supervising regulator lists a major hazard, once. Rectification does not wait for
  // it (the plan: 主要负责人领衔整治 at once, reported and listed in parallel); runs from before
  // the parallel track waited in REPORTED_TO_REGULATOR and move through LISTED_FOR_SUPERVISION.
  listForSupervision: { from: OPEN_STATES, actors: { GENERAL: [], MAJOR: ['department', 'office', 'admin'] }, to: null },
  submitRectification: { from: ['RECTIFYING'], actors: { GENERAL: ['enterprise', 'admin'], MAJOR: ['enterprise', 'admin'] }, to: 'SUBMITTED' },
  // Accept goes to VERIFIED; reject (reason required) back to RECTIFYING, see verificationTarget.
  decideVerification: { from: ['SUBMITTED'], actors: VERIFIERS, to: 'VERIFIED' },
  close: { from: ['VERIFIED'], actors: VERIFIERS, to: 'CLOSED' }, // 销号
  requestExtension: { from: OPEN_STATES.filter((s) => !AWAITING_VERIFIER.includes(s)), actors: { GENERAL: ['enterprise', 'admin'], MAJOR: ['enterprise', 'admin'] }, to: null },
  decideExtension: { from: OPEN_STATES, actors: EXTENSION_APPROVERS, to: null },
  withdraw: { from: OPEN_STATES, actors: { GENERAL: ['office', 'admin'], MAJOR: ['office', 'admin'] }, to: 'WITHDRAWN' },
};

/**
 * Transitions the workflow takes by itself, right after registration or listing. A major hazard
 * is reported to the regulator and, on the parallel track (`parallel`), goes on to rectification
 * at once; before it, it waited in REPORTED_TO_REGULATOR to be listed.
 */
export function automaticNext(state: HazardState, grade: HazardGrade, parallel = false): HazardState | null {
  if (state === 'REGISTERED') return grade === 'MAJOR' ? 'REPORTED_TO_REGULATOR' : 'RECTIFYING';
  if (state === 'REPORTED_TO_REGULATOR' && parallel) return 'RECTIFYING';
  if (state === 'LISTED_FOR_SUPERVISION') return 'RECTIFYING';
  return null;
}

/** Where listing for supervision (挂牌督办) takes a hazard: the waiting state moves on; elsewhere the state stays and the listing is recorded. */
export const listingTarget = (state: HazardState): HazardState | null => (state === 'REPORTED_TO_REGULATOR' ? 'LISTED_FOR_SUPERVISION' : null);

export interface HazardCommandContext extends HazardScope {
  state: HazardState;
  grade: HazardGrade;
  extensionPending: boolean;
  /** Listed for supervision already (挂牌督办 happens once). */
  listed?: boolean;
}

export type CommandCheck = { ok: true; to: HazardState | null } | Refusal;

/**
 * May `actor` issue `command` on this hazard now? Checks, in order: visibility (a hazard
 * outside the actor's scope does not exist for it), role, state, extension bookkeeping.
 */
export function checkCommand(command: HazardCommand, h: HazardCommandContext, actor: Actor): CommandCheck {
  if (!canSee(actor, h)) return { ok: false, code: ErrorCode.NOT_FOUND, reason: 'hazard not found' };
  const rule = COMMAND_RULES[command];
  if (!rule.actors[h.grade].includes(actor.role)) {
    return { ok: false, code: ErrorCode.FORBIDDEN, reason: `role '${actor.role}' may not ${command} a ${h.grade.toLowerCase()} hazard` };
  }
  if (!rule.from.includes(h.state)) {
    return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: `${command} is not allowed in state ${h.state}` };
  }
  if (command === 'listForSupervision' && h.listed) {
    return { ok: false, code: ErrorCode.ILLEGAL_TRANSITION, reason: 'the hazard is already listed for supervision' };
  }
  if (command === 'requestExtension' && h.extensionPending) {
    return { ok: false, code: ErrorCode.EXTENSION_PENDING, reason: 'an extension request is already waiting for a decision' };
  }
  if (command === 'decideExtension' && !h.extensionPending) {
    return { ok: false, code: ErrorCode.NO_EXTENSION_PENDING, reason: 'there is no extension request to decide' };
  }
  return { ok: true, to: rule.to };
}

export function verificationTarget(decision: VerificationDecision): HazardState {
  return decision === 'ACCEPT' ? 'VERIFIED' : 'RECTIFYING';
}

export type VerificationDecision = 'ACCEPT' | 'REJECT';
export type ExtensionDecision = 'APPROVE' | 'REFUSE';

export interface Attachment {
  name: string;
  contentType?: string;
  size?: number;
  sha256?: string;
  url?: string;
}

/** Command payloads as the workflow receives them (the API adds the actor). */
export interface CommandPayloads {
  listForSupervision: { note?: string };
  /** From the API: `evidence` is an excerpt and `contentId` names the full evidence on the ledger (db contents). */
  submitRectification: { evidence: string; attachments?: Attachment[]; contentId?: string };
  decideVerification: { decision: VerificationDecision; reason?: string };
  close: { note?: string };
  requestExtension: { requestedDeadline: string; reason: string };
  decideExtension: { decision: ExtensionDecision; deadline?: string; reason?: string };
  withdraw: { reason: string };
}

export type CommandInput<C extends HazardCommand> = CommandPayloads[C] & { actor: Actor };

/**
 * Rules on a payload's content that depend on the hazard and the time (schemas check shapes).
 * Deadlines here are absolute ISO instants; the API has already resolved local dates.
 */
export function checkPayload<C extends HazardCommand>(
  command: C,
  payload: CommandPayloads[C],
  h: { deadline: number; requestedDeadline?: number | null },
  now: number,
): FieldError[] {
  // Text the ledger cannot hold is refused before the command is accepted, never after.
  const errors: FieldError[] = unstorableFields(payload);
  const p = payload as CommandPayloads[HazardCommand] & Record<string, unknown>;
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  if (command === 'submitRectification' && blank(p.evidence)) errors.push({ field: 'evidence', reason: 'evidence of the rectification is required' });
  if (command === 'decideVerification' && p.decision === 'REJECT' && blank(p.reason)) {
    errors.push({ field: 'reason', reason: 'a rejection needs a reason the enterprise can act on' });
  }
  if (command === 'withdraw' && blank(p.reason)) errors.push({ field: 'reason', reason: 'a withdrawal needs a reason' });
  if (command === 'requestExtension') {
    if (blank(p.reason)) errors.push({ field: 'reason', reason: 'an extension request needs a reason' });
    const at = Date.parse(String(p.requestedDeadline));
    if (Number.isNaN(at)) errors.push({ field: 'requestedDeadline', reason: 'not a date-time' });
    else if (at <= h.deadline) errors.push({ field: 'requestedDeadline', reason: 'must be later than the current deadline' });
    else if (at <= now) errors.push({ field: 'requestedDeadline', reason: 'must be in the future' });
    else if (at > now + MAX_DEADLINE_AHEAD_MS) errors.push({ field: 'requestedDeadline', reason: 'must be within a hundred years' });
  }
  if (command === 'decideExtension') {
    if (p.decision === 'REFUSE' && blank(p.reason)) errors.push({ field: 'reason', reason: 'a refusal needs a reason' });
    if (p.decision === 'APPROVE') {
      const at = p.deadline !== undefined ? Date.parse(String(p.deadline)) : (h.requestedDeadline ?? Number.NaN);
      const field = p.deadline !== undefined ? 'deadline' : 'requestedDeadline';
      if (Number.isNaN(at)) errors.push({ field, reason: 'not a date-time' });
      else if (at <= now) errors.push({ field, reason: 'the new deadline must be in the future; approve with a later deadline' });
      else if (at > now + MAX_DEADLINE_AHEAD_MS) errors.push({ field, reason: 'must be within a hundred years' });
    }
  }
  return errors;
}

/** Ledger event types (append-only hazard_events.type). Wire values: never rename. */
export const HAZARD_EVENT_TYPES = [
  'REGISTERED',
  'REPORTED_TO_REGULATOR',
  'LISTED_FOR_SUPERVISION',
  'RECTIFICATION_STARTED',
  'RECTIFICATION_SUBMITTED',
  'VERIFICATION_ACCEPTED',
  'VERIFICATION_REJECTED',
  'CLOSED',
  'EXTENSION_REQUESTED',
  'EXTENSION_APPROVED',
  'EXTENSION_REFUSED',
  'WITHDRAWN',
  'REMINDER_SENT',
  'REMINDER_SKIPPED',
  'OVERDUE',
  'ESCALATED',
  'REASSIGNED',
] as const;
export type HazardEventType = (typeof HAZARD_EVENT_TYPES)[number];

export const NOTIFICATION_KINDS = [
  'REMINDER',
  'OVERDUE',
  'REPORTED_TO_REGULATOR',
  'LISTED_FOR_SUPERVISION',
  'REJECTED',
  'EXTENSION_DECIDED',
  'ESCALATED',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface PendingExtension {
  requestedDeadline: string;
  reason: string;
  requestedAt: string;
  requestedBy: Actor;
}
