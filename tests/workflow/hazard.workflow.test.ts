// The hazard rectification workflow on the real time-skipping test server, with the real
// activities writing a real Postgres ledger and mailing a real SMTP sink.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeHazardCommand, workflowInputFor } from '../../services/hazard.service';
import type { TemporalTarget } from '../../services/temporal';
import type { DbHandle } from '../../db/client';
import type { HazardRow } from '../../db/hazards.repo';
import { accountabilityReviews, hazardEvents, hazards, notifications } from '../../db/schema';
import { DomainError } from '../../domain/errors';
import { hazardRectificationWorkflow } from '../../workflows/hazard.workflow';
import { hazardStateQuery } from '../../workflows/hazard.messages';
import type { SmtpSink } from '../support';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';
import { actorFor, reportBody, seedEnterprise, seedHazard } from '../support/fixtures';
import { OFFICE_EMAIL } from '../support/hazard-worker';
import { DAY, HOUR, shanghaiDate, endOfShanghaiDay, shanghai0900, minusDays } from '../support/shanghai';


let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;
let taskQueue: string;
let skipTo: WorkflowStack['skipTo'];

beforeAll(async () => {
  stack = await startWorkflowStack('hazard-wf');
  ({ env, handle, sink, target, taskQueue, skipTo } = stack);
});

afterAll(async () => {
  await stack?.close();
});

async function startHazard(over: Parameters<typeof reportBody>[0]) {
  const enterprise = await seedEnterprise(handle.db);
  const now = await env.currentTimeMs();
  const row = await seedHazard(handle.db, enterprise, reportBody(over), now);
  const wf = await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });
  return { enterprise, row, wf, now };
}

