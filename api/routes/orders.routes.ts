// Enforcement against enterprises (执法): orders a regulator records (限期整改, 停产整顿, 关闭取缔,
// 联合惩戒, with 一案双罚 on any of them), their commands, their record, and gas over-limit records.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { getOrder, listOrders, type OrderRow } from '../../db/orders.repo';
import { isCursor } from '../../db/pagination';
import { getEnterprise, type EnterpriseRow } from '../../db/reference.repo';
import { checkIssuer, checkOrderCommand, checkOrderPayload, GAS_INDUSTRY, type OrderCommand, type OrderCommandInput, type OrderCommandPayloads } from '../../domain/enforcement';
import { DomainError, ErrorCode, invalidInput, type FieldError } from '../../domain/errors';
import { canSee, type Actor } from '../../domain/hazard';
import { DEFAULT_TIME_ZONE, parseDeadline } from '../../domain/time';
import { executeOrderCommand, issueOrder, queryOrder, recordGasOverLimit } from '../../services/order.service';
import type { TemporalTarget } from '../../services/temporal';
import { decodeCursor, encodeCursor, errorResponses, IdempotencyHeaders, IdParams } from '../schemas/common';
import { GasOverLimitBody, GasOverLimitView, OrderCommandBodies, OrderCommandResult, OrderDetail, OrderIssueBody, OrderList, OrderListQuery, OrderView } from '../schemas/orders';

const COMMAND_PATHS: Record<OrderCommand, string> = {
  reportCompliance: 'compliance-report',
  verifyCompliance: 'compliance-verification',
  applyForLift: 'lift-application',
  recordInspection: 'inspection',
  liftSuspension: 'lift',
};

const COMMAND_SUMMARIES: Record<OrderCommand, string> = {
  reportCompliance: 'The enterprise reports that it has complied with a rectification order (限期整改)',
  verifyCompliance: 'A regulator accepts the compliance report (the order is complied with) or rejects it with a reason (back to rectifying)',
  applyForLift: 'The enterprise applies to lift its suspension (停产整顿), saying how the conditions are met',
  recordInspection: 'A regulator records the inspection of a suspended enterprise: PASSED or FAILED, with findings',
  liftSuspension: 'A regulator lifts a suspension; only after a passed inspection (409 otherwise). Clears the enterprise flag',
};

const scopeOf = (e: EnterpriseRow) => ({ enterpriseId: e.id, countyCode: e.countyCode, departmentCode: e.departmentCode });
const iso = (d: Date | null): string | null => d?.toISOString() ?? null;
const who = (a: Actor) => ({ name: a.name, role: a.role });

export function orderView(o: OrderRow) {
  return {
    ...o,
    deadline: iso(o.deadline),
    policy: o.policy ?? null,
    doublePenalty: o.doublePenalty ? { ...o.doublePenalty, principal: { ...o.doublePenalty.principal, name: o.doublePenalty.principal.name ?? '' } } : null,
    complianceReportedAt: iso(o.complianceReportedAt),
    liftAppliedAt: iso(o.liftAppliedAt),
    issuedBy: who(o.issuedBy),
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
    endedAt: iso(o.endedAt),
  };
}

/** A forged cursor is a 400, not a database error: seq is a Postgres integer. */
const badCursor = () => invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);

/** An order the actor may see, or 404 (it does not exist for them). */
export async function visibleOrderOf(db: Db, actor: Actor, id: string): Promise<OrderRow> {
  const row = await getOrder(db, id);
  if (!row || !canSee(actor, row)) throw new DomainError(ErrorCode.NOT_FOUND, 'order not found');
  return row;
}

