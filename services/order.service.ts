// The only module that calls the Temporal client for enforcement orders, and the use cases the
// API shares: recording an order (the ledger row first, flagging the enterprise in the same
// transaction, then its workflow under the business-key ID), its commands, and a gas over-limit
// record that opens a case at once.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { findUnstartedOrders, insertGasExceedance, insertOrder, markOrderWorkflowStarted, setGasExceedanceCase, type GasExceedanceRow, type Inserted, type NewOrderRow, type OrderRow } from '../db/orders.repo';
import type { EnterpriseRow } from '../db/reference.repo';
import { cases, hazards } from '../db/schema';
import { INITIAL_ORDER_STATUS, type OrderCommand, type OrderCommandInput } from '../domain/enforcement';
import { checkOrderIssue, type OrderIssueInput } from '../domain/enforcement-issue';
import type { FieldError } from '../domain/errors';
import type { Actor } from '../domain/hazard';
import { DEFAULT_TIME_ZONE } from '../domain/time';
import { orderStateQuery, orderUpdates, type OrderSnapshot, type OrderWorkflowInput } from '../workflows/order.messages';
import { orderWorkflowId } from '../workflows/ids';
import { enterpriseSubject, openOrJoinCase } from './case.service';
import { uuidFromKey } from './derived-id';
import { requestHash } from './hazard-report';
import { executeUpdateBounded, queryOrNull, startIdempotently, type TemporalTarget } from './temporal';

/** The id of what a request makes: derived from its (caller-scoped) Idempotency-Key, so a retry finds it; random without one. */
const idFor = (what: string, idempotencyKey: string | undefined): string => (idempotencyKey ? uuidFromKey([what, idempotencyKey]) : randomUUID());

/** Links the ledger must be able to follow: hazards of this enterprise, a case that exists. */
async function linkErrors(db: Db, enterpriseId: string, input: OrderIssueInput): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const ids = [...new Set(input.hazardIds ?? [])];
  if (ids.length > 0) {
    const found = new Set((await db.select({ id: hazards.id }).from(hazards).where(and(inArray(hazards.id, ids), eq(hazards.enterpriseId, enterpriseId)))).map((h) => h.id));
    input.hazardIds!.forEach((id, i) => found.has(id) || errors.push({ field: `hazardIds[${i}]`, reason: 'no hazard of this enterprise with this id' }));
  }
  if (input.caseId && (await db.select({ id: cases.id }).from(cases).where(eq(cases.id, input.caseId))).length === 0) errors.push({ field: 'caseId', reason: 'no case with this id' });
  return errors;
}

/** `deferred`: the row is on the ledger but Temporal did not take the start; the reconciler starts it. */
export type IssueOutcome = { ok: true; outcome: Inserted<OrderRow>; deferred?: unknown } | { ok: false; errors: FieldError[] };

export interface IssueRequest {
  enterprise: EnterpriseRow;
  input: OrderIssueInput;
  actor: Actor;
  idempotencyKey?: string;
  now: number;
}

/** The ledger row of an order as recorded, with its workflow's input; or the fields at fault. */
export async function prepareOrder(db: Db, req: IssueRequest): Promise<{ ok: true; row: NewOrderRow } | { ok: false; errors: FieldError[] }> {
  const { enterprise: e, input, actor } = req;
  const checked = checkOrderIssue(input, req.now);
  const errors = [...(checked.ok ? [] : checked.errors), ...(await linkErrors(db, e.id, input))];
  if (!checked.ok || errors.length > 0) return { ok: false, errors };
  const { deadline, policy, timeZone, closedOn } = checked.value;
  const id = idFor('order', req.idempotencyKey);
  const notifiedBodies = (input.notifiedBodies ?? []).map((b) => ({ name: b.name.trim(), ...(b.email ? { email: b.email } : {}) }));
  const workflowInput: OrderWorkflowInput = {
    orderId: id,
    kind: input.kind,
    enterpriseId: e.id,
    countyCode: e.countyCode,
    departmentCode: e.departmentCode,
    deadline: deadline === null ? null : new Date(deadline).toISOString(),
    policy,
    timeZone,
    bodiesToMail: notifiedBodies.flatMap((b, i) => (b.email ? [i] : [])),
    issuedBy: actor,
  };
  const doublePenalty = input.doublePenalty ? { ...input.doublePenalty, principal: { ...input.doublePenalty.principal, name: input.doublePenalty.principal.name ?? e.principalName } } : null;
  const row: NewOrderRow = {
    id,
    workflowId: orderWorkflowId(id),
    kind: input.kind,
    status: INITIAL_ORDER_STATUS[input.kind],
    enterpriseId: e.id,
    countyCode: e.countyCode,
    departmentCode: e.departmentCode,
    legalBasis: input.legalBasis.trim(),
    reason: input.reason.trim(),
    hazardIds: [...new Set(input.hazardIds ?? [])],
    caseId: input.caseId ?? null,
    deadline: deadline === null ? null : new Date(deadline),
    policy,
    timeZone,
    conditions: (input.conditions ?? []).map((c) => c.trim()),
    closedOn,
    doublePenalty,
    notifiedBodies,
    issuedBy: actor,
    workflowInput: workflowInput as unknown as Record<string, unknown>,
    requestHash: requestHash(input),
  };
  return { ok: true, row };
}

