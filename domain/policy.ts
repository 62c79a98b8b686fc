// Reminder and escalation policies are data. The timer schedule is a pure function of
// (deadline, policy, armedAt, time zone): the workflow only waits for its next event.
import { approxDays, calendarPart, isCalendarOnly, parseDuration, timePartMs, type Duration } from './duration';
import type { HazardGrade } from './hazard';
import type { FieldError } from './errors';
import { addToLocalDate, instantOfLocal, isValidLocalTime, localDateOf, localTimeOf } from './time';
import { addWorkingDays, parseWorkingDays, type WorkingCalendar } from './working-days';

export interface HazardPolicy {
  /** Offsets before the deadline, e.g. P3D. Calendar-only offsets are sent at `sendTime` local. */
  reminderOffsets: string[];
  /** How long after the deadline the hazard is raised for accountability review. */
  escalationAfter: string;
  /** Local wall-clock time (HH:mm) at which day-offset reminders go out: never in the night. */
  sendTime: string;
}

export type HazardPolicyOverride = Partial<HazardPolicy>;

export const DEFAULT_HAZARD_POLICIES: Readonly<Record<HazardGrade, HazardPolicy>> = {
  GENERAL: { reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P7D', sendTime: '09:00' },
  MAJOR: { reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '09:00' },
};

/** No policy step may be longer than this: the schedule must stay computable and meaningful. */
export const MAX_POLICY_STEP_DAYS = 5 * 366;

/** No policy step in working days may be longer than this (under a year: the calendar a workflow carries spans the year before its deadline to two after). */
export const MAX_WORKING_DAYS_STEP = 200;

/**
 * A policy step (an offset, an escalation, a review time): an ISO-8601 duration of at most five
 * years, or, where `workingDays` allows it (a hazard's policy), working days written `P15WD`.
 */
export function checkPolicyStep(text: unknown, field: string, example: string, opts: { workingDays?: boolean } = {}): FieldError | null {
  const wd = opts.workingDays && typeof text === 'string' ? parseWorkingDays(text) : null;
  if (wd !== null) return wd <= MAX_WORKING_DAYS_STEP ? null : { field, reason: `'${String(text)}' is more than ${MAX_WORKING_DAYS_STEP} working days` };
  const d = typeof text === 'string' ? parseDuration(text) : null;
  if (!d) return { field, reason: `'${String(text)}' is not an ISO-8601 duration such as ${example}` };
  if (!(approxDays(d) <= MAX_POLICY_STEP_DAYS)) return { field, reason: `'${String(text)}' is longer than five years` };
  return null;
}

/** `workingDays`: the policy may count in working days (`P3WD`): a hazard's, whose workflow carries a calendar. */
export function validatePolicyOverride(override: HazardPolicyOverride, path = 'policy', opts: { workingDays?: boolean } = {}): FieldError[] {
  const errors: FieldError[] = [];
  override.reminderOffsets?.forEach((o, i) => {
    const e = checkPolicyStep(o, `${path}.reminderOffsets[${i}]`, opts.workingDays ? 'P3D, P2WD or PT30S' : 'P3D or PT30S', opts);
    if (e) errors.push(e);
  });
  if (override.escalationAfter !== undefined) {
    const e = checkPolicyStep(override.escalationAfter, `${path}.escalationAfter`, opts.workingDays ? 'P7D or P5WD' : 'P7D', opts);
    if (e) errors.push(e);
  }
  if (override.sendTime !== undefined && !isValidLocalTime(override.sendTime)) {
    errors.push({ field: `${path}.sendTime`, reason: `'${override.sendTime}' is not a local time HH:mm` });
  }
  return errors;
}

/** Later layers win: grade default, then campaign, then the hazard's own override. */
export function resolvePolicy(grade: HazardGrade, ...overrides: (HazardPolicyOverride | undefined)[]): HazardPolicy {
  return layerPolicy(DEFAULT_HAZARD_POLICIES[grade], ...overrides);
}

/** Later layers win over `base` (an enforcement order's default policy, a grade's). Call validatePolicyOverride first. */
export function layerPolicy(base: HazardPolicy, ...overrides: (HazardPolicyOverride | undefined)[]): HazardPolicy {
  let policy: HazardPolicy = { ...base };
  for (const o of overrides) {
    // An explicitly undefined field keeps the layer below, as validatePolicyOverride treats it.
    if (o) policy = { ...policy, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  }
  return { ...policy, reminderOffsets: [...policy.reminderOffsets] };
}

/** Whether any step of the policy counts working days: its schedule needs a calendar. */
export function usesWorkingDays(policy: HazardPolicyOverride): boolean {
  return [...(policy.reminderOffsets ?? []), ...(policy.escalationAfter !== undefined ? [policy.escalationAfter] : [])].some((s) => parseWorkingDays(s) !== null);
}

/** Moves an instant by a duration: calendar parts on the local wall clock, time parts in absolute time. */
export function shiftInstant(instantMs: number, d: Duration, sign: 1 | -1, timeZone: string): number {
  const cal = calendarPart(d, sign);
  let result = instantMs;
  if (cal.years || cal.months || cal.days) {
    const ms = ((instantMs % 1000) + 1000) % 1000;
    const time = `${localTimeOf(instantMs, timeZone)}.${String(ms).padStart(3, '0')}`;
    result = instantOfLocal(addToLocalDate(localDateOf(instantMs, timeZone), cal), time, timeZone);
  }
  return result + sign * timePartMs(d);
}

export type TimerEventKind = 'REMINDER' | 'OVERDUE' | 'ESCALATION';

export interface TimerEvent {
  /** Stable within one deadline version: `reminder:P3D`, `overdue`, `escalation`. */
  key: string;
  kind: TimerEventKind;
  at: number;
  offset?: string;
}

export interface ScheduleInput {
  deadline: number;
  policy: HazardPolicy;
  timeZone: string;
  /** When this deadline version was armed (registration or extension): reminders before it are skipped, never sent late in a burst. */
  armedAt: number;
  /** Needed when a step counts working days (P3WD); a day outside its years throws CalendarRangeError. */
  calendar?: WorkingCalendar;
}

function requireCalendar(calendar: WorkingCalendar | undefined, step: string): WorkingCalendar {
  if (!calendar) throw new RangeError(`the step ${step} counts working days, but no calendar was given`);
  return calendar;
}

const KIND_ORDER: Record<TimerEventKind, number> = { REMINDER: 0, OVERDUE: 1, ESCALATION: 2 };

export function hazardSchedule({ deadline, policy, timeZone, armedAt, calendar }: ScheduleInput): TimerEvent[] {
  const events: TimerEvent[] = [];
  const reminderInstants = new Set<number>();
  for (const offset of policy.reminderOffsets) {
    const wd = parseWorkingDays(offset);
    const d = wd === null ? parseDuration(offset) : null;
    if (wd === null && !d) throw new RangeError(`invalid reminder offset ${offset}`);
    let at: number;
    if (wd !== null) {
      // n working days before the deadline's day, at the send time: a reminder never lands on a day off.
      const day = addWorkingDays(requireCalendar(calendar, offset), localDateOf(deadline, timeZone), -wd);
      at = instantOfLocal(day, policy.sendTime, timeZone);
    } else if (isCalendarOnly(d!)) {
      const day = addToLocalDate(localDateOf(deadline, timeZone), calendarPart(d!, -1));
      at = instantOfLocal(day, policy.sendTime, timeZone);
    } else {
      at = shiftInstant(deadline, d!, -1, timeZone);
    }
    // A reminder after the deadline, before arming, or at an instant another offset already uses, is no reminder.
    if (at >= deadline || at < armedAt || reminderInstants.has(at)) continue;
    reminderInstants.add(at);
    events.push({ key: `reminder:${offset}`, kind: 'REMINDER', at, offset });
  }
  events.push({ key: 'overdue', kind: 'OVERDUE', at: deadline });
  const escWd = parseWorkingDays(policy.escalationAfter);
  let escAt: number;
  if (escWd !== null) {
    // n working days after the deadline's day, at the deadline's local time of day.
    escAt = shiftByWorkingDays(deadline, escWd, requireCalendar(calendar, policy.escalationAfter), timeZone);
  } else {
    const esc = parseDuration(policy.escalationAfter);
    if (!esc) throw new RangeError(`invalid escalation step ${policy.escalationAfter}`);
    escAt = shiftInstant(deadline, esc, 1, timeZone);
  }
  events.push({ key: 'escalation', kind: 'ESCALATION', at: escAt, offset: policy.escalationAfter });
  return events.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** The instant n working days after (n < 0: before) an instant's local day, at the same local time of day. */
export function shiftByWorkingDays(instantMs: number, n: number, calendar: WorkingCalendar, timeZone: string): number {
  const ms = ((instantMs % 1000) + 1000) % 1000;
  const time = `${localTimeOf(instantMs, timeZone)}.${String(ms).padStart(3, '0')}`;
  return instantOfLocal(addWorkingDays(calendar, localDateOf(instantMs, timeZone), n), time, timeZone);
}
