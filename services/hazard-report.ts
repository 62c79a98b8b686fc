// Turns a hazard report (the API body) into a ledger row, checking what schemas cannot:
// the deadline in the hazard's zone, the policy override, the enterprise's scope.
import { createHash, randomUUID } from 'node:crypto';
import type { NewHazardRow } from '../db/hazards.repo';
import type { enterprises } from '../db/schema';
import { canonicalJson } from '../domain/canonical-json';
import type { FieldError } from '../domain/errors';
import { MAX_DEADLINE_AHEAD_MS, type Actor, type HazardGrade, type HazardSource } from '../domain/hazard';
import { hazardSchedule, resolvePolicy, usesWorkingDays, validatePolicyOverride, type HazardPolicy, type HazardPolicyOverride } from '../domain/policy';
import { DEFAULT_TIME_ZONE, endOfLocalDay, isValidTimeZone, localDateOf, parseDeadline } from '../domain/time';
import { addWorkingDays, CalendarRangeError, parseWorkingDays, type WorkingCalendar } from '../domain/working-days';
import { hazardWorkflowId } from '../workflows/ids';

export interface PersonInput {
  name: string;
  email?: string;
  phone?: string;
}

export interface HazardReport {
  enterpriseId?: string;
  grade: HazardGrade;
  source?: HazardSource;
  description: string;
  location: string;
  industry?: string;
  responsible: PersonInput;
  measures: string;
  fundsAmount: number;
  /** YYYY-MM-DD (end of that day in the zone), local YYYY-MM-DDTHH:mm, an instant with offset, or P15WD (the end of the 15th working day after today). */
  deadline: string;
  interimControls: string;
  principal?: PersonInput;
  timeZone?: string;
  policy?: HazardPolicyOverride;
  /** The campaign it was found in, when any. */
  campaignId?: string;
}

type Enterprise = typeof enterprises.$inferSelect;

/** Canonical JSON (sorted keys) hashed: the same body under the same key is the same request. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** A campaign template's hazard policies, per grade (validated with the template). */
export type CampaignHazardPolicies = Partial<Record<HazardGrade, HazardPolicyOverride>>;

/**
 * The row of a reported hazard. Its policy resolves in layers: the grade's default, then the
 * policies of the campaign it was found in (`campaignPolicies`, its template's), then the
 * report's own override where the caller may set one (domain/access forbiddenReportFields).
 */
export function buildHazardRow(
  report: HazardReport,
  enterprise: Enterprise,
  actor: Actor,
  now: number,
  idempotency?: { key: string },
  campaignPolicies?: CampaignHazardPolicies,
  calendar?: WorkingCalendar,
): { ok: true; row: NewHazardRow } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const timeZone = report.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) errors.push({ field: 'timeZone', reason: `'${timeZone}' is not an IANA time zone` });
  const zoneOk = isValidTimeZone(timeZone);
  const workingDays = parseWorkingDays(report.deadline);
  const deadline = !zoneOk ? null : workingDays !== null ? workingDaysDeadline(workingDays, now, timeZone, calendar, errors) : parseDeadline(report.deadline, timeZone);
  if (deadline === null && zoneOk && workingDays === null) errors.push({ field: 'deadline', reason: 'expected YYYY-MM-DD, YYYY-MM-DDTHH:mm (local), an ISO instant with offset, or working days such as P15WD' });
  else if (deadline !== null && deadline <= now) errors.push({ field: 'deadline', reason: 'the deadline must be in the future' });
  else if (deadline !== null && deadline > now + MAX_DEADLINE_AHEAD_MS) errors.push({ field: 'deadline', reason: 'the deadline must be within a hundred years' });
  if (report.policy) errors.push(...validatePolicyOverride(report.policy, 'policy', { workingDays: true }));
  for (const [field, value] of [['description', report.description], ['location', report.location], ['measures', report.measures], ['interimControls', report.interimControls], ['responsible.name', report.responsible.name]] as const) {
    if (value.trim() === '') errors.push({ field, reason: 'must not be blank' });
  }
  if (errors.length > 0 || deadline === null) return { ok: false, errors };
  const policy = resolvePolicy(report.grade, campaignPolicies?.[report.grade], report.policy);
  const calendarError = checkWorkingDaySchedule(policy, deadline, now, timeZone, calendar);
  if (calendarError) return { ok: false, errors: [calendarError] };
  const id = randomUUID();
  const principal = report.principal ?? { name: enterprise.principalName, email: enterprise.principalEmail ?? undefined, phone: enterprise.principalPhone ?? undefined };
  return {
    ok: true,
    row: {
      id,
      enterpriseId: enterprise.id,
      countyCode: enterprise.countyCode,
      departmentCode: enterprise.departmentCode,
      industry: report.industry ?? enterprise.industry,
      grade: report.grade,
      source: report.source ?? 'SELF_INSPECTION',
      description: report.description.trim(),
      location: report.location.trim(),
      responsibleName: report.responsible.name.trim(),
      responsibleEmail: report.responsible.email ?? null,
      responsiblePhone: report.responsible.phone ?? null,
      measures: report.measures,
      fundsAmount: report.fundsAmount.toFixed(2),
      deadline: new Date(deadline),
      interimControls: report.interimControls,
      principalName: principal.name,
      principalEmail: principal.email ?? null,
      principalPhone: principal.phone ?? null,
      timeZone,
      policy,
      workflowId: hazardWorkflowId(id),
      reportedBy: actor,
      // Scoped to the caller's organisation, so a portal keeps its keys across API-key rotation.
      idempotencyScope: idempotency ? `${actor.role}:${actor.scope ?? actor.keyId}` : null,
      idempotencyKey: idempotency?.key ?? null,
      campaignId: report.campaignId ?? null,
      requestHash: idempotency ? requestHash(report) : null,
    },
  };
}

const addYear = (year: string): string => `the office adds ${year} with PUT /v1/calendar/years/${year}`;

/** "P15WD": the end of the 15th working day after the report's local day. */
function workingDaysDeadline(n: number, now: number, timeZone: string, calendar: WorkingCalendar | undefined, errors: FieldError[]): number | null {
  if (!calendar) {
    errors.push({ field: 'deadline', reason: 'a deadline in working days is not taken here' });
    return null;
  }
  try {
    return endOfLocalDay(addWorkingDays(calendar, localDateOf(now, timeZone), n), timeZone);
  } catch (err) {
    if (!(err instanceof CalendarRangeError)) throw err;
    errors.push({ field: 'deadline', reason: `${err.message}: ${addYear(err.date.slice(0, 4))}` });
    return null;
  }
}

/** A policy counting working days must be computable on the calendar for this deadline: never a guess later. */
function checkWorkingDaySchedule(policy: HazardPolicy, deadline: number, now: number, timeZone: string, calendar: WorkingCalendar | undefined): FieldError | null {
  if (!usesWorkingDays(policy)) return null;
  if (!calendar) return { field: 'policy', reason: 'a policy in working days (P3WD) is not taken here' };
  try {
    hazardSchedule({ deadline, policy, timeZone, armedAt: now, calendar });
    return null;
  } catch (err) {
    if (!(err instanceof CalendarRangeError)) throw err;
    return { field: 'policy', reason: `the schedule of ${[...policy.reminderOffsets, policy.escalationAfter].join(', ')} for this deadline reaches a day ${err.message}: ${addYear(err.date.slice(0, 4))}` };
  }
}
