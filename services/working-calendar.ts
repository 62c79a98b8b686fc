// The working-day calendar in force: China's public holidays and make-up working days (调休) from
// the chinese-days package (its data file, read once), with the office's overrides per year on top
// (db/calendar.repo). Its version names both, so a workflow can say which calendar it was armed with.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Db } from '../db/client';
import { listCalendarYears, type CalendarYearRow } from '../db/calendar.repo';
import { canonicalJson } from '../domain/canonical-json';
import { usesWorkingDays } from '../domain/policy';
import { calendarSlice, isWorkingDaysStep, type WorkingCalendar } from '../domain/working-days';
import type { CampaignHazardPolicies, HazardReport } from './hazard-report';

const require = createRequire(import.meta.url);

interface PackagedDays {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let packaged: { data: PackagedDays; version: string; years: number[] } | null = null;

/** The package's data: loaded lazily, once per process (about 50 KB). */
export function packagedCalendar(): { data: PackagedDays; version: string; years: number[] } {
  if (!packaged) {
    const data = require('chinese-days/dist/chinese-days.json') as PackagedDays;
    const { version } = require('chinese-days/package.json') as { version: string };
    const years = [...new Set([...Object.keys(data.holidays), ...Object.keys(data.workdays)].map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);
    packaged = { data, version: `chinese-days@${version}`, years };
  }
  return packaged;
}

/** The package's calendar with the office's years laid over it: a year it writes is known from then on. */
export function composeCalendar(overrides: Pick<CalendarYearRow, 'year' | 'days'>[]): WorkingCalendar {
  const { data, version, years } = packagedCalendar();
  const holidays = { ...data.holidays };
  const workdays = { ...data.workdays };
  for (const o of overrides) {
    for (const d of o.days) {
      if (d.kind === 'HOLIDAY') {
        holidays[d.date] = d.name;
        delete workdays[d.date];
      } else {
        workdays[d.date] = d.name;
        delete holidays[d.date];
      }
    }
  }
  const known = [...new Set([...years, ...overrides.map((o) => o.year)])].sort((a, b) => a - b);
  const sorted = [...overrides].sort((a, b) => a.year - b.year).map((o) => ({ year: o.year, days: o.days }));
  const digest = sorted.length === 0 ? '' : `+office:${createHash('sha256').update(canonicalJson(sorted)).digest('hex').slice(0, 12)}`;
  return { version: `${version}${digest}`, years: known, holidays, workdays };
}

export async function loadWorkingCalendar(db: Db): Promise<WorkingCalendar> {
  return composeCalendar(await listCalendarYears(db));
}

/**
 * What a hazard workflow carries: the years around its deadline (the year before for reminders,
 * two after for escalation and extensions), about 1 KB a year, fixed for the workflow's life.
 */
export function calendarForDeadline(cal: WorkingCalendar, deadline: Date): WorkingCalendar {
  const y = deadline.getUTCFullYear();
  return calendarSlice(cal, [y - 1, y, y + 1, y + 2]);
}

/** The calendar, loaded only when a report (its deadline or a policy layer) counts working days. */
export async function calendarIfNeeded(db: Db, reports: HazardReport[], campaignPolicies?: CampaignHazardPolicies): Promise<WorkingCalendar | undefined> {
  const layers = [...reports.map((r) => r.policy), ...Object.values(campaignPolicies ?? {})];
  const needed = reports.some((r) => typeof r.deadline === 'string' && isWorkingDaysStep(r.deadline)) || layers.some((p) => p !== undefined && usesWorkingDays(p));
  return needed ? loadWorkingCalendar(db) : undefined;
}