const events = (row: HazardRow) => handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, row.id)).orderBy(asc(hazardEvents.seq));
/** Due instants of a row's timer events; each must also have been acted on within a second of it. */
async function eventTimes(row: HazardRow, type: string): Promise<number[]> {
  const fired = (await events(row)).filter((e) => e.type === type);
  for (const e of fired) expect(e.at.getTime() - Date.parse(String(e.data.dueAt))).toBeLessThan(1000);
  return fired.map((e) => Date.parse(String(e.data.dueAt)));
}
const mailsFor = (row: HazardRow) => sink.messages.filter((m) => m.headers.get('x-hazard-id') === row.id);
const mailKinds = (row: HazardRow) => mailsFor(row).map((m) => m.headers.get('x-notification-kind'));
describe('major hazard with a 90-day deadline', () => {
  it('sends each reminder at 09:00 local 7, 3 and 1 days before, then the overdue notice and the escalation at the deadline', async () => {
    const t0 = await env.currentTimeMs();
    const deadlineDate = shanghaiDate(t0 + 90 * DAY);
    const { row, wf, enterprise } = await startHazard({ grade: 'MAJOR', deadline: deadlineDate });
    const deadline = endOfShanghaiDay(deadlineDate);
    expect(row.deadline.getTime()).toBe(deadline);

    // Rectification starts at once (主要负责人领衔整治); the listing (挂牌督办) comes beside it.
    expect(await wf.query(hazardStateQuery)).toMatchObject({ state: 'RECTIFYING', listed: false });
    const listed = await wf.executeUpdate('listForSupervision', { args: [{ actor: actorFor('department', enterprise.departmentCode), note: '市应急局挂牌' }] });
    expect(listed).toMatchObject({ state: 'RECTIFYING', listed: true });

    await skipTo(deadline + DAY);
    const reminders = await eventTimes(row, 'REMINDER_SENT');
    expect(reminders).toEqual([7, 3, 1].map((n) => shanghai0900(minusDays(deadlineDate, n))));
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);
    expect(await eventTimes(row, 'ESCALATED')).toEqual([deadline]); // major: +P0D

    const state = await wf.query(hazardStateQuery);
    expect(state).toMatchObject({ state: 'RECTIFYING', overdue: true, escalated: true });
    const [ledger] = await handle.db.select().from(hazards).where(eq(hazards.id, row.id));
    expect(ledger).toMatchObject({ state: 'RECTIFYING', overdue: true, escalated: true });
    const reviews = await handle.db.select().from(accountabilityReviews).where(eq(accountabilityReviews.hazardId, row.id));
    expect(reviews).toHaveLength(1);

    await sink.waitFor((m) => m.headers.get('x-hazard-id') === row.id && m.headers.get('x-notification-kind') === 'ESCALATED');
    expect(mailKinds(row).sort()).toEqual(['ESCALATED', 'LISTED_FOR_SUPERVISION', 'OVERDUE', 'REMINDER', 'REMINDER', 'REMINDER', 'REPORTED_TO_REGULATOR'].sort());
    const overdueMail = mailsFor(row).find((m) => m.headers.get('x-notification-kind') === 'OVERDUE')!;
    const overdueTo = [overdueMail.to].flat().flatMap((a) => a!.value.map((v) => v.address));
    expect(overdueTo).toEqual(expect.arrayContaining([enterprise.principalEmail, `${enterprise.departmentCode}@dept.test`]));
    expect(overdueMail.subject).toContain('逾期');
    const escalatedMail = mailsFor(row).find((m) => m.headers.get('x-notification-kind') === 'ESCALATED')!;
    expect(JSON.stringify(escalatedMail.to)).toContain(OFFICE_EMAIL);

    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
    expect(await wf.result()).toMatchObject({ state: 'WITHDRAWN' });
  });

  it('moves every later reminder, the overdue notice and the escalation when an extension is approved on day 80', async () => {
    const t0 = await env.currentTimeMs();
    const firstDate = shanghaiDate(t0 + 90 * DAY);
    const { row, wf, enterprise } = await startHazard({ grade: 'MAJOR', deadline: firstDate });
    await wf.executeUpdate('listForSupervision', { args: [{ actor: actorFor('department', enterprise.departmentCode) }] });

    await env.sleep(80 * DAY);
    const newDate = minusDays(firstDate, -30);
    const newDeadline = endOfShanghaiDay(newDate);
    await wf.executeUpdate('requestExtension', { args: [{ actor: actorFor('enterprise', enterprise.id), requestedDeadline: new Date(newDeadline).toISOString(), reason: '设备到货延迟' }] });
    const approved = await wf.executeUpdate('decideExtension', { args: [{ actor: actorFor('department', enterprise.departmentCode), decision: 'APPROVE' }] });
    expect(approved).toMatchObject({ deadlineVersion: 2, deadline: new Date(newDeadline).toISOString(), pendingExtension: null });

    await skipTo(newDeadline + DAY);
    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([7, 3, 1].map((n) => shanghai0900(minusDays(newDate, n))));
    expect(await eventTimes(row, 'OVERDUE')).toEqual([newDeadline]);
    const sent = await handle.db.select().from(notifications).where(and(eq(notifications.hazardId, row.id), eq(notifications.kind, 'REMINDER')));
    expect(sent.map((n) => n.deadlineVersion)).toEqual([2, 2, 2]);
    const decided = await sink.waitFor((m) => m.headers.get('x-hazard-id') === row.id && m.headers.get('x-notification-kind') === 'EXTENSION_DECIDED');
    expect(decided.subject).toContain('延期批准');
    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });
});

