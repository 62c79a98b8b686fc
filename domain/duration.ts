// ISO-8601 durations (PnYnMnWnDTnHnMnS). Policies are written in them so a demo can use seconds.

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION_RE =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

export function parseDuration(text: string): Duration | null {
  const m = DURATION_RE.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== null;
}

/** True when the duration counts calendar days only (no hours, minutes or seconds). */
export function isCalendarOnly(d: Duration): boolean {
  return d.hours === 0 && d.minutes === 0 && d.seconds === 0;
}

export function timePartMs(d: Duration): number {
  return Math.round(((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000);
}

export function calendarPart(d: Duration, sign: 1 | -1): { years: number; months: number; days: number } {
  return { years: sign * d.years, months: sign * d.months, days: sign * (d.weeks * 7 + d.days) };
}

/** Rough length in days (a year 366, a month 31): enough to bound what a policy may ask for. */
export function approxDays(d: Duration): number {
  return d.years * 366 + d.months * 31 + d.weeks * 7 + d.days + timePartMs(d) / 86_400_000;
}
