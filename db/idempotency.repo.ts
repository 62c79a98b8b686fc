// Idempotency-Key records (db/schema/idempotency.ts). The claim is one insert: of concurrent
// requests with the same key, exactly one proceeds.
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './client';
import { idempotencyRecords } from './schema';

export type IdempotencyRecord = typeof idempotencyRecords.$inferSelect;
type Claim = { ownerKeyId: string; key: string; target: string; requestHash: string };

/** `claimed` when this request may proceed; otherwise the record that holds the key. */
export async function claimIdempotencyKey(db: Db, c: Claim, leaseMs: number): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord }> {
  const [inserted] = await db
    .insert(idempotencyRecords)
    .values({ ...c, status: 'IN_PROGRESS' })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });
  if (inserted) return { claimed: true };
  const where = and(eq(idempotencyRecords.ownerKeyId, c.ownerKeyId), eq(idempotencyRecords.key, c.key));
  // A request that died mid-way (crash, 5xx) left its claim behind: past the lease, the retry takes it over.
  const [taken] = await db
    .update(idempotencyRecords)
    .set({ updatedAt: new Date() })
    .where(and(where, eq(idempotencyRecords.status, 'IN_PROGRESS'), eq(idempotencyRecords.requestHash, c.requestHash), lt(idempotencyRecords.updatedAt, new Date(Date.now() - leaseMs))))
    .returning({ key: idempotencyRecords.key });
  if (taken) return { claimed: true };
  const [record] = await db.select().from(idempotencyRecords).where(where);
  return { claimed: false, record: record! };
}

export async function completeIdempotencyKey(db: Db, owner: string, key: string, response: { status: number; body: unknown }): Promise<void> {
  await db
    .update(idempotencyRecords)
    .set({ status: 'DONE', responseStatus: response.status, responseBody: response.body, updatedAt: new Date() })
    .where(and(eq(idempotencyRecords.ownerKeyId, owner), eq(idempotencyRecords.key, key)));
}

/** A request that failed on our side (5xx) leaves nothing behind: its retry runs again. */
export async function releaseIdempotencyKey(db: Db, owner: string, key: string): Promise<void> {
  await db.delete(idempotencyRecords).where(and(eq(idempotencyRecords.ownerKeyId, owner), eq(idempotencyRecords.key, key), eq(idempotencyRecords.status, 'IN_PROGRESS')));
}
