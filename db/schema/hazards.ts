// The ledger (台账): hazards as the current row plus an append-only event log. The workflow
// owns the process state; activities write both here at every transition, idempotently.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, numeric, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { Actor, PendingExtension } from '../../domain/hazard';
import type { HazardPolicy } from '../../domain/policy';
import { hazardGradeEnum, hazardSourceEnum, hazardStateEnum } from './enums';
import { enterprises } from './reference';

export const hazards = pgTable(
  'hazards',
  {
    id: uuid('id').primaryKey(),
    enterpriseId: uuid('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    countyCode: text('county_code').notNull(),
    departmentCode: text('department_code').notNull(),
    industry: text('industry').notNull(),
    grade: hazardGradeEnum('grade').notNull(),
    source: hazardSourceEnum('source').notNull(),
    state: hazardStateEnum('state').notNull().default('REGISTERED'),
    overdue: boolean('overdue').notNull().default(false),
    escalated: boolean('escalated').notNull().default(false),
    // 五落实: responsibility, measures, funds, deadline, contingency.
    description: text('description').notNull(),
    location: text('location').notNull(),
    responsibleName: text('responsible_name').notNull(),
    responsibleEmail: text('responsible_email'),
    responsiblePhone: text('responsible_phone'),
    measures: text('measures').notNull(),
    fundsAmount: numeric('funds_amount', { precision: 14, scale: 2 }).notNull(),
    deadline: timestamp('deadline', { withTimezone: true, precision: 3 }).notNull(),
    deadlineVersion: integer('deadline_version').notNull().default(1),
    interimControls: text('interim_controls').notNull(),
    principalName: text('principal_name'),
    principalEmail: text('principal_email'),
    principalPhone: text('principal_phone'),
    timeZone: text('time_zone').notNull(),
    policy: jsonb('policy').$type<HazardPolicy>().notNull(),
    pendingExtension: jsonb('pending_extension').$type<PendingExtension | null>(),
    workflowId: text('workflow_id').notNull().unique(),
    /** Sequence of the newest ledger event applied to this row; older retries never overwrite it. */
    lastSeq: integer('last_seq').notNull().default(0),
    reportedBy: jsonb('reported_by').$type<Actor>().notNull(),
    /** The campaign during which it was found, when any. */
    campaignId: uuid('campaign_id'),
    /** The plan's work item (its number in the campaign's template) the hazard falls under, when linked. */
    workItemNo: integer('work_item_no'),
    idempotencyScope: text('idempotency_scope'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    /** Set once the workflow is known to run; the reconciler starts the ones left without. */
    workflowStartedAt: timestamp('workflow_started_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    unique('hazards_idempotency_uq').on(t.idempotencyScope, t.idempotencyKey),
    // The list is newest first with a keyset cursor on (created_at, id): each common filter's index
    // ends in those columns, so a page is an index range scan from the cursor, however deep.
    index('hazards_created_idx').on(t.createdAt, t.id),
    index('hazards_enterprise_idx').on(t.enterpriseId, t.createdAt, t.id),
    index('hazards_county_idx').on(t.countyCode, t.createdAt, t.id),
    index('hazards_department_idx').on(t.departmentCode, t.createdAt, t.id),
    index('hazards_state_idx').on(t.state, t.createdAt, t.id),
    index('hazards_campaign_idx').on(t.campaignId, t.createdAt, t.id),
    // Rare rows a list asks for: without these a page reads every newer row to find 50 of them.
    index('hazards_overdue_idx').on(t.createdAt, t.id).where(sql`${t.overdue}`),
    index('hazards_major_idx').on(t.createdAt, t.id).where(sql`${t.grade} = 'MAJOR'`),
    index('hazards_work_item_idx').on(t.campaignId, t.workItemNo).where(sql`${t.workItemNo} is not null`),
    index('hazards_unstarted_idx').on(t.createdAt).where(sql`${t.workflowStartedAt} is null`),
  ],
);

export const hazardEvents = pgTable(
  'hazard_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hazardId: uuid('hazard_id').notNull(),
    workflowId: text('workflow_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    fromState: hazardStateEnum('from_state'),
    toState: hazardStateEnum('to_state').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [unique('hazard_events_workflow_seq_uq').on(t.workflowId, t.seq), index('hazard_events_hazard_idx').on(t.hazardId, t.seq)],
);

/** Raised when a hazard stays unrectified past its escalation step; the accountability case workflow picks these up. */
export const accountabilityReviews = pgTable(
  'accountability_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    hazardId: uuid('hazard_id')
      .notNull()
      .references(() => hazards.id),
    deadlineVersion: integer('deadline_version').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull().default('OPEN'),
    openedAt: timestamp('opened_at', { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [unique('accountability_reviews_hazard_version_uq').on(t.hazardId, t.deadlineVersion)],
);
