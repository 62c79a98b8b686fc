// Enforcement orders on the real time-skipping test server, with the real activities writing a
// real Postgres ledger, opening real cases and mailing a real SMTP sink. Orders are recorded the
// way the API records them (services/order.service.ts issueOrder: the row first, then the workflow).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { caseCauses, cases, enterprises, orderEvents, orders, units } from '../../db/schema';
import type { OrderIssueInput } from '../../domain/enforcement-issue';
import type { Actor } from '../../domain/hazard';
import { executeOrderCommand, issueOrder, recordGasOverLimit } from '../../services/order.service';
import type { TemporalTarget } from '../../services/temporal';
import { caseStateQuery } from '../../workflows/case.messages';
import { caseWorkflowId, orderWorkflowId } from '../../workflows/ids';
import type { SmtpSink } from '../support';
import { until } from '../support/eventually';
import { actorFor, seedEnterprise } from '../support/fixtures';
import { OFFICE_EMAIL } from '../support/hazard-worker';
import { DAY, endOfShanghaiDay, minusDays, shanghai0900, shanghaiDate } from '../support/shanghai';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;

beforeAll(async () => {
  stack = await startWorkflowStack('order-wf');
  ({ env, handle, sink, target } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const LEGAL = { legalBasis: '《安全生产法》第六十五条', reason: '重大事故隐患逾期未整改' };

async function setting() {
  const ent = await seedEnterprise(handle.db);
  const [dept] = await handle.db.select().from(units).where(eq(units.code, ent.departmentCode));
  return { ent, deptEmail: dept!.email!, regulator: actorFor('department', ent.departmentCode), owner: actorFor('enterprise', ent.id) };
}

async function issue(ent: Awaited<ReturnType<typeof seedEnterprise>>, input: OrderIssueInput, actor: Actor) {
  const out = await issueOrder(handle.db, target, { enterprise: ent, input, actor, now: await env.currentTimeMs() });
  if (!out.ok) throw new Error(JSON.stringify(out.errors));
  expect(out.deferred).toBeUndefined();
  return out.outcome.row;
}

const events = (orderId: string) => handle.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.seq));
const types = async (orderId: string) => (await events(orderId)).map((e) => e.type);
const orderRow = async (id: string) => (await handle.db.select().from(orders).where(eq(orders.id, id)))[0]!;
const flagOf = async (enterpriseId: string) => (await handle.db.select({ f: enterprises.enforcementStatus }).from(enterprises).where(eq(enterprises.id, enterpriseId)))[0]!.f;
const casesOf = (enterpriseId: string) => handle.db.select().from(cases).where(eq(cases.subjectRef, enterpriseId));
/** Due instants of an order's timer events of one type; each was acted on within a second of it. */
async function eventTimes(orderId: string, type: string): Promise<number[]> {
  const fired = (await events(orderId)).filter((e) => e.type === type);
  for (const e of fired) expect(Math.abs(e.at.getTime() - Date.parse(String(e.data.dueAt)))).toBeLessThan(1000);
  return fired.map((e) => Date.parse(String(e.data.dueAt)));
}
const mailsFor = (orderId: string, kind?: string) => sink.messages.filter((m) => m.headers.get('x-order-id') === orderId && (!kind || m.headers.get('x-notification-kind') === kind));
const addresses = (m: ReturnType<typeof mailsFor>[number]) => [m.to].flat().flatMap((a) => a!.value.map((v) => v.address));
const waitMail = (orderId: string, kind: string) => sink.waitFor((m) => m.headers.get('x-order-id') === orderId && m.headers.get('x-notification-kind') === kind);

describe('a rectification order (限期整改) left unheeded', () => {
  it('reminds at 09:00 three days and one day before its deadline, gives notice at it, and three days later is marked IGNORED and opens a case against the enterprise', async () => {
    const { ent, deptEmail, regulator, owner } = await setting();
    const date = shanghaiDate((await env.currentTimeMs()) + 10 * DAY);
    const deadline = endOfShanghaiDay(date);
    const order = await issue(ent, { kind: 'RECTIFICATION', ...LEGAL, deadline: date }, regulator);
    expect(order).toMatchObject({ status: 'RECTIFYING', deadline: new Date(deadline), workflowId: orderWorkflowId(order.id) });

    await stack.skipTo(deadline + 3 * DAY);
    expect(await eventTimes(order.id, 'REMINDER_SENT')).toEqual([shanghai0900(minusDays(date, 3)), shanghai0900(minusDays(date, 1))]);
    expect(await eventTimes(order.id, 'OVERDUE')).toEqual([deadline]);
    expect(await eventTimes(order.id, 'IGNORED')).toEqual([deadline + 3 * DAY]);

    const [opened] = await until(() => casesOf(ent.id), (rows) => rows.length === 1, 'the case against the enterprise');
    expect(opened).toMatchObject({ subjectKind: 'ENTERPRISE', subjectName: ent.name, scopeCounty: ent.countyCode, scopeDepartment: ent.departmentCode, causeKind: 'ORDER_IGNORED', status: 'OPEN' });
    const [cause] = await handle.db.select().from(caseCauses).where(eq(caseCauses.caseId, opened!.id));
    expect(cause).toMatchObject({ kind: 'ORDER_IGNORED', refId: order.id, resolvedAt: null });
    expect((await env.client.workflow.getHandle(caseWorkflowId(opened!.id)).describe()).status.name).toBe('RUNNING');
    const ignored = await until(() => orderRow(order.id), (r) => r.ignoredCaseId !== null, 'the case on the order');
    expect(ignored).toMatchObject({ status: 'IGNORED', overdue: true, ignoredCaseId: opened!.id });
    expect(await types(order.id)).toEqual(['ISSUED', 'REMINDER_SENT', 'REMINDER_SENT', 'OVERDUE', 'IGNORED', 'CASE_OPENED']);

    // The mail: the order and its reminders to the principal, the overdue notice to the department too, the refusal to the office.
    expect(addresses(await waitMail(order.id, 'ORDER_ISSUED'))).toEqual([ent.principalEmail]);
    expect(mailsFor(order.id, 'ORDER_REMINDER').map(addresses)).toEqual([[ent.principalEmail], [ent.principalEmail]]);
    expect(addresses(await waitMail(order.id, 'ORDER_OVERDUE')).sort()).toEqual([ent.principalEmail, deptEmail].sort());
    const refusalMail = await waitMail(order.id, 'ORDER_IGNORED');
    expect(addresses(refusalMail).sort()).toEqual([OFFICE_EMAIL, deptEmail].sort());
    expect(refusalMail.subject).toContain('拒不执行整改指令');
    expect(refusalMail.text).toContain(opened!.id);

    // It may still be complied with: the case records it and stays for its reviewer.
    await executeOrderCommand(target, order.id, 'reportCompliance', { actor: owner, report: '已完成整改并自查' });
    const done = await executeOrderCommand(target, order.id, 'verifyCompliance', { actor: regulator, decision: 'ACCEPT' });
    expect(done).toMatchObject({ status: 'COMPLIED', ignored: true, caseId: opened!.id });
    await until(() => handle.db.select().from(caseCauses).where(eq(caseCauses.caseId, opened!.id)), ([c]) => c?.resolvedAt !== null, 'the complied order on the case');
    expect((await env.client.workflow.getHandle(caseWorkflowId(opened!.id)).query(caseStateQuery)).status).toBe('OPEN');
    expect((await orderRow(order.id)).status).toBe('COMPLIED');
  });
});

describe('a rectification order complied with', () => {
  it('sends a rejected report back, holds back its overdue notice while the next report awaits verification, and closes on acceptance with no case', async () => {
    const { ent, regulator, owner } = await setting();
    const date = shanghaiDate((await env.currentTimeMs()) + 5 * DAY);
    const order = await issue(ent, { kind: 'RECTIFICATION', ...LEGAL, deadline: date, policy: { reminderOffsets: ['P1D'], escalationAfter: 'P1D' } }, regulator);

    await executeOrderCommand(target, order.id, 'reportCompliance', { actor: owner, report: '已更换防爆电气设备' });
    const rejected = await executeOrderCommand(target, order.id, 'verifyCompliance', { actor: regulator, decision: 'REJECT', reason: '防爆合格证缺失' });
    expect(rejected).toMatchObject({ status: 'RECTIFYING', rejections: 1, complianceReportedAt: null });
    expect((await waitMail(order.id, 'ORDER_COMPLIANCE_REJECTED')).text).toContain('防爆合格证缺失');
    const reported = await executeOrderCommand(target, order.id, 'reportCompliance', { actor: owner, report: '已补交防爆合格证' });
    expect(reported).toMatchObject({ status: 'COMPLIANCE_REPORTED', nextEvent: { kind: 'REMINDER' } });

    // Past the deadline and the escalation step: the enterprise reported in time, so nothing is overdue and no case opens.
    await stack.skipTo(endOfShanghaiDay(date) + 2 * DAY);
    expect(await types(order.id)).toEqual(['ISSUED', 'COMPLIANCE_REPORTED', 'COMPLIANCE_REJECTED', 'COMPLIANCE_REPORTED', 'REMINDER_SKIPPED']);
    expect(await casesOf(ent.id)).toEqual([]);

    const accepted = await executeOrderCommand(target, order.id, 'verifyCompliance', { actor: actorFor('county', ent.countyCode), decision: 'ACCEPT', reason: '复查合格' });
    expect(accepted).toMatchObject({ status: 'COMPLIED', ignored: false, overdue: false, nextEvent: null });
    expect(await env.client.workflow.getHandle(order.workflowId).result()).toMatchObject({ status: 'COMPLIED' });
    await stack.skipTo(endOfShanghaiDay(date) + 10 * DAY);
    expect(await casesOf(ent.id)).toEqual([]);
    const row = await orderRow(order.id);
    expect(row).toMatchObject({ status: 'COMPLIED', overdue: false, ignoredCaseId: null });
    expect(row.endedAt).not.toBeNull();
    expect(await types(order.id)).toEqual(['ISSUED', 'COMPLIANCE_REPORTED', 'COMPLIANCE_REJECTED', 'COMPLIANCE_REPORTED', 'REMINDER_SKIPPED', 'COMPLIANCE_ACCEPTED']);
    expect(mailsFor(order.id, 'ORDER_OVERDUE')).toEqual([]);
  });
});

describe('a suspension (停产整顿)', () => {
  it('flags the enterprise from its start and is lifted only after a passed inspection, which clears the flag', async () => {
    const { ent, regulator, owner } = await setting();
    const order = await issue(ent, { kind: 'SUSPENSION', ...LEGAL, conditions: ['通风系统整改到位', '瓦斯监控系统恢复运行'] }, regulator);
    expect(order.status).toBe('SUSPENDED');
    expect(await flagOf(ent.id)).toBe('SUSPENDED');
    const lift = () => executeOrderCommand(target, order.id, 'liftSuspension', { actor: regulator, reason: '复查合格' });

    await expect(lift()).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    await executeOrderCommand(target, order.id, 'applyForLift', { actor: owner, note: '两项条件均已满足' });
    await expect(executeOrderCommand(target, order.id, 'applyForLift', { actor: owner, note: '再次申请' })).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    await expect(executeOrderCommand(target, order.id, 'recordInspection', { actor: owner, outcome: 'PASSED', findings: '自查合格' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const failed = await executeOrderCommand(target, order.id, 'recordInspection', { actor: regulator, outcome: 'FAILED', findings: '瓦斯监控系统未恢复' });
    expect(failed).toMatchObject({ status: 'SUSPENDED', inspection: 'FAILED', liftAppliedAt: null });
    await expect(lift()).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(await flagOf(ent.id)).toBe('SUSPENDED');

    await executeOrderCommand(target, order.id, 'applyForLift', { actor: owner, note: '监控系统已恢复' });
    await executeOrderCommand(target, order.id, 'recordInspection', { actor: actorFor('county', ent.countyCode), outcome: 'PASSED', findings: '两项条件均已满足' });
    expect(await lift()).toMatchObject({ status: 'LIFTED' });
    expect(await env.client.workflow.getHandle(order.workflowId).result()).toMatchObject({ status: 'LIFTED' });
    expect(await flagOf(ent.id)).toBe('NONE');
    expect(await orderRow(order.id)).toMatchObject({ status: 'LIFTED', inspectionOutcome: 'PASSED' });
    expect((await events(order.id)).map((e) => [e.type, e.toStatus])).toEqual([
      ['ISSUED', 'SUSPENDED'],
      ['LIFT_APPLIED', 'SUSPENDED'],
      ['INSPECTION_FAILED', 'SUSPENDED'],
      ['LIFT_APPLIED', 'SUSPENDED'],
      ['INSPECTION_PASSED', 'SUSPENDED'],
      ['LIFTED', 'LIFTED'],
    ]);
    expect(addresses(await waitMail(order.id, 'ORDER_LIFTED'))).toEqual([ent.principalEmail]);
  });

  it('keeps the enterprise flagged while another suspension is still in force', async () => {
    const { ent, regulator } = await setting();
    const first = await issue(ent, { kind: 'SUSPENSION', ...LEGAL, conditions: ['整改到位'] }, regulator);
    await issue(ent, { kind: 'SUSPENSION', ...LEGAL, reason: '另案停产整顿', conditions: ['整改到位'] }, regulator);
    await executeOrderCommand(target, first.id, 'recordInspection', { actor: regulator, outcome: 'PASSED', findings: '合格' });
    await executeOrderCommand(target, first.id, 'liftSuspension', { actor: regulator });
    expect(await flagOf(ent.id)).toBe('SUSPENDED');
  });
});

describe('a closure (关闭取缔) with 一案双罚 and joint discipline (联合惩戒)', () => {
  it('marks the enterprise closed, records both penalties as one act, mails the bodies with a mailbox, and ends', async () => {
    const { ent, regulator } = await setting();
    const order = await issue(
      ent,
      {
        kind: 'CLOSURE',
        ...LEGAL,
        closedOn: '2024-01-15',
        doublePenalty: { enterprise: { text: '罚款', amount: 500000 }, principal: { text: '罚款', amount: 80000 } },
        notifiedBodies: [{ name: '市场监管局', email: 'credit@samr.test' }, { name: '市信用办' }],
      },
      regulator,
    );
    expect(await flagOf(ent.id)).toBe('CLOSED');
    expect(order).toMatchObject({ status: 'CLOSED', closedOn: '2024-01-15', doublePenalty: { principal: { name: ent.principalName, amount: 80000 } } });
    expect(await env.client.workflow.getHandle(order.workflowId).result()).toMatchObject({ status: 'CLOSED' });
    expect((await events(order.id)).map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([['ISSUED', null, 'CLOSED']]);
    const notice = await waitMail(order.id, 'ORDER_BODY_NOTICE');
    expect(addresses(notice)).toEqual(['credit@samr.test']);
    expect(notice.text).toContain('一案双罚');
    expect(mailsFor(order.id, 'ORDER_BODY_NOTICE')).toHaveLength(1);
    expect(addresses(await waitMail(order.id, 'ORDER_ISSUED'))).toEqual([ent.principalEmail]);
  });
});

describe('gas over the limit in a coal mine (瓦斯超限)', () => {
  it('opens a case against the mine at once, and a second reading joins it', async () => {
    const mine = await seedEnterprise(handle.db, { industry: 'COAL_MINE' });
    const inspector = actorFor('county', mine.countyCode);
    const reading = { reading: 1.6, limit: 1.0, measuredAt: new Date(await env.currentTimeMs()).toISOString(), location: '3101 回采工作面上隅角' };
    const first = await recordGasOverLimit(handle.db, target, { enterprise: mine, input: reading, actor: inspector });
    if (first.kind === 'key-reused') throw new Error('unexpected');
    expect(first).toMatchObject({ kind: 'created', joined: false, record: { caseId: first.caseId, reading: '1.600' } });
    const [opened] = await casesOf(mine.id);
    expect(opened).toMatchObject({ id: first.caseId, subjectKind: 'ENTERPRISE', causeKind: 'GAS_OVER_LIMIT', status: 'OPEN' });
    expect((await env.client.workflow.getHandle(caseWorkflowId(first.caseId)).describe()).status.name).toBe('RUNNING');

    const second = await recordGasOverLimit(handle.db, target, { enterprise: mine, input: { ...reading, reading: 2.1 }, actor: inspector });
    expect(second).toMatchObject({ kind: 'created', joined: true, caseId: first.caseId });
    const causes = await until(() => handle.db.select().from(caseCauses).where(eq(caseCauses.caseId, first.caseId)), (rows) => rows.length === 2, 'both readings on the case');
    expect(causes.map((c) => c.kind)).toEqual(['GAS_OVER_LIMIT', 'GAS_OVER_LIMIT']);
  });
});
