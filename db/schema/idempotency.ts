// Idempotency-Key records: one per (API key, Idempotency-Key), holding the request's hash and,
// once answered, the response to replay. A record IN_PROGRESS past its lease is taken over.
import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    /** The API key (its id) that sent the request: keys are never shared between callers. */
    ownerKeyId: text('owner_key_id').notNull(),
    key: text('key').notNull(),
    /** Method and URL the key was first used for. */
    target: text('target').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: ['IN_PROGRESS', 'DONE'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ownerKeyId, t.key] })],
);
