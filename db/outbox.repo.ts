// The notification outbox: written before a mail is sent, unique on its business key.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { NotificationStatus, RecipientFailure } from '../domain/delivery';
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

/** One attempt's outcome: who was reached, who refused, the status it leaves (PENDING while some may still be reached). */
export interface OutboxAttempt {
  status: NotificationStatus;
  deliveredTo: string[];
  failedRecipients: RecipientFailure[];
  error: string | null;
}

export async function recordOutboxAttempt(db: Db, id: string, a: OutboxAttempt): Promise<void> {
  const done = a.status === 'SENT' || a.status === 'PARTIALLY_SENT';
  await db
    .update(notifications)
    .set({
      attempts: sql`${notifications.attempts} + 1`,
      status: a.status,
      deliveredTo: a.deliveredTo,
      failedRecipients: a.failedRecipients,
      lastError: a.error,
      ...(done ? { sentAt: new Date() } : {}),
    })
    .where(eq(notifications.id, id));
}

/** Ends mails still PENDING as FAILED with the reason (their sender gave up), in one statement; one already decided is left alone. */
export async function abandonOutbox(db: Db, businessKeys: string | string[], reason: string): Promise<void> {
  const keys = [businessKeys].flat();
  if (keys.length === 0) return;
  await db
    .update(notifications)
    .set({ status: 'FAILED', lastError: reason.slice(0, 1000) })
    .where(and(inArray(notifications.businessKey, keys), eq(notifications.status, 'PENDING')));
}
