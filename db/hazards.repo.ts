// Hazard reads and the report insert for the API. Ledger writes by activities live in ledger.repo.
import { and, asc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Actor, HazardGrade, HazardState } from '../domain/hazard';
import { recordAudit } from './audit.repo';
import type { Db } from './client';
import { after, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { scopedTo } from './scope';
import { hazardEvents, hazards } from './schema';

export type HazardRow = typeof hazards.$inferSelect;
export type NewHazardRow = typeof hazards.$inferInsert;
export type HazardEventRow = typeof hazardEvents.$inferSelect;

export type InsertOutcome =
  | { kind: 'created'; hazard: HazardRow }
  | { kind: 'replayed'; hazard: HazardRow }
  | { kind: 'key-reused'; hazard: HazardRow };

/**
 * Inserts a reported hazard. With an idempotency key, the same key and body return the
 * first hazard; the same key with another body is refused. Never two hazards for one key.
 */
export async function insertHazard(db: Db, row: NewHazardRow): Promise<InsertOutcome> {
  const [created] = await db
    .insert(hazards)
    .values(row)
    .onConflictDoNothing({ target: [hazards.idempotencyScope, hazards.idempotencyKey] })
    .returning();
  if (created) return { kind: 'created', hazard: created };
  const [existing] = await db
    .select()
    .from(hazards)
    .where(and(eq(hazards.idempotencyScope, row.idempotencyScope!), eq(hazards.idempotencyKey, row.idempotencyKey!)));
  if (!existing) throw new Error('idempotency conflict without a stored hazard');
  return { kind: existing.requestHash === row.requestHash ? 'replayed' : 'key-reused', hazard: existing };
}

export async function getHazard(db: Db, id: string): Promise<HazardRow | undefined> {
  const [row] = await db.select().from(hazards).where(eq(hazards.id, id));
  return row;
}

export async function hazardTimeline(db: Db, hazardId: string): Promise<HazardEventRow[]> {
  return db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, hazardId)).orderBy(asc(hazardEvents.seq));
}

export interface HazardFilters {
  state?: HazardState;
  grade?: HazardGrade;
  overdue?: boolean;
  enterpriseId?: string;
  countyCode?: string;
  industry?: string;
  departmentCode?: string;
  campaignId?: string;
  /** The plan's work item it is linked to. */
  workItem?: number;
}


/** The rows an actor may see: its enterprise, county or department; everything for the office. */
export const visibleTo = (actor: Actor): SQL | undefined => scopedTo(actor, hazards);

export async function listHazards(db: Db, actor: Actor, f: HazardFilters, page: { limit: number; after?: Cursor }): Promise<Page<HazardRow>> {
  const where = and(
    visibleTo(actor),
    f.state ? eq(hazards.state, f.state) : undefined,
    f.grade ? eq(hazards.grade, f.grade) : undefined,
    f.overdue !== undefined ? eq(hazards.overdue, f.overdue) : undefined,
    f.enterpriseId ? eq(hazards.enterpriseId, f.enterpriseId) : undefined,
    f.countyCode ? eq(hazards.countyCode, f.countyCode) : undefined,
    f.industry ? eq(hazards.industry, f.industry) : undefined,
    f.departmentCode ? eq(hazards.departmentCode, f.departmentCode) : undefined,
    f.campaignId ? eq(hazards.campaignId, f.campaignId) : undefined,
    f.workItem !== undefined ? eq(hazards.workItemNo, f.workItem) : undefined,
    after(hazards.createdAt, hazards.id, page.after),
  );
  const rows = await db
    .select()
    .from(hazards)
    .where(where)
    .orderBy(...newestFirst(hazards.createdAt, hazards.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** Rows whose workflow was never confirmed running (a crash between insert and start). */
export async function findUnstartedHazards(db: Db, olderThan: Date, limit: number): Promise<HazardRow[]> {
  return db
    .select()
    .from(hazards)
    .where(and(isNull(hazards.workflowStartedAt), lt(hazards.createdAt, olderThan)))
    .orderBy(asc(hazards.createdAt))
    .limit(limit);
}

export async function markWorkflowStarted(db: Db, id: string): Promise<void> {
  await db
    .update(hazards)
    .set({ workflowStartedAt: sql`coalesce(${hazards.workflowStartedAt}, now())` })
    .where(eq(hazards.id, id));
}

/** Links the hazard to a work item of its campaign's plan (null: unlinks it) and audits the change in one transaction; the row as it now is. */
export async function setHazardWorkItem(db: Db, id: string, workItem: number | null, actor: Actor): Promise<HazardRow | undefined> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ workItemNo: hazards.workItemNo }).from(hazards).where(eq(hazards.id, id)).for('update');
    if (!before) return undefined;
    const [row] = await tx.update(hazards).set({ workItemNo: workItem }).where(eq(hazards.id, id)).returning();
    if (before.workItemNo !== workItem) await recordAudit(tx, { actor, action: 'hazard.work_item_linked', subjectKind: 'hazard', subjectId: id, data: { from: before.workItemNo, to: workItem } });
    return row;
  });
}