describe('general hazard', () => {
  it('goes back to rectifying with the reason on record when verification rejects it, and closes after a second submission', async () => {
    const t0 = await env.currentTimeMs();
    const { row, wf, enterprise } = await startHazard({ grade: 'GENERAL', deadline: shanghaiDate(t0 + 30 * DAY) });
    const owner = actorFor('enterprise', enterprise.id);
    await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '已更换线路', attachments: [{ name: 'photo-1.jpg', contentType: 'image/jpeg', size: 2048 }] }] });
    const rejected = await wf.executeUpdate('decideVerification', { args: [{ actor: owner, decision: 'REJECT', reason: '漏电保护未安装' }] });
    expect(rejected).toMatchObject({ state: 'RECTIFYING', rejections: 1 });
    const mail = await sink.waitFor((m) => m.headers.get('x-hazard-id') === row.id && m.headers.get('x-notification-kind') === 'REJECTED');
    expect(mail.text).toContain('漏电保护未安装');

    await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '已加装漏电保护' }] });
    await wf.executeUpdate('decideVerification', { args: [{ actor: owner, decision: 'ACCEPT' }] });
    await wf.executeUpdate('close', { args: [{ actor: owner }] });
    expect(await wf.result()).toMatchObject({ state: 'CLOSED', rejections: 1 });

    const timeline = (await events(row)).map((e) => [e.type, e.fromState, e.toState]);
    expect(timeline).toEqual([
      ['REGISTERED', 'REGISTERED', 'REGISTERED'],
      ['RECTIFICATION_STARTED', 'REGISTERED', 'RECTIFYING'],
      ['RECTIFICATION_SUBMITTED', 'RECTIFYING', 'SUBMITTED'],
      ['VERIFICATION_REJECTED', 'SUBMITTED', 'RECTIFYING'],
      ['RECTIFICATION_SUBMITTED', 'RECTIFYING', 'SUBMITTED'],
      ['VERIFICATION_ACCEPTED', 'SUBMITTED', 'VERIFIED'],
      ['CLOSED', 'VERIFIED', 'CLOSED'],
    ]);
    const rejection = (await events(row)).find((e) => e.type === 'VERIFICATION_REJECTED')!;
    expect(rejection.data).toMatchObject({ reason: '漏电保护未安装' });
    const [ledger] = await handle.db.select().from(hazards).where(eq(hazards.id, row.id));
    expect(ledger).toMatchObject({ state: 'CLOSED', lastSeq: 7 });
    expect(ledger!.closedAt).not.toBeNull();
  });

  it('sends no further reminder once closed early', async () => {
    const t0 = await env.currentTimeMs();
    const deadlineDate = shanghaiDate(t0 + 30 * DAY);
    const { row, wf, enterprise } = await startHazard({ grade: 'GENERAL', deadline: deadlineDate });
    await skipTo(shanghai0900(minusDays(deadlineDate, 3))); // the P3D reminder goes out
    const owner = actorFor('enterprise', enterprise.id);
    await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '整改完成' }] });
    await wf.executeUpdate('decideVerification', { args: [{ actor: owner, decision: 'ACCEPT' }] });
    await wf.executeUpdate('close', { args: [{ actor: owner }] });
    await wf.result();
    await skipTo(endOfShanghaiDay(deadlineDate) + 10 * DAY);

    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([shanghai0900(minusDays(deadlineDate, 3))]);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([]);
    expect(mailKinds(row)).toEqual(['REMINDER']);
  });

  it('is marked overdue at the deadline and raised for accountability review seven days later when nobody acts', async () => {
    const t0 = await env.currentTimeMs();
    const deadlineDate = shanghaiDate(t0 + 10 * DAY);
    const deadline = endOfShanghaiDay(deadlineDate);
    const { row, wf } = await startHazard({ grade: 'GENERAL', deadline: deadlineDate });
    await skipTo(deadline + 3 * DAY);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);
    expect(await eventTimes(row, 'ESCALATED')).toEqual([]);
    await skipTo(deadline + 7 * DAY);
    expect(await eventTimes(row, 'ESCALATED')).toEqual([deadline + 7 * DAY]);
    const [review] = await handle.db.select().from(accountabilityReviews).where(eq(accountabilityReviews.hazardId, row.id));
    expect(review).toMatchObject({ deadlineVersion: 1, status: 'CASE_OPENED' });
    expect(await wf.query(hazardStateQuery)).toMatchObject({ overdue: true, escalated: true, state: 'RECTIFYING' });
    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });

  it('holds the overdue notice while the verifier has a submission made in time, and sends it at once on rejection', async () => {
    const t0 = await env.currentTimeMs();
    const deadlineDate = shanghaiDate(t0 + 10 * DAY);
    const { row, wf, enterprise } = await startHazard({ grade: 'GENERAL', deadline: deadlineDate, policy: { reminderOffsets: [] } });
    const owner = actorFor('enterprise', enterprise.id);
    await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '整改完成' }] });
    await skipTo(endOfShanghaiDay(deadlineDate) + 2 * DAY);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([]);
    await wf.executeUpdate('decideVerification', { args: [{ actor: owner, decision: 'REJECT', reason: '材料不全' }] });
    await env.sleep(60_000);
    // Due at the deadline, sent on rejection: `at` is the rejection's time, `dueAt` the deadline.
    const overdue = (await events(row)).filter((e) => e.type === 'OVERDUE');
    expect(overdue.map((e) => e.data.dueAt)).toEqual([new Date(endOfShanghaiDay(deadlineDate)).toISOString()]);
    expect(overdue[0]!.at.getTime()).toBeGreaterThan(endOfShanghaiDay(deadlineDate) + DAY);
    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });
});

