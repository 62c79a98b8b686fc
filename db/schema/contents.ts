// Large content (evidence, duty reports, inspection findings) lives on the ledger, written by the
// API before the command; workflows carry only its id, so no payload nears Temporal's limits.
import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Actor } from '../../domain/hazard';

export const contents = pgTable('contents', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** evidence | duty-report | inspection-result */
  kind: text('kind').notNull(),
  body: jsonb('body').$type<Record<string, unknown>>().notNull(),
  /** Size of the body as JSON, in bytes. */
  bytes: integer('bytes').notNull(),
  createdBy: jsonb('created_by').$type<Actor>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
