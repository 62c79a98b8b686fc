// The audit log: who changed reference data (API keys, units, enterprises, roster imports) and
// when. Append-only: the migration adds a trigger that refuses UPDATE and DELETE.
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Actor } from '../../domain/hazard';

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    /** `api_key.created`, `api_key.revoked`, `unit.created`, `enterprise.created`, `roster.imported`, … */
    action: text('action').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_created_idx').on(t.createdAt, t.id), index('audit_log_subject_idx').on(t.subjectKind, t.subjectId)],
);
