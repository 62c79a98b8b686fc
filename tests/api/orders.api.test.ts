// Enforcement orders through the API as regulators, enterprises and reviewers use it: the real app
// on a fresh Postgres database, the shared Temporal dev server and a real worker mailing a real
// SMTP sink. Scope (404), roles (403), illegal moves (409), bad input (422), the enterprise flag.
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertOrder } from '../../db/orders.repo';
import { cases, orderEvents, orders } from '../../db/schema';
import type { OrderIssueInput } from '../../domain/enforcement-issue';
import { prepareOrder, reconcileOrders } from '../../services/order.service';
import { ApiHarness, eventually, type Json } from '../support/api-harness';
import { disciplineOrder, rectificationOrder } from '../support/access-table';
import { reportBody, seedEnterprise } from '../support/fixtures';
import { expectProblem } from '../support/problem';

const h = ApiHarness.forFile({ worker: true });

type Order = Record<string, Json> & { id: string; kind: string; status: string; workflowId: string };
const suspension = () => ({ kind: 'SUSPENSION', legalBasis: '《安全生产法》第一百一十三条', reason: '重大事故隐患排除前无法保证安全', conditions: ['通风系统整改到位'] });

async function issue(enterpriseId: string, body: object, key = h.keys.department, headers: Record<string, string> = {}): Promise<Order> {
  const res = await h.call<Order>('POST', `/v1/enterprises/${enterpriseId}/orders`, key, body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  h.track(res.body.workflowId);
  return res.body;
}
const command = (id: string, path: string, key: string, body: object) => h.call<{ order: Order; live: Record<string, Json> | null }>('POST', `/v1/orders/${id}/${path}`, key, body);
const flagOf = async (id: string) => (await h.call<{ enforcementStatus: string }>('GET', `/v1/enterprises/${id}`, h.keys.admin)).body.enforcementStatus;
const orderCount = async () => (await h.db.select({ n: count() }).from(orders))[0]!.n;
/** The order and its events, straight from the ledger: compare before and after a refusal. */
const ledgerOf = async (id: string) => ({ row: (await h.db.select().from(orders).where(eq(orders.id, id)))[0], events: await h.db.select().from(orderEvents).where(eq(orderEvents.orderId, id)) });
/** The ledger once the workflow has written its ISSUED step: what a refusal must leave as it is. */
const settledLedger = async (id: string) => {
  await eventually(async () => ((await ledgerOf(id)).events.length > 0 ? true : undefined), 15_000, 'the ISSUED step');
  return ledgerOf(id);
};

describe('recording an order', () => {
  it('lets the supervising department record a rectification order, with its live state and its record', async () => {
    const hazard = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.entA, reportBody());
    h.track(`hazard:${hazard.body.id}`);
    const order = await issue(h.entA.id, { ...rectificationOrder(), hazardIds: [hazard.body.id], doublePenalty: { enterprise: { text: '罚款', amount: 30000 }, principal: { text: '警告' } } });
    expect(order).toMatchObject({
      kind: 'RECTIFICATION',
      status: 'RECTIFYING',
      enterpriseId: h.entA.id,
      hazardIds: [hazard.body.id],
      deadline: '2099-12-31T15:59:59.999Z',
      policy: { reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P3D', sendTime: '09:00' },
      doublePenalty: { enterprise: { text: '罚款', amount: 30000 }, principal: { name: h.entA.principalName, text: '警告' } },
      issuedBy: { role: 'department' },
    });

    const detail = await eventually(async () => {
      const res = await h.call<{ order: Order; live: Record<string, Json> | null }>('GET', `/v1/orders/${order.id}`, h.keys.entA);
      return res.body.live ? res.body : undefined;
    }, 15_000, 'the live order');
    expect(detail.live).toMatchObject({ status: 'RECTIFYING', nextEvent: { key: 'reminder:P3D', kind: 'REMINDER' } });
    const mail = await h.sink!.waitFor((m) => m.headers.get('x-order-id') === order.id);
    expect(mail.subject).toBe(`【执法决定】${h.entA.name}：限期整改`);

    const reported = await command(order.id, 'compliance-report', h.keys.entA, { report: '已完成整改' });
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    expect(reported.body).toMatchObject({ order: { status: 'COMPLIANCE_REPORTED' }, live: { status: 'COMPLIANCE_REPORTED' } });

    // The record, a page of one at a time: the order's steps in order, and the mail sent about it.
    type Entry = { stream: string; seq: number; type: string; actor: { role: string } | null };
    const entries: Entry[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Entry[]; nextCursor: string | null } } = await h.call('GET', `/v1/orders/${order.id}/record?limit=1${cursor ? `&cursor=${cursor}` : ''}`, h.keys.reviewer);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      entries.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(entries.filter((e) => e.stream === 'order')).toMatchObject([
      { seq: 1, type: 'ISSUED', actor: { role: 'department' } },
      { seq: 2, type: 'COMPLIANCE_REPORTED', actor: { role: 'enterprise' } },
    ]);
    expect(entries.some((e) => e.stream === 'mail')).toBe(true);
    const forged = Buffer.from(JSON.stringify({ at: 'x', stream: 'order', ref: order.id, seq: 1e20 })).toString('base64url');
    expectProblem(await h.call('GET', `/v1/orders/${order.id}/record?cursor=${forged}`, h.keys.reviewer), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });

  it('answers a retry with the same Idempotency-Key with the same order, and refuses the key with another body', async () => {
    const key = { 'idempotency-key': `order-${Date.now()}` };
    const first = await issue(h.entA.id, disciplineOrder(), h.keys.county, key);
    const again = await h.call<Order>('POST', `/v1/enterprises/${h.entA.id}/orders`, h.keys.county, disciplineOrder(), key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.id);
    expectProblem(await h.call('POST', `/v1/enterprises/${h.entA.id}/orders`, h.keys.county, { ...disciplineOrder(), reason: '另一事由' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses what an order of its kind cannot say, naming the field, and records nothing', async () => {
    const other = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.entB, reportBody());
    h.track(`hazard:${other.body.id}`);
    const before = await orderCount();
    const url = `/v1/enterprises/${h.entA.id}/orders`;
    expectProblem(await h.call('POST', url, h.keys.department, { ...rectificationOrder(), deadline: undefined }), 422, 'VALIDATION_FAILED', ['deadline']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...rectificationOrder(), deadline: '2020-01-01' }), 422, 'VALIDATION_FAILED', ['deadline']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...suspension(), deadline: '2099-12-31' }), 422, 'VALIDATION_FAILED', ['deadline']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...suspension(), conditions: [] }), 422, 'VALIDATION_FAILED', ['conditions']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...rectificationOrder(), hazardIds: [other.body.id] }), 422, 'VALIDATION_FAILED', ['hazardIds[0]']);
    expectProblem(await h.call('POST', url, h.keys.department, { kind: 'CLOSURE', legalBasis: '依法', reason: '无证开采', closedOn: '2024-02-30' }), 422, 'VALIDATION_FAILED', ['closedOn']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...disciplineOrder(), notifiedBodies: [] }), 422, 'VALIDATION_FAILED', ['notifiedBodies']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...rectificationOrder(), kind: 'FINE' }), 400, 'VALIDATION_FAILED');
    expect(await orderCount()).toBe(before);
    expect(await flagOf(h.entA.id)).toBe('NONE');
  });
});

