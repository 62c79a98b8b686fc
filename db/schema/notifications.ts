// The outbox: one row per mail, unique on its business key, written before sending.
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { RecipientFailure } from '../../domain/delivery';
import { notificationStatusEnum } from './enums';

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessKey: text('business_key').notNull().unique(),
    hazardId: uuid('hazard_id'),
    campaignId: uuid('campaign_id'),
    kind: text('kind').notNull(),
    deadlineVersion: integer('deadline_version'),
    recipients: jsonb('recipients').$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    locale: text('locale').notNull(),
    messageId: text('message_id').notNull(),
    status: notificationStatusEnum('status').notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Recipients the server accepted; a retry sends only to the others. */
    deliveredTo: jsonb('delivered_to').$type<string[]>().notNull().default([]),
    /** Recipients refused, each with the server's reason; permanent ones are never retried. */
    failedRecipients: jsonb('failed_recipients').$type<RecipientFailure[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('notifications_hazard_idx').on(t.hazardId), index('notifications_campaign_idx').on(t.campaignId), index('notifications_created_idx').on(t.createdAt, t.id), index('notifications_status_idx').on(t.status)],
);