describe('a major hazard (重大事故隐患)', () => {
  it('is rectified at once under its principal while it is reported and listed beside: the enterprise may submit before the listing', async () => {
    const t0 = await env.currentTimeMs();
    const { row, wf, enterprise } = await startHazard({ grade: 'MAJOR', deadline: shanghaiDate(t0 + 30 * DAY) });
    const owner = actorFor('enterprise', enterprise.id);
    const dept = actorFor('department', enterprise.departmentCode);
    expect(await executeHazardCommand(target, row.id, 'submitRectification', { actor: owner, evidence: '主要负责人领衔整改完成' })).toMatchObject({ state: 'SUBMITTED', listed: false });
    // Listed while the verifier has it: the state stays, the listing is on the record.
    expect(await executeHazardCommand(target, row.id, 'listForSupervision', { actor: dept, note: '挂牌督办' })).toMatchObject({ state: 'SUBMITTED', listed: true });
    await executeHazardCommand(target, row.id, 'decideVerification', { actor: dept, decision: 'ACCEPT' });
    await executeHazardCommand(target, row.id, 'close', { actor: dept });
    expect(await wf.result()).toMatchObject({ state: 'CLOSED', listed: true });
    const trail = (await events(row)).map((e) => [e.type, e.toState]);
    expect(trail).toEqual([
      ['REGISTERED', 'REGISTERED'],
      ['REPORTED_TO_REGULATOR', 'REPORTED_TO_REGULATOR'],
      ['RECTIFICATION_STARTED', 'RECTIFYING'],
      ['RECTIFICATION_SUBMITTED', 'SUBMITTED'],
      ['LISTED_FOR_SUPERVISION', 'SUBMITTED'],
      ['VERIFICATION_ACCEPTED', 'VERIFIED'],
      ['CLOSED', 'CLOSED'],
    ]);
    await sink.waitFor((m) => m.headers.get('x-hazard-id') === row.id && m.headers.get('x-notification-kind') === 'LISTED_FOR_SUPERVISION');
    expect(mailKinds(row)).toEqual(expect.arrayContaining(['REPORTED_TO_REGULATOR', 'LISTED_FOR_SUPERVISION']));
  });
});

