// The ordered record (§3 of issue 8): every ledger event about an object, oldest first, from
// several streams at once (hazard events, case events, the outbox, …). Each stream is one SELECT
// giving the same columns; a record is the UNION ALL of the streams that concern its object, read
// in keyset pages on (at, stream, ref, seq): a total order, stable while new events arrive.
// Another kind of event joins by one more stream function and one more entry in a record's list.
import { sql, type SQL, type Table } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { REGULATOR_ONLY_MAIL } from '../domain/access';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { auditLog, caseEvents, cases, gasExceedances, hazardEvents, hazards, notifications, orderEvents, orders } from './schema';

/** One event of a record. `from`/`to`: the state before and after, where the stream has it. */
export interface RecordEntry {
  /** When it happened (the workflow's time for workflow steps; when a mail was written to the outbox). */
  at: string;
  /** Which ledger stream: hazard, case, order, gas (a gas over-limit record), mail. */
  stream: string;
  /** The stream's object: a hazard, case, order or gas record id, an outbox row id. */
  ref: string;
  /** Sequence within the object's workflow (0 for a mail). */
  seq: number;
  type: string;
  /** Who: the API key's identity, the system actor for timers; null for a mail. */
  actor: Actor | null;
  from: Record<string, unknown> | null;
  to: Record<string, unknown> | null;
  data: Record<string, unknown>;
  /** When the ledger stored it (null for a mail). */
  recordedAt: string | null;
}

/** Where the next page starts: after this entry in (at, stream, ref, seq) order. */
export interface RecordCursor {
  at: string;
  stream: string;
  ref: string;
  seq: number;
}

export const isRecordCursor = (v: unknown): v is RecordCursor => {
  const c = v as RecordCursor;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof c.at === 'string' &&
    !Number.isNaN(Date.parse(c.at)) &&
    typeof c.stream === 'string' &&
    /^[a-z_]{1,20}$/.test(c.stream) &&
    typeof c.ref === 'string' &&
    /^[\w:.-]{1,200}$/.test(c.ref) &&
    Number.isInteger(c.seq) &&
    c.seq >= 0 &&
    c.seq <= 2_147_483_647
  );
};

/**
 * A stream: one SELECT with the columns at, stream, ref, seq, type, actor, "from", "to", data,
 * recorded_at (in this order and these types), over the rows `where` picks.
 */
export type RecordStream = SQL;

/** The columns a workflow's event table shares (hazard_events, order_events): `from`/`to` are its state before and after, named `key`. */
interface TransitionEvents {
  at: PgColumn;
  ref: PgColumn;
  seq: PgColumn;
  type: PgColumn;
  actor: PgColumn;
  data: PgColumn;
  recordedAt: PgColumn;
  from: PgColumn;
  to: PgColumn;
}

/** Events of a workflow's table that records the state before and after each step. */
function transitionStream(stream: string, table: Table, e: TransitionEvents, key: string, where: SQL): RecordStream {
  return sql`SELECT ${e.at} AS at, ${stream}::text AS stream, ${e.ref}::text AS ref, ${e.seq} AS seq, ${e.type} AS type, ${e.actor} AS actor,
    CASE WHEN ${e.from} IS NULL THEN NULL ELSE jsonb_build_object(${key}::text, ${e.from}) END AS "from",
    jsonb_build_object(${key}::text, ${e.to}) AS "to", ${e.data} AS data, ${e.recordedAt} AS recorded_at
    FROM ${table} WHERE ${where}`;
}

/** Hazard events: state before and after each step. */
export function hazardEventStream(where: SQL): RecordStream {
  const e = hazardEvents;
  return transitionStream('hazard', e, { ...e, ref: e.hazardId, from: e.fromState, to: e.toState }, 'state', where);
}

/** Case events: each row holds the status and rung after its step; the one before is the previous event's. */
export function caseEventStream(where: SQL): RecordStream {
  const e = caseEvents;
  const state = sql`jsonb_build_object('status', ${e.status}, 'rung', ${e.rung})`;
  return sql`SELECT ${e.at} AS at, 'case'::text AS stream, ${e.caseId}::text AS ref, ${e.seq} AS seq, ${e.type} AS type, ${e.actor} AS actor,
    lag(${state}) OVER (PARTITION BY ${e.caseId} ORDER BY ${e.seq}) AS "from", ${state} AS "to", ${e.data} AS data, ${e.recordedAt} AS recorded_at
    FROM ${e} WHERE ${where}`;
}

/** Enforcement order events: status before and after each step. */
export function orderEventStream(where: SQL): RecordStream {
  const e = orderEvents;
  return transitionStream('order', e, { ...e, ref: e.orderId, from: e.fromStatus, to: e.toStatus }, 'status', where);
}

