// The office's overrides of the working-day calendar, one row per year (replaced whole by a PUT).
import { asc, eq } from 'drizzle-orm';
import type { Db } from './client';
import { calendarYears, type CalendarOverrideDay } from './schema';
import type { Actor } from '../domain/hazard';

export type CalendarYearRow = typeof calendarYears.$inferSelect;

export function listCalendarYears(db: Db): Promise<CalendarYearRow[]> {
  return db.select().from(calendarYears).orderBy(asc(calendarYears.year));
}

/** Idempotent: the same days again leave the row as it was (its updatedAt too). */
export async function putCalendarYear(db: Db, year: number, days: CalendarOverrideDay[], actor: Actor): Promise<{ row: CalendarYearRow; created: boolean }> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(calendarYears).where(eq(calendarYears.year, year)).for('update');
    if (current && JSON.stringify(current.days) === JSON.stringify(days)) return { row: current, created: false };
    const [row] = await tx
      .insert(calendarYears)
      .values({ year, days, updatedBy: actor })
      .onConflictDoUpdate({ target: calendarYears.year, set: { days, updatedBy: actor, updatedAt: new Date() } })
      .returning();
    return { row: row!, created: !current };
  });
}

export async function deleteCalendarYear(db: Db, year: number): Promise<boolean> {
  const rows = await db.delete(calendarYears).where(eq(calendarYears.year, year)).returning({ year: calendarYears.year });
  return rows.length > 0;
}
