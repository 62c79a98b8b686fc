// Enforcement orders against enterprises (执法) on the ledger: the current row, an append-only event
// log, and gas over-limit records (瓦斯超限). The order workflow owns the process state; activities
// write here at every step, idempotently (events unique on workflow + seq, the row moved forward only).
import { sql } from 'drizzle-orm';
import { bigserial, boolean, date, index, integer, jsonb, numeric, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { ORDER_KINDS, ORDER_STATUSES } from '../../domain/enforcement';
import type { DoublePenalty, NotifiedBody } from '../../domain/enforcement-issue';
import type { Actor } from '../../domain/hazard';
import type { HazardPolicy } from '../../domain/policy';
import { enterprises } from './reference';

export const orderKindEnum = pgEnum('order_kind', ORDER_KINDS);
export const orderStatusEnum = pgEnum('order_status', ORDER_STATUSES);
export const inspectionOutcomeEnum = pgEnum('inspection_outcome', ['PASSED', 'FAILED']);

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    workflowId: text('workflow_id').notNull().unique(),
    kind: orderKindEnum('kind').notNull(),
    status: orderStatusEnum('status').notNull(),
    enterpriseId: uuid('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    /** Where the enterprise sat when the order was recorded: who may see and act on the order. */
    countyCode: text('county_code').notNull(),
    departmentCode: text('department_code').notNull(),
    /** 法律依据 and the reason, as recorded. */
    legalBasis: text('legal_basis').notNull(),
    reason: text('reason').notNull(),
    hazardIds: jsonb('hazard_ids').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** The accountability case the order belongs to, when the regulator named one. */
    caseId: uuid('case_id'),
    /** RECTIFICATION: the deadline and its reminder and escalation policy. */
    deadline: timestamp('deadline', { withTimezone: true, precision: 3 }),
    policy: jsonb('policy').$type<HazardPolicy>(),
    timeZone: text('time_zone').notNull(),
    /** SUSPENSION: the conditions to lift it. */
    conditions: jsonb('conditions').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** CLOSURE: its date. */
    closedOn: date('closed_on', { mode: 'string' }),
    /** 一案双罚: the enterprise's penalty and its principal's, one act. */
    doublePenalty: jsonb('double_penalty').$type<DoublePenalty>(),
    /** 联合惩戒: the bodies notified (mailed when they have a mailbox). */
    notifiedBodies: jsonb('notified_bodies').$type<NotifiedBody[]>().notNull().default(sql`'[]'::jsonb`),
    overdue: boolean('overdue').notNull().default(false),
    complianceReportedAt: timestamp('compliance_reported_at', { withTimezone: true, precision: 3 }),
    liftAppliedAt: timestamp('lift_applied_at', { withTimezone: true, precision: 3 }),
    /** A suspension's latest inspection: a lift needs PASSED. */
    inspectionOutcome: inspectionOutcomeEnum('inspection_outcome'),
    /** The case opened (or joined) when the order was ignored. */
    ignoredCaseId: uuid('ignored_case_id'),
    /** Sequence of the newest event applied to this row; older retries never overwrite it. */
    lastSeq: integer('last_seq').notNull().default(0),
    issuedBy: jsonb('issued_by').$type<Actor>().notNull(),
    /** The workflow's start input: a reconciler starts a row's missing workflow from it. */
    workflowInput: jsonb('workflow_input').$type<Record<string, unknown>>().notNull(),
    workflowStartedAt: timestamp('workflow_started_at', { withTimezone: true, precision: 3 }),
    requestHash: text('request_hash'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** When it was complied with, lifted, or recorded as final. */
    endedAt: timestamp('ended_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('orders_created_idx').on(t.createdAt, t.id),
    index('orders_enterprise_idx').on(t.enterpriseId, t.kind, t.status),
    index('orders_county_idx').on(t.countyCode),
    index('orders_department_idx').on(t.departmentCode),
    index('orders_status_idx').on(t.status),
    index('orders_unstarted_idx').on(t.createdAt).where(sql`${t.workflowStartedAt} is null`),
  ],
);

export const orderEvents = pgTable(
  'order_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: uuid('order_id').notNull(),
    workflowId: text('workflow_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    fromStatus: orderStatusEnum('from_status'),
    toStatus: orderStatusEnum('to_status').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [unique('order_events_workflow_seq_uq').on(t.workflowId, t.seq), index('order_events_order_idx').on(t.orderId, t.seq)],
);

/** 瓦斯超限 in a coal mine, investigated like an accident (比照事故调查): each record opens or joins a case at once. */
export const gasExceedances = pgTable(
  'gas_exceedances',
  {
    id: uuid('id').primaryKey(),
    enterpriseId: uuid('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    countyCode: text('county_code').notNull(),
    departmentCode: text('department_code').notNull(),
    /** CH₄ concentration measured and the limit that applied, in percent by volume. */
    reading: numeric('reading', { precision: 6, scale: 3 }).notNull(),
    limit: numeric('limit_value', { precision: 6, scale: 3 }).notNull(),
    measuredAt: timestamp('measured_at', { withTimezone: true, precision: 3 }).notNull(),
    location: text('location').notNull(),
    note: text('note'),
    /** The case it opened or joined; null only until the case is reached (the record is written first). */
    caseId: uuid('case_id'),
    recordedBy: jsonb('recorded_by').$type<Actor>().notNull(),
    requestHash: text('request_hash'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('gas_exceedances_enterprise_idx').on(t.enterpriseId, t.createdAt), index('gas_exceedances_created_idx').on(t.createdAt, t.id)],
);
