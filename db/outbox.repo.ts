// The notification outbox: written before a mail is sent, unique on its business key.
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { notifications } from './schema';

export type OutboxRow = typeof notifications.$inferSelect;
export type NewOutboxRow = Pick<typeof notifications.$inferInsert, 'businessKey' | 'hazardId' | 'campaignId' | 'kind' | 'deadlineVersion' | 'recipients' | 'subject' | 'bodyText' | 'locale' | 'messageId'>;

/** Inserts the row unless its business key exists; returns the stored row either way (first write wins). */
export async function claimOutbox(db: Db, row: NewOutboxRow): Promise<OutboxRow> {
  await db.insert(notifications).values(row).onConflictDoNothing({ target: notifications.businessKey });
  const [stored] = await db.select().from(notifications).where(eq(notifications.businessKey, row.businessKey));
  return stored!;
}

export async function markOutbox(db: Db, id: string, outcome: { status: 'SENT' | 'SKIPPED' } | { error: string }): Promise<void> {
  await db
    .update(notifications)
    .set(
      'error' in outcome
        ? { attempts: sql`${notifications.attempts} + 1`, lastError: outcome.error }
        : { attempts: sql`${notifications.attempts} + 1`, status: outcome.status, sentAt: new Date(), lastError: null },
    )
    .where(eq(notifications.id, id));
}
