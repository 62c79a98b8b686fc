// Working days (工作日) on an injected calendar: China's public holidays and the make-up working
// days (调休) that move every year. Pure: the calendar is an argument, never looked up here, so the
// schedule stays a function of (deadline, policy, calendar) and the workflow sandbox can use it.
// A day in a year the calendar does not know is an error, never a guess from the weekday.
import { addToLocalDate, parseLocalDate } from './time';

export interface WorkingCalendar {
  /** Which data this is (package version + the office's overrides): a workflow keeps the one it was armed with. */
  version: string;
  /** The years whose holidays and make-up days are known, ascending. */
  years: number[];
  /** Days off that would be working days by their weekday (and holiday weekends), date → name. */
  holidays: Record<string, string>;
  /** Weekend days that are working days (调休上班), date → name. */
  workdays: Record<string, string>;
}

export class CalendarRangeError extends RangeError {
  constructor(
    readonly date: string,
    readonly years: number[],
  ) {
    super(`the working-day calendar does not know ${date.slice(0, 4)} (it knows ${describeYears(years)})`);
    this.name = 'CalendarRangeError';
  }
}

export function describeYears(years: number[]): string {
  if (years.length === 0) return 'no year';
  const first = years[0]!;
  const last = years.at(-1)!;
  return years.length === last - first + 1 ? `${first}–${last}` : years.join(', ');
}

/** "P15WD": 15 working days. Written like an ISO-8601 duration so it sits beside P3D in a policy. */
const WORKING_DAYS_RE = /^P(\d{1,3})WD$/;

export function parseWorkingDays(text: string): number | null {
  const m = WORKING_DAYS_RE.exec(text);
  return m ? Number(m[1]) : null;
}

export const isWorkingDaysStep = (text: string): boolean => parseWorkingDays(text) !== null;

export type DayKind = 'WORKDAY' | 'WEEKEND' | 'HOLIDAY' | 'MAKE_UP_WORKDAY';

export interface DayInfo {
  date: string;
  working: boolean;
  kind: DayKind;
  /** The holiday's or the make-up day's name (e.g. "Spring Festival,春节,4"). */
  name: string | null;
}

/** Whether a local date (YYYY-MM-DD) is a working day; throws CalendarRangeError outside the known years. */
export function dayInfo(cal: WorkingCalendar, date: string): DayInfo {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`'${date}' is not a date YYYY-MM-DD`);
  if (!cal.years.includes(p.year)) throw new CalendarRangeError(date, cal.years);
  const workday = cal.workdays[date];
  if (workday !== undefined) return { date, working: true, kind: 'MAKE_UP_WORKDAY', name: workday };
  const holiday = cal.holidays[date];
  if (holiday !== undefined) return { date, working: false, kind: 'HOLIDAY', name: holiday };
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  return { date, working: !weekend, kind: weekend ? 'WEEKEND' : 'WORKDAY', name: null };
}

export const isWorkingDay = (cal: WorkingCalendar, date: string): boolean => dayInfo(cal, date).working;

/**
 * The n-th working day after `date` (n > 0) or before it (n < 0), `date` itself not counted;
 * n = 0 is `date`. "15个工作日内" from a report on day D is addWorkingDays(D, 15).
 */
export function addWorkingDays(cal: WorkingCalendar, date: string, n: number): string {
  let day = date;
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; ) {
    day = addToLocalDate(day, { days: step });
    if (isWorkingDay(cal, day)) left -= 1;
  }
  return day;
}

/** The part of a calendar that covers `years` (those it knows): what a workflow carries. */
export function calendarSlice(cal: WorkingCalendar, years: number[]): WorkingCalendar {
  const keep = cal.years.filter((y) => years.includes(y));
  const inYears = (d: string): boolean => keep.includes(Number(d.slice(0, 4)));
  const pick = (r: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(r).filter(([d]) => inYears(d)));
  return { version: cal.version, years: keep, holidays: pick(cal.holidays), workdays: pick(cal.workdays) };
}