export const orderRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  /** The enterprise, if the caller may see it; then the regulator's gate (403 for other roles). */
  async function enterpriseForRegulator(actor: Actor, id: string): Promise<EnterpriseRow> {
    const e = await getEnterprise(db, id);
    if (!e) throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found');
    const gate = checkIssuer(actor, scopeOf(e));
    if (!gate.ok) throw new DomainError(gate.code, gate.reason);
    return e;
  }

  const visibleOrder = (actor: Actor, id: string) => visibleOrderOf(db, actor, id);

  app.post(
    '/enterprises/:id/orders',
    {
      config: { idempotent: true },
      schema: {
        tags: ['enforcement'],
        summary: 'Record an enforcement order against an enterprise (regulators in scope): starts its workflow; a suspension or closure flags the enterprise at once',
        description:
          'RECTIFICATION needs a deadline (reminders before it, an overdue notice at it; when its escalation step passes without compliance the order is IGNORED and a case is opened against the enterprise). ' +
          'SUSPENSION needs its conditions to lift. CLOSURE needs its date. JOINT_DISCIPLINE needs the bodies notified. Any kind may carry doublePenalty (一案双罚) and notifiedBodies (mailed when they have a mailbox).',
        headers: IdempotencyHeaders,
        params: IdParams,
        body: OrderIssueBody,
        response: { 201: Type.Ref('Order'), 200: Type.Ref('Order'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      const enterprise = await enterpriseForRegulator(actor, request.params.id);
      const issued = await issueOrder(db, temporal, { enterprise, input: request.body, actor, idempotencyKey: request.idempotencyKey, now: Date.now() });
      if (!issued.ok) throw invalidInput(issued.errors);
      const { outcome } = issued;
      if (outcome.kind === 'key-reused') throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key recorded another order', [{ field: 'Idempotency-Key', reason: 'already used with another body' }]);
      // On the ledger already: if Temporal does not answer now, the reconciler starts the workflow later.
      if (issued.deferred) request.log.warn({ err: issued.deferred, orderId: outcome.row.id }, 'order workflow start deferred to reconciliation');
      return reply.status(outcome.kind === 'created' ? 201 : 200).send(orderView(outcome.row));
    },
  );

  app.get(
    '/orders',
    {
      schema: {
        tags: ['enforcement'],
        summary: 'List the enforcement orders the caller may see (newest first, keyset pagination)',
        querystring: OrderListQuery,
        response: { 200: OrderList, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor, isCursor);
      if (after === null) throw badCursor();
      const page = await listOrders(db, request.actor, { kind: q.kind, status: q.status, enterpriseId: q.enterpriseId }, { limit: q.limit ?? 50, after });
      return { items: page.items.map(orderView), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.get(
    '/orders/:id',
    { schema: { tags: ['enforcement'], summary: 'One order: the ledger row and the live state of its workflow', params: IdParams, response: { 200: OrderDetail, ...errorResponses } } },
    async (request) => {
      const row = await visibleOrder(request.actor, request.params.id);
      return { order: orderView(row), live: await queryOrder(temporal, row.id) };
    },
  );

  function commandRoute<C extends OrderCommand>(command: C) {
    app.post(
      `/orders/:id/${COMMAND_PATHS[command]}`,
      {
        config: { idempotent: true },
        schema: {
          headers: IdempotencyHeaders,
          tags: ['enforcement commands'],
          summary: COMMAND_SUMMARIES[command],
          params: IdParams,
          body: OrderCommandBodies[command],
          response: { 200: OrderCommandResult, ...errorResponses },
        },
      },
      async (request) => {
        const actor = request.actor;
        const row = await visibleOrder(actor, request.params.id);
        // Early answers from the ledger; the workflow's validator has the final word.
        const check = checkOrderCommand(command, { ...row, inspection: row.inspectionOutcome, liftApplied: row.liftAppliedAt !== null }, actor);
        if (!check.ok) throw new DomainError(check.code, check.reason);
        const payload = request.body as OrderCommandPayloads[C];
        const errors = checkOrderPayload(command, payload);
        if (errors.length > 0) throw invalidInput(errors);
        // The update ID follows the Idempotency-Key: a retry after a 503 gets the first attempt's result.
        const live = await executeOrderCommand(temporal, row.id, command, { ...payload, actor } as OrderCommandInput<C>, request.idempotencyKey && `${command}:${request.idempotencyKey}`);
        return { order: orderView((await getOrder(db, row.id))!), live };
      },
    );
  }
  for (const command of Object.keys(COMMAND_PATHS) as OrderCommand[]) commandRoute(command);

  app.post(
    '/enterprises/:id/gas-over-limit',
    {
      config: { idempotent: true },
      schema: {
        tags: ['enforcement'],
        summary: 'Record gas over the limit in a coal mine (瓦斯超限): treated as an accident (比照事故调查), it opens a case against the enterprise at once, or joins the open one',
        headers: IdempotencyHeaders,
        params: IdParams,
        body: GasOverLimitBody,
        response: { 201: GasOverLimitView, 200: GasOverLimitView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      const enterprise = await enterpriseForRegulator(actor, request.params.id);
      const b = request.body;
      const errors: FieldError[] = [];
      if (enterprise.industry !== GAS_INDUSTRY) errors.push({ field: 'id', reason: `the enterprise is not a coal mine (industry ${enterprise.industry}); gas over-limit is recorded for ${GAS_INDUSTRY} only` });
      if (!(b.reading > b.limit)) errors.push({ field: 'reading', reason: `${b.reading}% is not over the limit ${b.limit}%` });
      // A date alone names no moment of measurement.
      const measuredAt = b.measuredAt.length > 10 ? parseDeadline(b.measuredAt, DEFAULT_TIME_ZONE) : null;
      if (measuredAt === null) errors.push({ field: 'measuredAt', reason: 'expected local YYYY-MM-DDTHH:mm or an ISO instant with offset' });
      else if (measuredAt > Date.now() + 60_000) errors.push({ field: 'measuredAt', reason: 'must not be in the future' });
      if (errors.length > 0 || measuredAt === null) throw invalidInput(errors);
      const out = await recordGasOverLimit(db, temporal, { enterprise, input: { ...b, measuredAt: new Date(measuredAt).toISOString() }, actor, idempotencyKey: request.idempotencyKey });
      if (out.kind === 'key-reused') throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key recorded another reading', [{ field: 'Idempotency-Key', reason: 'already used with another body' }]);
      const r = out.record;
      return reply.status(out.kind === 'created' ? 201 : 200).send({
        id: r.id,
        enterpriseId: r.enterpriseId,
        reading: Number(r.reading),
        limit: Number(r.limit),
        measuredAt: r.measuredAt.toISOString(),
        location: r.location,
        note: r.note,
        caseId: out.caseId,
        joinedCase: out.joined,
        createdAt: r.createdAt.toISOString(),
      });
    },
  );
};

export const orderSchemas = [OrderView];
