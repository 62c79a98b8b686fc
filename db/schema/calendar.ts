// The office's overrides of the working-day calendar (工作日): per year, the days it declares off
// or working beside the packaged data (chinese-days), and the years the package does not know yet.
import { integer, jsonb, pgTable, timestamp } from 'drizzle-orm/pg-core';
import type { Actor } from '../../domain/hazard';

export interface CalendarOverrideDay {
  date: string;
  kind: 'HOLIDAY' | 'WORKDAY';
  name: string;
}

/** One row per year the office has written: the whole year's overrides, replaced by each PUT. */
export const calendarYears = pgTable('calendar_years', {
  year: integer('year').primaryKey(),
  days: jsonb('days').$type<CalendarOverrideDay[]>().notNull(),
  updatedBy: jsonb('updated_by').$type<Actor>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
