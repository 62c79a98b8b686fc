// The monthly circulars (通报): a draft the office reviews, then published and frozen: content,
// figures and hash never change afterwards (a trigger in migration 0015 refuses it).
import { jsonb, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { CIRCULAR_STATUSES } from '../../domain/circular';
import type { Actor } from '../../domain/hazard';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const circularStatusEnum = pgEnum('circular_status', CIRCULAR_STATUSES);

export const campaignCirculars = pgTable(
  'campaign_circulars',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id').notNull(),
    /** YYYY-MM in the campaign's time zone. */
    month: text('month').notNull(),
    status: circularStatusEnum('status').notNull().default('DRAFT'),
    /** The instant the ledger was read at: the month's end, or the generation instant for the current month. */
    asOf: ts('as_of').notNull(),
    figures: jsonb('figures').$type<Record<string, unknown>>().notNull(),
    markdown: text('markdown').notNull(),
    html: text('html').notNull(),
    /** SHA-256 (hex) of the canonical figures, the Markdown and the HTML. */
    contentSha256: text('content_sha256').notNull(),
    generatedBy: jsonb('generated_by').$type<Actor>().notNull(),
    generatedAt: ts('generated_at').notNull().defaultNow(),
    publishedBy: jsonb('published_by').$type<Actor>(),
    publishedAt: ts('published_at'),
  },
  (t) => [unique('campaign_circulars_month_unique').on(t.campaignId, t.month)],
);