describe('a reminder', () => {
  it('is on the ledger once and mailed once, written and sent by one activity in two workflow tasks, the overdue timer set in the first', async () => {
    const t0 = await env.currentTimeMs();
    const deadline = t0 + 2 * HOUR;
    const { row, wf } = await startHazard({ deadline: new Date(deadline).toISOString(), policy: { reminderOffsets: ['PT1H'], escalationAfter: 'P30D' } });
    await skipTo(deadline);

    const reminders = (await events(row)).filter((e) => e.type === 'REMINDER_SENT');
    expect(reminders.map((e) => e.data)).toEqual([{ offset: 'PT1H', deadline: new Date(deadline).toISOString(), dueAt: new Date(deadline - HOUR).toISOString() }]);
    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([deadline - HOUR]);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);
    const outbox = await handle.db.select().from(notifications).where(and(eq(notifications.hazardId, row.id), eq(notifications.kind, 'REMINDER')));
    expect(outbox).toMatchObject([{ businessKey: `hazard:${row.id}:v1:reminder:PT1H`, status: 'SENT', attempts: 1 }]);
    expect(mailKinds(row).filter((k) => k === 'REMINDER')).toHaveLength(1);

    // From the reminder's timer to the overdue one: one activity, two workflow tasks (the fire, the activity's answer).
    const history = (await wf.fetchHistory()).events ?? [];
    const fired = history.flatMap((e, i) => (e.timerFiredEventAttributes ? [i] : []));
    const reminder = history.slice(fired[0], fired[1]);
    expect(reminder.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual(['recordHazardStepWithNotice']);
    expect(reminder.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(2);
    // The overdue timer is started by the task the reminder fired in, before the activity answers.
    const timerStarted = reminder.findIndex((e) => e.timerStartedEventAttributes);
    expect(timerStarted).toBeGreaterThan(-1);
    expect(timerStarted).toBeLessThan(reminder.findIndex((e) => e.activityTaskCompletedEventAttributes));
    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });
});

describe('commands the workflow refuses before accepting them', () => {
  it('refuses an illegal transition, a verifier without the right, and a rejection without reason, changing nothing', async () => {
    const t0 = await env.currentTimeMs();
    const { row, enterprise } = await startHazard({ grade: 'MAJOR', deadline: shanghaiDate(t0 + 30 * DAY) });
    const owner = actorFor('enterprise', enterprise.id);
    const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof DomainError ? e.code : e));

    expect(await refusal(executeHazardCommand(target, row.id, 'close', { actor: actorFor('department', enterprise.departmentCode) }))).toBe('ILLEGAL_TRANSITION');
    expect(await refusal(executeHazardCommand(target, row.id, 'listForSupervision', { actor: owner }))).toBe('FORBIDDEN');
    expect(await refusal(executeHazardCommand(target, row.id, 'listForSupervision', { actor: actorFor('department', 'other-dept') }))).toBe('NOT_FOUND');
    await executeHazardCommand(target, row.id, 'listForSupervision', { actor: actorFor('department', enterprise.departmentCode) });
    expect(await refusal(executeHazardCommand(target, row.id, 'listForSupervision', { actor: actorFor('department', enterprise.departmentCode) }))).toBe('ILLEGAL_TRANSITION');
    await executeHazardCommand(target, row.id, 'submitRectification', { actor: owner, evidence: '整改完成' });
    expect(await refusal(executeHazardCommand(target, row.id, 'decideVerification', { actor: owner, decision: 'ACCEPT' }))).toBe('FORBIDDEN');
    expect(await refusal(executeHazardCommand(target, row.id, 'decideVerification', { actor: actorFor('department', enterprise.departmentCode), decision: 'REJECT' }))).toBe('VALIDATION_FAILED');

    const types = (await events(row)).map((e) => e.type);
    expect(types).toEqual(['REGISTERED', 'REPORTED_TO_REGULATOR', 'RECTIFICATION_STARTED', 'LISTED_FOR_SUPERVISION', 'RECTIFICATION_SUBMITTED']);
    await executeHazardCommand(target, row.id, 'withdraw', { actor: actorFor('admin'), reason: 'test over' });
  });
});