describe('an order whose workflow never started (a crash between the ledger write and the start)', () => {
  it('is started by the reconciler from the input stored with its row', async () => {
    const ent = await seedEnterprise(h.db, { countyCode: h.entA.countyCode, departmentCode: h.entA.departmentCode });
    const prepared = await prepareOrder(h.db, { enterprise: ent, input: suspension() as OrderIssueInput, actor: { keyId: 'k', role: 'office', scope: null, name: 'office' }, now: Date.now() });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
    const { row } = await insertOrder(h.db, prepared.row);
    h.track(row.workflowId);
    expect(row.workflowStartedAt).toBeNull();
    expect(await flagOf(ent.id)).toBe('SUSPENDED');
    const temporal = { client: h.env!.client, taskQueue: h.taskQueue };
    expect(await reconcileOrders(h.db, temporal, { olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    await eventually(async () => ((await ledgerOf(row.id)).events.map((e) => e.type).join() === 'ISSUED' ? true : undefined), 15_000, 'the ISSUED step of the reconciled order');
    expect((await ledgerOf(row.id)).row!.workflowStartedAt).not.toBeNull();
    expect(await reconcileOrders(h.db, temporal, { olderThanMs: 0 })).toBe(0);
  });
});

describe('who may do what', () => {
  it('hides orders and enterprises outside the scope (404) and refuses the roles that do not enforce (403)', async () => {
    const order = await issue(h.entA.id, rectificationOrder());
    const deptB = await h.key('department', h.entB.departmentCode);
    const before = await settledLedger(order.id);

    expectProblem(await h.call('POST', `/v1/enterprises/${h.entB.id}/orders`, h.keys.department, rectificationOrder()), 404, 'NOT_FOUND');
    expectProblem(await h.call('POST', `/v1/enterprises/${h.entA.id}/orders`, h.keys.entA, rectificationOrder()), 403, 'FORBIDDEN');
    expectProblem(await h.call('POST', `/v1/enterprises/${h.entA.id}/orders`, h.keys.reviewer, rectificationOrder()), 403, 'FORBIDDEN');
    expectProblem(await h.call('GET', `/v1/orders/${order.id}`, h.keys.entB), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', `/v1/orders/${order.id}/record`, deptB), 404, 'NOT_FOUND');
    expectProblem(await command(order.id, 'compliance-report', h.keys.entB, { report: '已整改' }), 404, 'NOT_FOUND');
    expectProblem(await command(order.id, 'compliance-report', h.keys.department, { report: '代为报告' }), 403, 'FORBIDDEN');
    expectProblem(await command(order.id, 'compliance-report', h.keys.reviewer, { report: '已整改' }), 403, 'FORBIDDEN');
    expectProblem(await command(order.id, 'compliance-verification', h.keys.entA, { decision: 'ACCEPT' }), 403, 'FORBIDDEN');

    // Each sees its own in the list; a reviewer of A's county sees A's, not B's.
    const orderB = await issue(h.entB.id, rectificationOrder(), deptB);
    const ids = async (key: string) => (await h.call<{ items: Order[] }>('GET', '/v1/orders?kind=RECTIFICATION&limit=500', key)).body.items.map((o) => o.id);
    for (const key of [h.keys.entA, h.keys.reviewer, h.keys.county]) expect(await ids(key)).toEqual(expect.arrayContaining([order.id]));
    for (const key of [h.keys.entA, h.keys.reviewer, h.keys.county, h.keys.department]) expect(await ids(key)).not.toContain(orderB.id);
    expect(await ids(h.keys.office)).toEqual(expect.arrayContaining([order.id, orderB.id]));
    expect(await ids(h.keys.entB)).toEqual([orderB.id]);
    expect(await ledgerOf(order.id)).toEqual(before);
  });
});

describe('a suspension through the API', () => {
  it('flags the enterprise in its views and list filter, refuses a lift before a passed inspection (409), and clears the flag once lifted', async () => {
    const ent = await seedEnterprise(h.db, { countyCode: h.entA.countyCode, departmentCode: h.entA.departmentCode });
    const order = await issue(ent.id, suspension());
    expect(order.status).toBe('SUSPENDED');
    expect(await flagOf(ent.id)).toBe('SUSPENDED');
    const suspended = await h.call<{ items: { id: string; enforcementStatus: string }[] }>('GET', '/v1/enterprises?enforcementStatus=SUSPENDED&limit=500', h.keys.county);
    expect(suspended.body.items.map((e) => e.id)).toContain(ent.id);
    expect(suspended.body.items.every((e) => e.enforcementStatus === 'SUSPENDED')).toBe(true);
    const flagged = (await h.call<{ items: { id: string }[] }>('GET', '/v1/enterprises?enforcementStatus=NONE&limit=500', h.keys.admin)).body.items.map((e) => e.id);
    expect(flagged).not.toContain(ent.id);
    expect(flagged).toContain(h.entB.id);

    const before = await settledLedger(order.id);
    expectProblem(await command(order.id, 'lift', h.keys.department, { reason: '已整改' }), 409, 'ILLEGAL_TRANSITION');
    expectProblem(await command(order.id, 'compliance-report', h.keys.admin, { report: '已整改' }), 409, 'ILLEGAL_TRANSITION');
    expectProblem(await command(order.id, 'inspection', h.keys.department, { outcome: 'PASSED' }), 400, 'VALIDATION_FAILED');
    expectProblem(await command(order.id, 'inspection', h.keys.department, { outcome: 'PASSED', findings: ' ' }), 422, 'VALIDATION_FAILED', ['findings']);
    expect(await ledgerOf(order.id)).toEqual(before);

    expect((await command(order.id, 'lift-application', h.keys.admin, { note: '条件已满足' })).status).toBe(200);
    expect((await command(order.id, 'inspection', h.keys.county, { outcome: 'PASSED', findings: '通风系统已整改' })).status).toBe(200);
    const lifted = await command(order.id, 'lift', h.keys.department, { reason: '复查合格' });
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    expect(lifted.body.order).toMatchObject({ status: 'LIFTED', inspectionOutcome: 'PASSED' });
    expect(await flagOf(ent.id)).toBe('NONE');
    expectProblem(await command(order.id, 'lift', h.keys.department, { reason: '再次解除' }), 409, 'ILLEGAL_TRANSITION');
  });

  it('marks a closed enterprise CLOSED in its view', async () => {
    const ent = await seedEnterprise(h.db, { countyCode: h.entA.countyCode, departmentCode: h.entA.departmentCode });
    const order = await issue(ent.id, { kind: 'CLOSURE', legalBasis: '《安全生产法》第一百一十三条', reason: '经停产整顿仍不具备安全生产条件', closedOn: '2024-01-15' });
    expect(order).toMatchObject({ status: 'CLOSED', closedOn: '2024-01-15' });
    const view = await h.call<{ enforcementStatus: string }>('GET', `/v1/enterprises/${ent.id}`, h.keys.reviewer);
    expect(view.body.enforcementStatus).toBe('CLOSED');
  });
});

describe('gas over the limit (瓦斯超限)', () => {
  const reading = { reading: 1.5, limit: 1.0, measuredAt: '2024-01-05T10:20', location: '3101 回采工作面' };

  it('is recorded for a coal mine only, and opens a case against it at once', async () => {
    expectProblem(await h.call('POST', `/v1/enterprises/${h.entA.id}/gas-over-limit`, h.keys.department, reading), 422, 'VALIDATION_FAILED', ['id']);
    const mine = await seedEnterprise(h.db, { countyCode: h.entA.countyCode, departmentCode: h.entA.departmentCode, industry: 'COAL_MINE' });
    const url = `/v1/enterprises/${mine.id}/gas-over-limit`;
    expectProblem(await h.call('POST', url, h.keys.department, { ...reading, reading: 0.8 }), 422, 'VALIDATION_FAILED', ['reading']);
    expectProblem(await h.call('POST', url, h.keys.department, { ...reading, measuredAt: '2099-01-01T00:00' }), 422, 'VALIDATION_FAILED', ['measuredAt']);
    expectProblem(await h.call('POST', url, await h.key('enterprise', mine.id), reading), 403, 'FORBIDDEN');
    expectProblem(await h.call('POST', url, h.keys.entA, reading), 404, 'NOT_FOUND');
    expect((await h.db.select().from(cases).where(eq(cases.subjectRef, mine.id))).length).toBe(0);

    const res = await h.call<{ id: string; caseId: string; joinedCase: boolean; measuredAt: string; reading: number }>('POST', url, h.keys.county, reading);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    h.track(`case:${res.body.caseId}`);
    expect(res.body).toMatchObject({ joinedCase: false, reading: 1.5, measuredAt: '2024-01-05T02:20:00.000Z' });
    const [opened] = await h.db.select().from(cases).where(eq(cases.subjectRef, mine.id));
    expect(opened).toMatchObject({ id: res.body.caseId, subjectKind: 'ENTERPRISE', causeKind: 'GAS_OVER_LIMIT', scopeCounty: mine.countyCode });
    const wf = await h.env!.client.workflow.getHandle(`case:${res.body.caseId}`).describe();
    expect(wf.status.name).toBe('RUNNING');

    // The mine's record holds the reading and the case it opened, beside any order against it.
    const order = await issue(mine.id, { kind: 'SUSPENSION', legalBasis: '《煤矿安全规程》第一百七十五条', reason: '瓦斯超限作业', conditions: ['瓦斯治理达标'] });
    await eventually(async () => {
      const record = await h.call<{ items: { stream: string; ref: string; type: string; data: Record<string, unknown> }[] }>('GET', `/v1/enterprises/${mine.id}/record?limit=100`, h.keys.reviewer);
      const gas = record.body.items.find((e) => e.stream === 'gas');
      const issued = record.body.items.find((e) => e.stream === 'order' && e.ref === order.id && e.type === 'ISSUED');
      const caseOpened = record.body.items.find((e) => e.stream === 'case' && e.type === 'OPENED');
      if (!gas || !issued || !caseOpened) return undefined;
      expect(gas).toMatchObject({ ref: res.body.id, type: 'GAS_OVER_LIMIT', data: { caseId: res.body.caseId, location: '3101 回采工作面' } });
      return true;
    }, 15_000, "the mine's record with its reading, its order and its case");
  });
});
