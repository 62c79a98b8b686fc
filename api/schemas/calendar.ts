// The working-day calendar (工作日): China's public holidays and make-up working days (调休) from
// the chinese-days package, with the office's overrides per year.
import { Type } from 'typebox';
import { SingleLine } from './common';

const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description: 'a local date YYYY-MM-DD' });

export const OverrideDay = Type.Object(
  {
    date: LocalDate,
    kind: Type.Enum(['HOLIDAY', 'WORKDAY'], { description: 'HOLIDAY: a day off (放假); WORKDAY: a weekend day worked (调休上班)' }),
    name: SingleLine({ minLength: 1, maxLength: 100, description: 'e.g. 春节' }),
  },
  { additionalProperties: false },
);

export const YearParams = Type.Object({ year: Type.Integer({ minimum: 1900, maximum: 2200 }) });

export const CalendarYearBody = Type.Object(
  { days: Type.Array(OverrideDay, { maxItems: 366, description: "the year's days off and worked weekend days, beside the package's; [] makes a year known with weekends only" }) },
  { additionalProperties: false },
);

export const CalendarYearView = Type.Object({
  year: Type.Integer(),
  days: Type.Array(OverrideDay),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.String({ description: "the name of the key that wrote it" }),
});

export const CalendarView = Type.Object({
  version: Type.String({ description: 'the package and a digest of the overrides: a hazard workflow keeps the version it was armed with' }),
  source: Type.String({ description: 'the package the holidays come from, e.g. chinese-days@1.5.7' }),
  years: Type.Array(Type.Integer(), { description: 'the years whose holidays and make-up days are known; any other year is refused, never guessed' }),
  overrides: Type.Array(CalendarYearView),
});

export const DaysQuery = Type.Object({ from: LocalDate, to: LocalDate }, { additionalProperties: false });
export const DayView = Type.Object({
  date: Type.String(),
  working: Type.Boolean(),
  kind: Type.Enum(['WORKDAY', 'WEEKEND', 'HOLIDAY', 'MAKE_UP_WORKDAY']),
  name: Type.Union([Type.String(), Type.Null()]),
});
export const DaysView = Type.Object({ version: Type.String(), days: Type.Array(DayView) });

export const WorkingDaysQuery = Type.Object(
  { from: LocalDate, days: Type.Integer({ minimum: -200, maximum: 200, description: 'working days after (negative: before) `from`, `from` itself not counted' }) },
  { additionalProperties: false },
);
export const WorkingDaysView = Type.Object({ version: Type.String(), from: Type.String(), days: Type.Integer(), date: Type.String() });
