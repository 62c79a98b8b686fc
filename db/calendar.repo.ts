// The office's overrides of the working-day calendar, one row per year (replaced whole by a PUT).
// Each change is on the audit log in its transaction (who, when, the year's days before and after);
// a write that changes nothing is not.
import { asc, eq } from 'drizzle-orm';
import { recordAudit } from './audit.repo';
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
    await recordAudit(tx, { actor, action: 'calendar.year_written', subjectKind: 'calendar', subjectId: String(year), data: { year, before: current?.days ?? null, after: days } });
    return { row: row!, created: !current };
  });
}

/** Idempotent: removing a year without overrides removes and records nothing. */
export async function deleteCalendarYear(db: Db, year: number, actor: Actor): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [gone] = await tx.delete(calendarYears).where(eq(calendarYears.year, year)).returning();
    if (gone) await recordAudit(tx, { actor, action: 'calendar.year_removed', subjectKind: 'calendar', subjectId: String(year), data: { year, before: gone.days, after: null } });
    return gone !== undefined;
  });
}
