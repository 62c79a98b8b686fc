// Portal events and webhooks (issue 14). `portal_events` is filled by AFTER INSERT triggers on the
// ledger's event tables (hazard, case, order and duty events; migration 0016) in the writer's own
// transaction, so no writer can forget an event. Its order is (xid, seq): see db/portal-events.repo.ts.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { Actor } from '../../domain/hazard';

/** Postgres' 64-bit transaction id (pg_current_xact_id()); read and written as decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const portalEvents = pgTable(
  'portal_events',
  {
    /** The event's number, allocated at insert: its id is `evt_<seq>`. Not commit order: the feed orders by (xid, seq). */
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    /** The writing transaction: rows of transactions older than every running one are final (pg_snapshot_xmin). */
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    /** `<stream>.<ledger type>`: `hazard.REMINDER_SENT`, `duty.DUTY_MISSED`, `case.OPENED`, `order.ISSUED`. */
    type: text('type').notNull(),
    stream: text('stream').notNull(),
    /** The hazard, case or order id; a duty's `<obligation>/<duty key>`. */
    subjectId: text('subject_id').notNull(),
    /** The step's number in its workflow (the ledger event's seq). */
    subjectSeq: integer('subject_seq').notNull(),
    campaignId: uuid('campaign_id'),
    /** Who may see it: the same columns db/scope.ts reads on hazards and orders (null: nobody below the office by that column). */
    enterpriseId: uuid('enterprise_id'),
    countyCode: text('county_code'),
    departmentCode: text('department_code'),
    occurredAt: ts('occurred_at').notNull(),
    recordedAt: ts('recorded_at').notNull().defaultNow(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    index('portal_events_order_idx').on(t.xid, t.seq),
    index('portal_events_enterprise_idx').on(t.enterpriseId, t.xid, t.seq),
    index('portal_events_county_idx').on(t.countyCode, t.xid, t.seq),
    index('portal_events_department_idx').on(t.departmentCode, t.xid, t.seq),
  ],
);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types (exact, or `hazard.*`); empty: every type. */
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    /** The key that created it: its role and scope are the endpoint's (what its events may be). */
    owner: jsonb('owner').$type<Actor>().notNull(),
    ownerKeyId: uuid('owner_key_id'),
    /** Told when the endpoint is disabled after failures (else the owner key's mailbox, else the office). */
    contactEmail: text('contact_email'),
    /** Standard Webhooks secrets (`whsec_…`): kept to sign, shown once. */
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: ts('previous_secret_expires_at'),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    disabledAt: ts('disabled_at'),
    /** Where delivery starts: events after (start_xid, start_seq) in feed order. */
    startXid: xid8('start_xid').notNull(),
    startSeq: bigint('start_seq', { mode: 'number' }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [index('webhook_endpoints_created_idx').on(t.createdAt, t.id)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    eventSeq: bigint('event_seq', { mode: 'number' }).notNull(),
    eventType: text('event_type').notNull(),
    /** PENDING (being tried), DELIVERED, FAILED (retries spent: the endpoint was disabled). */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    /** Of the last attempt, request sent to answer read. */
    latencyMs: integer('latency_ms'),
    firstAttemptAt: ts('first_attempt_at'),
    lastAttemptAt: ts('last_attempt_at'),
    deliveredAt: ts('delivered_at'),
    replays: integer('replays').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [unique('webhook_deliveries_endpoint_event_uq').on(t.endpointId, t.eventSeq)],
);
