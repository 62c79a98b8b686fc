// Calendar maths in a named time zone without a clock: every function takes the instant it needs.
// Pure and deterministic, so the workflow sandbox can use it (Intl is part of V8, not Node).

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const w = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

export function parseLocalDate(date: string): { year: number; month: number; day: number } | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function isValidLocalTime(time: string): boolean {
  const m = TIME_RE.exec(time);
  return !!m && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` `time`. Where a clock change
 * makes the time ambiguous (fall back) the earlier instant wins; where it skips the time (spring
 * forward, or a midnight that does not exist) the clock reading is moved forward by the gap,
 * as RFC 9557 / Temporal's 'compatible' disambiguation does.
 */
export function instantOfLocal(date: string, time: string, timeZone: string): number {
  const d = parseLocalDate(date);
  const t = TIME_RE.exec(time);
  if (!d || !t) throw new RangeError(`invalid local date/time: ${date} ${time}`);
  const ms = Number((t[4] ?? '0').padEnd(3, '0'));
  const asUtc = Date.UTC(d.year, d.month - 1, d.day, Number(t[1]), Number(t[2]), Number(t[3] ?? 0), ms);
  // Offsets in force half a day either side cover any single transition near this reading.
  const before = zoneOffsetMs(asUtc - DAY_MS / 2, timeZone);
  const after = zoneOffsetMs(asUtc + DAY_MS / 2, timeZone);
  const candidates = [asUtc - before, asUtc - after].filter((c) => c + zoneOffsetMs(c, timeZone) === asUtc);
  return candidates.length > 0 ? Math.min(...candidates) : asUtc - before;
}

/** The local calendar date (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDateOf(instantMs: number, timeZone: string): string {
  const w = wallClock(instantMs, timeZone);
  return `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)}`;
}

/** Local wall-clock time (HH:mm:ss) of an instant in `timeZone`. */
export function localTimeOf(instantMs: number, timeZone: string): string {
  const w = wallClock(instantMs, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Days in a month (1-12) of the proleptic Gregorian calendar: 29 in February 2024, 28 in February 2023. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Calendar arithmetic on local dates: months clamp to the month's last day (01-31 + P1M = 02-29). */
export function addToLocalDate(date: string, delta: { years?: number; months?: number; days?: number }): string {
  const d = parseLocalDate(date);
  if (!d) throw new RangeError(`invalid local date: ${date}`);
  const totalMonths = d.year * 12 + (d.month - 1) + (delta.years ?? 0) * 12 + (delta.months ?? 0);
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const base = Date.UTC(year, month, Math.min(d.day, daysInMonth(year, month + 1))) + (delta.days ?? 0) * DAY_MS;
  return new Date(base).toISOString().slice(0, 10);
}

/** End of a local day: the last millisecond before the next local midnight. */
export function endOfLocalDay(date: string, timeZone: string): number {
  return instantOfLocal(addToLocalDate(date, { days: 1 }), '00:00', timeZone) - 1;
}

const ZONED_DATETIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATETIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)$/;

/**
 * A deadline as users write it: a date alone means the end of that day in the zone;
 * a date-time without offset is local wall-clock time; with an offset it is absolute.
 * Returns null when the text is none of these.
 */
export function parseDeadline(text: string, timeZone: string): number | null {
  try {
    return parseDeadlineOrThrow(text, timeZone);
  } catch {
    // Calendar maths beyond year 9999 (or an unknown zone) is no deadline either.
    return null;
  }
}

function parseDeadlineOrThrow(text: string, timeZone: string): number | null {
  if (DATE_RE.test(text)) return parseLocalDate(text) ? endOfLocalDay(text, timeZone) : null;
  const local = LOCAL_DATETIME_RE.exec(text);
  if (local) {
    return parseLocalDate(local[1]!) && isValidLocalTime(local[2]!) ? instantOfLocal(local[1]!, local[2]!, timeZone) : null;
  }
  const zoned = ZONED_DATETIME_RE.exec(text);
  // Date.parse rolls 02-30 over into March: check the calendar fields ourselves first.
  if (!zoned || !parseLocalDate(zoned[1]!) || !isValidLocalTime(zoned[2]!)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
