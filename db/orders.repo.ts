// Enforcement orders on the ledger: the API's insert and reads, the activities' idempotent writes
// (events unique on workflow + seq, the row moved forward only by last_seq), and the enterprise's
// enforcement flag, set in the same transaction as the order step that changes it.
import { and, asc, eq, inArray, isNull, lt, ne } from 'drizzle-orm';
import { enforcementStatusOf, type InspectionOutcome, type OrderEventType, type OrderKind, type OrderStatus } from '../domain/enforcement';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { after, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { scopedTo } from './scope';
import { enterprises, gasExceedances, orderEvents, orders } from './schema';

export type OrderRow = typeof orders.$inferSelect;
export type NewOrderRow = typeof orders.$inferInsert & { id: string; enterpriseId: string };
export type OrderEventRow = typeof orderEvents.$inferSelect;
export type GasExceedanceRow = typeof gasExceedances.$inferSelect;
export type NewGasExceedanceRow = typeof gasExceedances.$inferInsert & { id: string };

/** What a second insert under the same id (a retried request) found. */
export type Inserted<T> = { kind: 'created' | 'existing'; row: T } | { kind: 'key-reused'; row: T };

/**
 * Sets the enterprise's flag from its orders, in the caller's transaction. The enterprise row is
 * locked first, so two orders of one enterprise moving at once cannot leave a stale flag.
 */
async function refreshEnforcementStatus(tx: Db, enterpriseId: string): Promise<void> {
  await tx.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, enterpriseId)).for('update');
  const rows = await tx
    .select({ kind: orders.kind, status: orders.status })
    .from(orders)
    .where(and(eq(orders.enterpriseId, enterpriseId), inArray(orders.kind, ['SUSPENSION', 'CLOSURE'])));
  const status = enforcementStatusOf(rows);
  await tx.update(enterprises).set({ enforcementStatus: status }).where(and(eq(enterprises.id, enterpriseId), ne(enterprises.enforcementStatus, status)));
}

/** Same id and request: the first row; same id, another request: key-reused. */
async function insertOnce<T extends { requestHash: string | null }>(insert: () => Promise<T[]>, select: () => Promise<T[]>, requestHash: string | null | undefined): Promise<Inserted<T>> {
  const [created] = await insert();
  if (created) return { kind: 'created', row: created };
  const [existing] = await select();
  if (!existing) throw new Error('insert conflicted without a stored row');
  return { kind: existing.requestHash === (requestHash ?? null) ? 'existing' : 'key-reused', row: existing };
}

/** Records an order (its id derived from the request's Idempotency-Key when there is one) and flags its enterprise, in one transaction. */
export async function insertOrder(db: Db, row: NewOrderRow): Promise<Inserted<OrderRow>> {
  return db.transaction(async (tx) => {
    const out = await insertOnce(
      () => tx.insert(orders).values(row).onConflictDoNothing({ target: orders.id }).returning(),
      () => tx.select().from(orders).where(eq(orders.id, row.id)),
      row.requestHash,
    );
    if (out.kind === 'created') await refreshEnforcementStatus(tx, row.enterpriseId);
    return out;
  });
}

export async function getOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

export interface OrderFilters {
  kind?: OrderKind;
  status?: OrderStatus;
  enterpriseId?: string;
}

export async function listOrders(db: Db, actor: Actor, f: OrderFilters, page: { limit: number; after?: Cursor }): Promise<Page<OrderRow>> {
  const rows = await db
    .select()
    .from(orders)
    .where(
      and(
        scopedTo(actor, orders),
        f.kind ? eq(orders.kind, f.kind) : undefined,
        f.status ? eq(orders.status, f.status) : undefined,
        f.enterpriseId ? eq(orders.enterpriseId, f.enterpriseId) : undefined,
        after(orders.createdAt, orders.id, page.after),
      ),
    )
    .orderBy(...newestFirst(orders.createdAt, orders.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** The current row as a step leaves it. Instants are ISO strings (they cross the workflow boundary). */
export interface OrderRowState {
  status: OrderStatus;
  overdue: boolean;
  complianceReportedAt: string | null;
  liftAppliedAt: string | null;
  inspectionOutcome: InspectionOutcome | null;
  ignoredCaseId: string | null;
  endedAt: string | null;
}

export interface OrderLedgerEntry {
  orderId: string;
  workflowId: string;
  enterpriseId: string;
  seq: number;
  type: OrderEventType;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actor: Actor;
  data: Record<string, unknown>;
  at: string;
  row: OrderRowState;
}

const date = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/** Appends the events, moves the row forward to the newest of them and sets the enterprise's flag. One transaction. */
export async function applyOrderEntries(db: Db, entries: OrderLedgerEntry[]): Promise<{ applied: number }> {
  if (entries.length === 0) return { applied: 0 };
  const newest = entries.reduce((a, b) => (b.seq > a.seq ? b : a));
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(orderEvents)
      .values(entries.map((e) => ({ orderId: e.orderId, workflowId: e.workflowId, seq: e.seq, type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, actor: e.actor, data: e.data, at: new Date(e.at) })))
      .onConflictDoNothing({ target: [orderEvents.workflowId, orderEvents.seq] })
      .returning({ id: orderEvents.id });
    const r = newest.row;
    const updated = await tx
      .update(orders)
      .set({
        status: r.status,
        overdue: r.overdue,
        complianceReportedAt: date(r.complianceReportedAt),
        liftAppliedAt: date(r.liftAppliedAt),
        inspectionOutcome: r.inspectionOutcome,
        ignoredCaseId: r.ignoredCaseId,
        endedAt: date(r.endedAt),
        lastSeq: newest.seq,
        updatedAt: new Date(newest.at),
      })
      .where(and(eq(orders.id, newest.orderId), lt(orders.lastSeq, newest.seq)))
      .returning({ id: orders.id });
    if (updated.length === 0) {
      const [exists] = await tx.select({ id: orders.id }).from(orders).where(eq(orders.id, newest.orderId));
      // The API writes the row before it starts the workflow: one missing is a fault to say loudly.
      if (!exists) throw new Error(`ledger row for order ${newest.orderId} is missing`);
    }
    await refreshEnforcementStatus(tx, newest.enterpriseId);
    return { applied: inserted.length };
  });
}

/** Rows whose workflow was never confirmed running (a crash between the insert and the start). */
export async function findUnstartedOrders(db: Db, olderThan: Date, limit: number): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(and(isNull(orders.workflowStartedAt), lt(orders.createdAt, olderThan)))
    .orderBy(asc(orders.createdAt))
    .limit(limit);
}

export async function markOrderWorkflowStarted(db: Db, id: string): Promise<void> {
  await db.update(orders).set({ workflowStartedAt: new Date() }).where(and(eq(orders.id, id), isNull(orders.workflowStartedAt)));
}

/** Records a gas over-limit reading (its id derived from the Idempotency-Key when there is one). */
export async function insertGasExceedance(db: Db, row: NewGasExceedanceRow): Promise<Inserted<GasExceedanceRow>> {
  return insertOnce(
    () => db.insert(gasExceedances).values(row).onConflictDoNothing({ target: gasExceedances.id }).returning(),
    () => db.select().from(gasExceedances).where(eq(gasExceedances.id, row.id)),
    row.requestHash,
  );
}

export async function setGasExceedanceCase(db: Db, id: string, caseId: string): Promise<GasExceedanceRow> {
  const [row] = await db.update(gasExceedances).set({ caseId }).where(eq(gasExceedances.id, id)).returning();
  return row!;
}