/**
 * Records an order against an enterprise and starts its workflow. The row (with the workflow's
 * input) is written first; if Temporal does not answer, the reconciler starts the workflow later.
 */
export async function issueOrder(db: Db, t: TemporalTarget, req: IssueRequest): Promise<IssueOutcome> {
  const prepared = await prepareOrder(db, req);
  if (!prepared.ok) return prepared;
  const outcome = await insertOrder(db, prepared.row);
  if (outcome.kind === 'key-reused' || outcome.row.workflowStartedAt) return { ok: true, outcome };
  try {
    await startOrderWorkflow(db, t, outcome.row);
    return { ok: true, outcome: { ...outcome, row: { ...outcome.row, workflowStartedAt: new Date() } } };
  } catch (deferred) {
    return { ok: true, outcome, deferred };
  }
}

/** Idempotent: the ID is the business key, and a second start finds the first workflow. */
export async function startOrderWorkflow(db: Db, t: TemporalTarget, row: OrderRow): Promise<void> {
  await startIdempotently(t, 'orderWorkflow', row.workflowId, [row.workflowInput]);
  await markOrderWorkflowStarted(db, row.id);
}

/** Starts the workflows of order rows that never got one (a crash between the insert and the start). */
export async function reconcileOrders(db: Db, t: TemporalTarget, opts: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await findUnstartedOrders(db, new Date(Date.now() - (opts.olderThanMs ?? 30_000)), opts.limit ?? 500);
  for (const row of rows) await startOrderWorkflow(db, t, row);
  return rows.length;
}

/** Sends a command as an update; refusals of the workflow's validator become DomainErrors (404, 403, 409, 422). */
export function executeOrderCommand<C extends OrderCommand>(t: TemporalTarget, orderId: string, command: C, input: OrderCommandInput<C>, updateId?: string): Promise<OrderSnapshot> {
  return executeUpdateBounded(t, orderWorkflowId(orderId), orderUpdates[command], [input], { updateId, ended: 'the order has ended: its process is over' });
}

export function queryOrder(t: TemporalTarget, orderId: string, timeoutMs?: number): Promise<OrderSnapshot | null> {
  return queryOrNull(t, orderWorkflowId(orderId), orderStateQuery, timeoutMs);
}

export interface GasOverLimitInput {
  /** CH₄, percent by volume. */
  reading: number;
  limit: number;
  /** An ISO instant (already resolved from the caller's text). */
  measuredAt: string;
  location: string;
  note?: string;
}

/**
 * 瓦斯超限, investigated like an accident (比照事故调查): the record is written, then a case against
 * the enterprise and its principal is opened (or the open one joined) at once. A retry with the same
 * Idempotency-Key finds the record and the same case.
 */
export async function recordGasOverLimit(
  db: Db,
  t: TemporalTarget,
  req: { enterprise: EnterpriseRow; input: GasOverLimitInput; actor: Actor; idempotencyKey?: string },
): Promise<{ kind: 'key-reused' } | { kind: 'created' | 'existing'; record: GasExceedanceRow; caseId: string; joined: boolean }> {
  const { enterprise: e, input, actor } = req;
  const outcome = await insertGasExceedance(db, {
    id: idFor('gas', req.idempotencyKey),
    enterpriseId: e.id,
    countyCode: e.countyCode,
    departmentCode: e.departmentCode,
    reading: input.reading.toFixed(3),
    limit: input.limit.toFixed(3),
    measuredAt: new Date(input.measuredAt),
    location: input.location.trim(),
    note: input.note?.trim() || null,
    recordedBy: actor,
    requestHash: requestHash(input),
  });
  if (outcome.kind === 'key-reused') return { kind: 'key-reused' };
  const record = outcome.row;
  const opened = await openOrJoinCase(db, t, {
    subject: enterpriseSubject(e),
    cause: { kind: 'GAS_OVER_LIMIT', refId: record.id, note: `瓦斯超限 ${input.reading}% (限值 ${input.limit}%)，${record.location}` },
    campaignId: null,
    openedBy: actor,
    timeZone: DEFAULT_TIME_ZONE,
  });
  const row = record.caseId === opened.caseId ? record : await setGasExceedanceCase(db, record.id, opened.caseId);
  return { kind: outcome.kind, record: row, caseId: opened.caseId, joined: opened.joined };
}
