// Reminder and escalation policies are data. The timer schedule is a pure function of
// (deadline, policy, armedAt, time zone): the workflow only waits for its next event.
import { approxDays, calendarPart, isCalendarOnly, parseDuration, timePartMs, type Duration } from './duration';
import type { HazardGrade } from './hazard';
import type { FieldError } from './errors';
import { addToLocalDate, instantOfLocal, isValidLocalTime, localDateOf, localTimeOf } from './time';

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

/** A policy step (an offset, an escalation, a review time): an ISO-8601 duration of at most five years. */
export function checkPolicyStep(text: unknown, field: string, example: string): FieldError | null {
  const d = typeof text === 'string' ? parseDuration(text) : null;
  if (!d) return { field, reason: `'${String(text)}' is not an ISO-8601 duration such as ${example}` };
  if (!(approxDays(d) <= MAX_POLICY_STEP_DAYS)) return { field, reason: `'${String(text)}' is longer than five years` };
  return null;
}

export function validatePolicyOverride(override: HazardPolicyOverride, path = 'policy'): FieldError[] {
  const errors: FieldError[] = [];
  override.reminderOffsets?.forEach((o, i) => {
    const e = checkPolicyStep(o, `${path}.reminderOffsets[${i}]`, 'P3D or PT30S');
    if (e) errors.push(e);
  });
  if (override.escalationAfter !== undefined) {
    const e = checkPolicyStep(override.escalationAfter, `${path}.escalationAfter`, 'P7D');
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
}

const KIND_ORDER: Record<TimerEventKind, number> = { REMINDER: 0, OVERDUE: 1, ESCALATION: 2 };

export function hazardSchedule({ deadline, policy, timeZone, armedAt }: ScheduleInput): TimerEvent[] {
  const events: TimerEvent[] = [];
  const reminderInstants = new Set<number>();
  for (const offset of policy.reminderOffsets) {
    const d = parseDuration(offset);
    if (!d) throw new RangeError(`invalid reminder offset ${offset}`);
    let at: number;
    if (isCalendarOnly(d)) {
      const day = addToLocalDate(localDateOf(deadline, timeZone), calendarPart(d, -1));
      at = instantOfLocal(day, policy.sendTime, timeZone);
    } else {
      at = shiftInstant(deadline, d, -1, timeZone);
    }
    // A reminder after the deadline, before arming, or at an instant another offset already uses, is no reminder.
    if (at >= deadline || at < armedAt || reminderInstants.has(at)) continue;
    reminderInstants.add(at);
    events.push({ key: `reminder:${offset}`, kind: 'REMINDER', at, offset });
  }
  events.push({ key: 'overdue', kind: 'OVERDUE', at: deadline });
  const esc = parseDuration(policy.escalationAfter);
  if (!esc) throw new RangeError(`invalid escalation step ${policy.escalationAfter}`);
  events.push({ key: 'escalation', kind: 'ESCALATION', at: shiftInstant(deadline, esc, 1, timeZone), offset: policy.escalationAfter });
  return events.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}
