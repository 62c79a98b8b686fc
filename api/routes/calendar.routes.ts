// The working-day calendar: read by every key (deadlines in working days are counted on it), its
// yearly overrides written by the office. A date outside the known years is a 422, never a guess.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { deleteCalendarYear, listCalendarYears, putCalendarYear, type CalendarYearRow } from '../../db/calendar.repo';
import { invalidInput, type FieldError } from '../../domain/errors';
import { parseLocalDate } from '../../domain/time';
import { addWorkingDays, CalendarRangeError, dayInfo, type WorkingCalendar } from '../../domain/working-days';
import { composeCalendar, packagedCalendar } from '../../services/working-calendar';
import { requireRole } from '../plugins/auth';
import { CalendarView, CalendarYearBody, CalendarYearView, DaysQuery, DaysView, WorkingDaysQuery, WorkingDaysView, YearParams } from '../schemas/calendar';
import { errorResponses } from '../schemas/common';

const DAY_MS = 86_400_000;
const yearView = (r: CalendarYearRow) => ({ year: r.year, days: r.days, updatedAt: r.updatedAt.toISOString(), updatedBy: r.updatedBy.name });

/** A date the calendar cannot count is the caller's field at fault. */
function counted<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CalendarRangeError) throw invalidInput([{ field, reason: `${err.message}: the office adds a year with PUT /v1/calendar/years/{year}` }]);
    throw err;
  }
}

function checkDate(field: string, date: string): void {
  if (!parseLocalDate(date)) throw invalidInput([{ field, reason: `'${date}' is not a date` }]);
}

export const calendarRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const load = async (): Promise<{ cal: WorkingCalendar; rows: CalendarYearRow[] }> => {
    const rows = await listCalendarYears(db);
    return { cal: composeCalendar(rows), rows };
  };

  app.get(
    '/calendar',
    { schema: { tags: ['calendar'], summary: "The working-day calendar in force: its version, the known years and the office's overrides", response: { 200: CalendarView, ...errorResponses } } },
    async () => {
      const { cal, rows } = await load();
      return { version: cal.version, source: packagedCalendar().version, years: cal.years, overrides: rows.map(yearView) };
    },
  );

  app.get(
    '/calendar/days',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Each day from `from` to `to` (inclusive, at most 366 days): working or not, and why (weekend, holiday, make-up working day 调休)',
        querystring: DaysQuery,
        response: { 200: DaysView, ...errorResponses },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      checkDate('querystring.from', from);
      checkDate('querystring.to', to);
      const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;
      if (span < 0 || span > 365) throw invalidInput([{ field: 'querystring.to', reason: 'must be on or after `from`, at most 366 days in all' }]);
      const { cal } = await load();
      const days = [];
      for (let i = 0; i <= span; i += 1) {
        const date = new Date(Date.parse(`${from}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10);
        days.push(counted(i === 0 ? 'querystring.from' : 'querystring.to', () => dayInfo(cal, date)));
      }
      return { version: cal.version, days };
    },
  );

  app.get(
    '/calendar/working-days',
    {
      schema: {
        tags: ['calendar'],
        summary: 'The date `days` working days after `from` (before, when negative), `from` not counted: a deadline of P15WD reported on `from` ends with that day',
        querystring: WorkingDaysQuery,
        response: { 200: WorkingDaysView, ...errorResponses },
      },
    },
    async (request) => {
      const { from, days } = request.query;
      checkDate('querystring.from', from);
      const { cal } = await load();
      const date = counted('querystring.days', () => addWorkingDays(cal, from, days));
      return { version: cal.version, from, days, date };
    },
  );

  app.put(
    '/calendar/years/:year',
    {
      schema: {
        tags: ['calendar'],
        summary:
          "Writes the office's overrides of a year (replacing those it wrote before): days off and weekend days worked beside the package's, or a whole year the package does not know yet (e.g. when the State Council publishes next year's holidays). Hazards already registered keep the calendar they were armed with. Each change is on the audit log (calendar.year_written: the days before and after)",
        params: YearParams,
        body: CalendarYearBody,
        response: { 200: CalendarYearView, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const { year } = request.params;
      const errors: FieldError[] = [];
      const seen = new Set<string>();
      request.body.days.forEach((d, i) => {
        if (!parseLocalDate(d.date)) errors.push({ field: `days[${i}].date`, reason: `'${d.date}' is not a date` });
        else if (Number(d.date.slice(0, 4)) !== year) errors.push({ field: `days[${i}].date`, reason: `is not in ${year}` });
        else if (seen.has(d.date)) errors.push({ field: `days[${i}].date`, reason: `${d.date} is listed twice` });
        seen.add(d.date);
      });
      if (errors.length > 0) throw invalidInput(errors);
      const days = [...request.body.days].sort((a, b) => (a.date < b.date ? -1 : 1));
      const { row } = await putCalendarYear(db, year, days, actor);
      return yearView(row);
    },
  );

  app.delete(
    '/calendar/years/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: "Removes the office's overrides of a year (if any: 204 either way): the package's data alone holds again, and a year it does not know becomes unknown. A removal is on the audit log (calendar.year_removed: the days before)",
        params: YearParams,
        response: { 204: Type.Null({ description: 'removed' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office');
      // Idempotent: a year without overrides has nothing to remove, and the answer is the same.
      await deleteCalendarYear(db, request.params.year, actor);
      return reply.status(204).send(null);
    },
  );
};