/** Gas over-limit records (瓦斯超限): one entry each, when it was recorded, with the case it opened. */
export function gasStream(where: SQL): RecordStream {
  const g = gasExceedances;
  return sql`SELECT ${g.createdAt} AS at, 'gas'::text AS stream, ${g.id}::text AS ref, 0 AS seq, 'GAS_OVER_LIMIT'::text AS type, ${g.recordedBy} AS actor, NULL::jsonb AS "from", NULL::jsonb AS "to",
    jsonb_build_object('reading', ${g.reading}, 'limit', ${g.limit}, 'measuredAt', ${g.measuredAt}, 'location', ${g.location}, 'note', ${g.note}, 'caseId', ${g.caseId}) AS data,
    ${g.createdAt} AS recorded_at
    FROM ${g} WHERE ${where}`;
}

/** Outbox rows: a mail as written before sending, with where its delivery stands now (the body is in the evidence bundle). */
export function mailStream(where: SQL): RecordStream {
  const n = notifications;
  return sql`SELECT ${n.createdAt} AS at, 'mail'::text AS stream, ${n.id}::text AS ref, 0 AS seq, ${n.kind} AS type, NULL::jsonb AS actor, NULL::jsonb AS "from", NULL::jsonb AS "to",
    jsonb_build_object('businessKey', ${n.businessKey}, 'hazardId', ${n.hazardId}, 'campaignId', ${n.campaignId}, 'subject', ${n.subject}, 'recipients', ${n.recipients},
      'status', ${n.status}, 'attempts', ${n.attempts}, 'deliveredTo', ${n.deliveredTo}, 'failedRecipients', ${n.failedRecipients}, 'lastError', ${n.lastError},
      'messageId', ${n.messageId}, 'sentAt', ${n.sentAt}) AS data, NULL::timestamptz AS recorded_at
    FROM ${n} WHERE ${where}`;
}

/**
 * Changes the office made to an object outside any workflow, from the append-only audit log: an
 * enterprise deactivated or reactivated, a hazard linked to a work item. `type` is the audit action.
 */
export function auditStream(subjectKind: string, subjectId: string, actions: readonly string[]): RecordStream {
  const a = auditLog;
  return sql`SELECT ${a.createdAt} AS at, 'audit'::text AS stream, ${a.id}::text AS ref, 0 AS seq, ${a.action} AS type, ${a.actor} AS actor, NULL::jsonb AS "from", NULL::jsonb AS "to",
    ${a.data} AS data, ${a.createdAt} AS recorded_at
    FROM ${a} WHERE ${a.subjectKind} = ${subjectKind} AND ${a.subjectId} = ${subjectId} AND ${a.action} IN (${sql.join(
      actions.map((x) => sql`${x}`),
      sql`, `,
    )})`;
}

/** The audited changes of a hazard and of an enterprise that belong on their records. */
const HAZARD_AUDIT = ['hazard.work_item_linked'] as const;
const ENTERPRISE_AUDIT = ['enterprise.deactivated', 'enterprise.reactivated'] as const;

/** The outbox rows of cases (business keys `case:<id>:…`, domain/delivery caseNoticeKey), given a subquery of case ids. */
const caseMailOf = (caseIds: SQL): SQL =>
  sql`${notifications.businessKey} LIKE 'case:%' AND split_part(${notifications.businessKey}, ':', 2) IN (SELECT id::text FROM (${caseIds}) ids(id))`;

/** The outbox rows of orders (business keys `order:<id>:…`, domain/delivery orderNoticeKey), given a subquery of order ids. */
const orderMailOf = (orderIds: SQL): SQL =>
  sql`${notifications.businessKey} LIKE 'order:%' AND split_part(${notifications.businessKey}, ':', 2) IN (SELECT id::text FROM (${orderIds}) ids(id))`;

export interface RecordReader {
  /**
   * Whether the reader reads mail addressed to regulators and reviewers only (the report to the
   * department, the escalation to the office, the review notices of a case). Not an enterprise.
   */
  regulatorMail: boolean;
}

const EVERYTHING: RecordReader = { regulatorMail: true };

/** Hazard mail the reader may read. */
const hazardMailFor = (reader: RecordReader): SQL =>
  reader.regulatorMail ? sql`true` : sql`${notifications.kind} NOT IN (${sql.join(REGULATOR_ONLY_MAIL.map((k) => sql`${k}`), sql`, `)})`;

/** The streams of one hazard: its events and its mail. */
export function hazardRecord(hazardId: string, reader: RecordReader = EVERYTHING): RecordStream[] {
  return [
    hazardEventStream(sql`${hazardEvents.hazardId} = ${hazardId}`),
    mailStream(sql`${notifications.hazardId} = ${hazardId} AND ${hazardMailFor(reader)}`),
    auditStream('hazard', hazardId, HAZARD_AUDIT),
  ];
}

