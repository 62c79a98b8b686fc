// Accountability cases (问责) on the ledger: the current row, an append-only event log and the
// causes linked to each case. The case workflow owns the process state; activities write here
// at every step, idempotently (events unique on workflow + seq, the row moved forward only).
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { CASE_CAUSE_KINDS, CASE_RUNGS, CASE_STATUSES, CASE_SUBJECT_KINDS, REFERRAL_BODIES } from '../../domain/accountability';
import type { Actor } from '../../domain/hazard';

export const caseRungEnum = pgEnum('case_rung', CASE_RUNGS);
export const caseStatusEnum = pgEnum('case_status', CASE_STATUSES);
export const caseSubjectKindEnum = pgEnum('case_subject_kind', CASE_SUBJECT_KINDS);
export const caseCauseKindEnum = pgEnum('case_cause_kind', CASE_CAUSE_KINDS);
export const referralBodyEnum = pgEnum('referral_body', REFERRAL_BODIES);

export const cases = pgTable(
  'cases',
  {
    id: uuid('id').primaryKey(),
    workflowId: text('workflow_id').notNull().unique(),
    subjectKind: caseSubjectKindEnum('subject_kind').notNull(),
    /** A unit's code or an enterprise's id. */
    subjectRef: text('subject_ref').notNull(),
    subjectName: text('subject_name'),
    /** Where the case sits, for scoped keys: the subject's county (a county, or an enterprise's county). */
    scopeCounty: text('scope_county'),
    /** The subject's department (a department, or an enterprise's supervising department). */
    scopeDepartment: text('scope_department'),
    /** The cause that opened the case; later ones are in case_causes. */
    causeKind: caseCauseKindEnum('cause_kind').notNull(),
    campaignId: uuid('campaign_id'),
    rung: caseRungEnum('rung').notNull(),
    status: caseStatusEnum('status').notNull(),
    /** 曝光: the case is public. */
    exposed: boolean('exposed').notNull().default(false),
    /** The reviewer let the current review window end without a decision. */
    overdue: boolean('overdue').notNull().default(false),
    reviewDueAt: timestamp('review_due_at', { withTimezone: true, precision: 3 }),
    heldUntil: timestamp('held_until', { withTimezone: true, precision: 3 }),
    summonsAt: timestamp('summons_at', { withTimezone: true, precision: 3 }),
    referralTo: referralBodyEnum('referral_to'),
    /** Sequence of the newest event applied to this row; older retries never overwrite it. */
    lastSeq: integer('last_seq').notNull().default(0),
    openedBy: jsonb('opened_by').$type<Actor>().notNull(),
    /** The workflow's start input, written with the row: a reconciler starts a row's missing workflow from it. */
    workflowInput: jsonb('workflow_input').$type<Record<string, unknown>>(),
    openedAt: timestamp('opened_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('cases_subject_idx').on(t.subjectKind, t.subjectRef, t.causeKind),
    // One open case per subject and cause kind: a second cause joins it (services/case.service.ts).
    uniqueIndex('cases_one_open_per_subject_uq').on(t.subjectKind, t.subjectRef, t.causeKind).where(sql`${t.status} <> 'RESOLVED'`),
    index('cases_status_idx').on(t.status),
    index('cases_campaign_idx').on(t.campaignId),
    index('cases_opened_idx').on(t.openedAt, t.id),
    index('cases_scope_county_idx').on(t.scopeCounty),
    index('cases_scope_department_idx').on(t.scopeDepartment),
  ],
);

export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: uuid('case_id').notNull(),
    workflowId: text('workflow_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    /** The rung the case stood on after the step. */
    rung: caseRungEnum('rung').notNull(),
    status: caseStatusEnum('status').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [unique('case_events_workflow_seq_uq').on(t.workflowId, t.seq), index('case_events_case_idx').on(t.caseId, t.seq)],
);

export const caseCauses = pgTable(
  'case_causes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    kind: caseCauseKindEnum('kind').notNull(),
    /** A hazard id, an obligation's duty key, a finding's id. */
    refId: text('ref_id').notNull(),
    note: text('note'),
    joinedAt: timestamp('joined_at', { withTimezone: true, precision: 3 }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [unique('case_causes_case_kind_ref_uq').on(t.caseId, t.kind, t.refId), index('case_causes_ref_idx').on(t.kind, t.refId)],
);
