// The accountability case workflow on the real time-skipping test server, with the real
// activities writing a real Postgres ledger and mailing a real SMTP sink.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { caseCauses, cases } from '../../db/schema';
import { DEFAULT_CASE_LADDER, type CaseDecision } from '../../domain/accountability';
import type { Actor } from '../../domain/hazard';
import { caseWorkflow } from '../../workflows/case.workflow';
import { addCaseCauseSignal, caseCauseResolvedSignal, caseStateQuery, decideCaseUpdate } from '../../workflows/case.messages';
import { caseWorkflowId } from '../../workflows/ids';
import type { SmtpSink } from '../support';
import { caseEventTimes, caseEventsOf, caseMailKind, caseMails, recipientsOf } from '../support/case-ledger';
import { actorFor, uniq } from '../support/fixtures';
import { OFFICE_EMAIL } from '../support/hazard-worker';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';
import { HOUR, DAY, shanghaiDate, shanghai0900, minusDays } from '../support/shanghai';

const REVIEWER = 'reviewer@safety.test';

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let taskQueue: string;
let skipTo: WorkflowStack['skipTo'];
const office: Actor = actorFor('office');

beforeAll(async () => {
  stack = await startWorkflowStack('case-wf');
  ({ env, handle, sink, taskQueue, skipTo } = stack);
});

afterAll(async () => {
  await stack?.close();
});

async function openCase() {
  const caseId = randomUUID();
  const hazardId = randomUUID();
  const unit = uniq('county');
  const wf = await env.client.workflow.start(caseWorkflow, {
    taskQueue,
    workflowId: caseWorkflowId(caseId),
    args: [
      {
        caseId,
        subject: { kind: 'UNIT', ref: unit, name: `${unit} 县`, officialName: '张三' },
        cause: { kind: 'HAZARD_ESCALATION', refId: hazardId, note: '重大隐患逾期未整改' },
        ladder: DEFAULT_CASE_LADDER,
        timeZone: 'Asia/Shanghai',
        openedBy: office,
        reviewerEmails: [REVIEWER],
      },
    ],
  });
  const state = await wf.query(caseStateQuery);
  return { caseId, hazardId, unit, wf, openedAt: Date.parse(state.windowOpenedAt!) };
}