/** The streams of one case: its events (opening, decisions, reminders, causes joined and resolved) and its review mail. */
export function caseRecord(caseId: string, reader: RecordReader = EVERYTHING): RecordStream[] {
  const events = caseEventStream(sql`${caseEvents.caseId} = ${caseId}`);
  return reader.regulatorMail ? [events, mailStream(caseMailOf(sql`SELECT ${caseId}::uuid`))] : [events];
}

/** The streams of one enforcement order: its events and its mail (to the enterprise, and to the bodies of 联合惩戒). */
export function orderRecord(orderId: string): RecordStream[] {
  return [orderEventStream(sql`${orderEvents.orderId} = ${orderId}`), mailStream(orderMailOf(sql`SELECT ${orderId}::uuid`))];
}

/** The hazards of an enterprise, as a subquery of ids. */
const hazardsOf = (enterpriseId: string): SQL => sql`SELECT ${hazards.id} FROM ${hazards} WHERE ${hazards.enterpriseId} = ${enterpriseId}`;
/** The cases whose subject is the enterprise, as a subquery of ids. */
const casesAbout = (enterpriseId: string): SQL => sql`SELECT ${cases.id} FROM ${cases} WHERE ${cases.subjectKind} = 'ENTERPRISE' AND ${cases.subjectRef} = ${enterpriseId}`;

/** The enforcement orders against an enterprise, as a subquery of ids. */
const ordersAgainst = (enterpriseId: string): SQL => sql`SELECT ${orders.id} FROM ${orders} WHERE ${orders.enterpriseId} = ${enterpriseId}`;

/**
 * The streams of an enterprise: its hazards' events and mail, its cases' events and review mail,
 * the enforcement orders against it with their mail, its gas over-limit records, and its
 * deactivations and reactivations.
 */
export function enterpriseRecord(enterpriseId: string, reader: RecordReader = EVERYTHING): RecordStream[] {
  return [
    orderEventStream(sql`${orderEvents.orderId} IN (${ordersAgainst(enterpriseId)})`),
    mailStream(orderMailOf(ordersAgainst(enterpriseId))),
    gasStream(sql`${gasExceedances.enterpriseId} = ${enterpriseId}`),
    hazardEventStream(sql`${hazardEvents.hazardId} IN (${hazardsOf(enterpriseId)})`),
    mailStream(sql`${notifications.hazardId} IN (${hazardsOf(enterpriseId)}) AND ${hazardMailFor(reader)}`),
    caseEventStream(sql`${caseEvents.caseId} IN (${casesAbout(enterpriseId)})`),
    ...(reader.regulatorMail ? [mailStream(caseMailOf(casesAbout(enterpriseId)))] : []),
    auditStream('enterprise', enterpriseId, ENTERPRISE_AUDIT),
  ];
}

/** A row as the driver gives it: timestamps as Date (pg) or text, the last column in snake_case. */
type RawEntry = Omit<RecordEntry, 'at' | 'recordedAt'> & { at: Date | string; recorded_at: Date | string | null };

const iso = (v: Date | string): string => new Date(v).toISOString();

/** One page of a record, oldest first: at most `limit` entries after `after`, and the cursor of the next page. */
export async function readRecord(db: Db, streams: RecordStream[], page: { limit: number; after?: RecordCursor }): Promise<{ items: RecordEntry[]; next: RecordCursor | null }> {
  const a = page.after;
  const after = a ? sql`WHERE (r.at, r.stream, r.ref, r.seq) > (${a.at}::timestamptz, ${a.stream}::text, ${a.ref}::text, ${a.seq}::int)` : sql``;
  const union = sql.join(
    streams.map((s) => sql`(${s})`),
    sql` UNION ALL `,
  );
  const result = await db.execute(sql`SELECT * FROM (${union}) r ${after} ORDER BY r.at, r.stream, r.ref, r.seq LIMIT ${page.limit + 1}`);
  const rows = (result as unknown as { rows: RawEntry[] }).rows;
  const items = rows.slice(0, page.limit).map((r) => ({
    at: iso(r.at),
    stream: r.stream,
    ref: r.ref,
    seq: Number(r.seq),
    type: r.type,
    actor: r.actor,
    from: r.from,
    to: r.to,
    data: r.data,
    recordedAt: r.recorded_at === null ? null : iso(r.recorded_at),
  }));
  const last = items.at(-1);
  return { items, next: rows.length > page.limit && last ? { at: last.at, stream: last.stream, ref: last.ref, seq: last.seq } : null };
}