const events = (caseId: string) => caseEventsOf(handle.db, caseId);
const row = async (caseId: string) => (await handle.db.select().from(cases).where(eq(cases.id, caseId)))[0]!;
const eventTimes = (caseId: string, type: string) => caseEventTimes(handle.db, caseId, type);
const mailsFor = (caseId: string) => caseMails(sink, caseId);
const mailKinds = (caseId: string) => mailsFor(caseId).map(caseMailKind);
const addresses = recipientsOf;
const decide = (wf: Awaited<ReturnType<typeof openCase>>['wf'], decision: CaseDecision, actor: Actor = office) => wf.executeUpdate(decideCaseUpdate, { args: [{ actor, decision }] });
/** The refusal code of an update the validator rejected. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type!;
}

describe('a reviewer who does nothing', () => {
  it('is reminded at 09:00 two days and one day before the review ends, then the office head is told at its end and the case is flagged overdue', async () => {
    const { caseId, wf, openedAt } = await openCase();
    const dueAt = openedAt + 5 * DAY;
    await expect.poll(async () => (await handle.db.select().from(cases).where(eq(cases.id, caseId)))[0]?.reviewDueAt?.getTime()).toBe(dueAt);

    await skipTo(dueAt + DAY);
    const dueDate = shanghaiDate(dueAt);
    expect(await eventTimes(caseId, 'REVIEW_REMINDER_SENT')).toEqual([shanghai0900(minusDays(dueDate, 2)), shanghai0900(minusDays(dueDate, 1))]);
    expect(await eventTimes(caseId, 'REVIEW_OVERDUE')).toEqual([dueAt]);

    expect(await row(caseId)).toMatchObject({ status: 'OPEN', rung: 'CIRCULAR', overdue: true });
    expect(await wf.query(caseStateQuery)).toMatchObject({ status: 'OPEN', overdue: true, nextEvent: null });

    const overdueMail = await sink.waitFor((m) => m.headers.get('x-case-id') === caseId && m.headers.get('x-notification-kind') === 'CASE_REVIEW_OVERDUE');
    expect(addresses(overdueMail)).toEqual(expect.arrayContaining([OFFICE_EMAIL, REVIEWER]));
    expect(overdueMail.subject).toContain('审查逾期');
    expect(mailKinds(caseId).sort()).toEqual(['CASE_REVIEW_OVERDUE#1', 'CASE_REVIEW_REMINDER#1', 'CASE_REVIEW_REMINDER#1', 'CASE_REVIEW_REQUESTED#1']);
    const reminder = mailsFor(caseId).find((m) => m.headers.get('x-notification-kind') === 'CASE_REVIEW_REMINDER')!;
    expect(addresses(reminder)).toEqual([REVIEWER]);
    expect(reminder.text).toContain('通报');

    await decide(wf, { kind: 'RESOLVE', reason: 'test over' });
    expect(await wf.result()).toMatchObject({ status: 'RESOLVED' });
  });
});

describe('the reviewer decides', () => {
  it('escalates to a summons with its date and a referral to the discipline commission, holds until a date, then resolves', async () => {
    const { caseId, wf, openedAt } = await openCase();
    await skipTo(openedAt + 5 * DAY);
    expect((await row(caseId)).overdue).toBe(true);

    const t1 = await env.currentTimeMs();
    const summonsAt = new Date(t1 + 3 * DAY).toISOString();
    const summoned = await decide(wf, { kind: 'ESCALATE', reason: '逾期未作出整改', summonsAt, expose: true });
    expect(summoned).toMatchObject({ rung: 'SUMMONS', status: 'OPEN', overdue: false, exposed: true, summonsAt, window: 2 });
    expect(Date.parse(summoned.reviewDueAt!) - Date.parse(summoned.windowOpenedAt!)).toBe(5 * DAY);
    expect(await row(caseId)).toMatchObject({ rung: 'SUMMONS', overdue: false, exposed: true, summonsAt: new Date(summonsAt) });

    const referred = await decide(wf, { kind: 'ESCALATE', reason: '约谈后仍未整改', referralTo: 'DISCIPLINE_COMMISSION' });
    expect(referred).toMatchObject({ rung: 'REFERRAL', referralTo: 'DISCIPLINE_COMMISSION', window: 3 });

    const t2 = await env.currentTimeMs();
    const until = t2 + 10 * DAY;
    const held = await decide(wf, { kind: 'HOLD', reason: '等待纪委调查结论', until: new Date(until).toISOString() });
    expect(held).toMatchObject({ status: 'HELD', heldUntil: new Date(until).toISOString(), reviewDueAt: null, nextEvent: { kind: 'HOLD_END' } });
    expect(await row(caseId)).toMatchObject({ status: 'HELD', heldUntil: new Date(until), reviewDueAt: null });

    // Nothing fires while held: no reminder, no overdue notice, no mail.
    await sink.waitFor((m) => m.headers.get('x-case-id') === caseId && m.headers.get('x-case-window') === '3');
    await expect.poll(async () => (await events(caseId)).at(-1)?.type).toBe('HELD');
    const before = (await events(caseId)).length;
    const mailsBefore = mailsFor(caseId).length;
    await env.sleep(until - t2 - HOUR);
    expect((await events(caseId)).length).toBe(before);
    expect(mailsFor(caseId).length).toBe(mailsBefore);

    await skipTo(until);
    expect(await eventTimes(caseId, 'HOLD_ENDED')).toEqual([until]);
    const reopened = await wf.query(caseStateQuery);
    expect(reopened).toMatchObject({ status: 'OPEN', rung: 'REFERRAL', window: 4, heldUntil: null });
    expect(Date.parse(reopened.reviewDueAt!) - Date.parse(reopened.windowOpenedAt!)).toBe(5 * DAY);
    await sink.waitFor((m) => m.headers.get('x-case-id') === caseId && m.headers.get('x-notification-kind') === 'CASE_REVIEW_REQUESTED' && m.headers.get('x-case-window') === '4');

    await decide(wf, { kind: 'RESOLVE', reason: '已移送纪委监委处理完毕' });
    expect(await wf.result()).toMatchObject({ status: 'RESOLVED', rung: 'REFERRAL' });
    const resolved = await row(caseId);
    expect(resolved).toMatchObject({ status: 'RESOLVED', overdue: false });
    expect(resolved.resolvedAt).not.toBeNull();

    const timeline = (await events(caseId)).map((e) => [e.type, e.rung, e.status]);
    expect(timeline).toEqual([
      ['OPENED', 'CIRCULAR', 'OPEN'],
      ['REVIEW_REMINDER_SENT', 'CIRCULAR', 'OPEN'],
      ['REVIEW_REMINDER_SENT', 'CIRCULAR', 'OPEN'],
      ['REVIEW_OVERDUE', 'CIRCULAR', 'OPEN'],
      ['ESCALATED', 'SUMMONS', 'OPEN'],
      ['ESCALATED', 'REFERRAL', 'OPEN'],
      ['HELD', 'REFERRAL', 'HELD'],
      ['HOLD_ENDED', 'REFERRAL', 'OPEN'],
      ['RESOLVED', 'REFERRAL', 'RESOLVED'],
    ]);
    const escalations = (await events(caseId)).filter((e) => e.type === 'ESCALATED');
    expect(escalations.map((e) => e.actor.keyId)).toEqual([office.keyId, office.keyId]);
    expect(escalations[1]!.data).toMatchObject({ from: 'SUMMONS', to: 'REFERRAL', referralTo: 'DISCIPLINE_COMMISSION', reason: '约谈后仍未整改' });
  });

  it('records a cause that joins and a cause that is resolved, and stays open until the reviewer resolves it', async () => {
    const { caseId, hazardId, wf } = await openCase();
    const second = uniq('duty');
    await wf.signal(addCaseCauseSignal, { kind: 'DUTY_MISSED', refId: second, note: '月报未报送', actor: office });
    await wf.signal(caseCauseResolvedSignal, { kind: 'HAZARD_ESCALATION', refId: hazardId, actor: actorFor('department', 'd') });
    const state = await wf.query(caseStateQuery);
    expect(state.status).toBe('OPEN');
    expect(state.causes.map((c) => [c.kind, c.refId, c.resolvedAt !== null])).toEqual([
      ['HAZARD_ESCALATION', hazardId, true],
      ['DUTY_MISSED', second, false],
    ]);
    // The query answers before the ledger write completes; wait for the write.
    await expect.poll(async () => (await events(caseId)).map((e) => e.type)).toEqual(['OPENED', 'CAUSE_JOINED', 'CAUSE_RESOLVED']);
    const causes = await handle.db.select().from(caseCauses).where(eq(caseCauses.caseId, caseId));
    expect(causes.map((c) => [c.kind, c.refId, c.resolvedAt !== null]).sort()).toEqual([
      ['DUTY_MISSED', second, false],
      ['HAZARD_ESCALATION', hazardId, true],
    ]);
    expect((await row(caseId)).status).toBe('OPEN');
    await decide(wf, { kind: 'RESOLVE', reason: 'test over' });
    await wf.result();
  });
});

describe('illegal decisions', () => {
  it('are refused before acceptance and change nothing: a skipped rung, no reason, a hold into the past, a key without the role, a resolved case', async () => {
    const { caseId, unit, wf } = await openCase();
    const now = await env.currentTimeMs();
    const state = await wf.query(caseStateQuery);
    // The opening step reaches the ledger after the query answers: wait for it before taking the snapshot.
    await expect.poll(async () => (await events(caseId)).map((e) => e.type)).toEqual(['OPENED']);
    const ledger = await events(caseId);

    expect(await refusal(decide(wf, { kind: 'ESCALATE', reason: '直接免职', to: 'DISMISSAL' }))).toBe('ILLEGAL_TRANSITION');
    expect(await refusal(decide(wf, { kind: 'RESOLVE', reason: '' }))).toBe('VALIDATION_FAILED');
    expect(await refusal(decide(wf, { kind: 'HOLD', reason: '暂缓', until: new Date(now - DAY).toISOString() }))).toBe('VALIDATION_FAILED');
    expect(await refusal(decide(wf, { kind: 'ESCALATE', reason: '约谈' }))).toBe('VALIDATION_FAILED'); // a summons without its date
    expect(await refusal(decide(wf, { kind: 'RESOLVE', reason: '自行办结' }, actorFor('county', unit)))).toBe('FORBIDDEN');
    expect(await refusal(decide(wf, { kind: 'RESOLVE', reason: '自行办结' }, actorFor('county', 'elsewhere')))).toBe('NOT_FOUND');

    expect(await wf.query(caseStateQuery)).toEqual(state);
    expect(await events(caseId)).toEqual(ledger);
    const history = await wf.fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);

    await decide(wf, { kind: 'RESOLVE', reason: '已整改' });
    await wf.result();
    const resolvedLedger = await events(caseId);
    // The workflow has ended: the server refuses any further decision.
    await expect(decide(wf, { kind: 'ESCALATE', reason: 'again', summonsAt: new Date(now + 3 * DAY).toISOString() })).rejects.toThrow();
    expect(await events(caseId)).toEqual(resolvedLedger);
    expect(await row(caseId)).toMatchObject({ status: 'RESOLVED', rung: 'CIRCULAR' });
  });
});
