// Issue 8 §4, first scenario, end to end on the time-skipping server: the real hazard workflow,
// the real case workflow and the real activities on a real Postgres ledger and a real SMTP sink.
// A major hazard found in a campaign passes its deadline and escalation step; a case opens against
// its supervising department on the ladder of the campaign's template; the reviewer in scope does
// nothing and is reminded at the exact instants, then the office head is told; the reviewer
// escalates twice, the hazard is closed meanwhile (the case records it and stays open), the
// reviewer holds until a date (nothing fires), a new window opens at that date, and the reviewer resolves.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { insertCampaign } from '../../db/campaign-admin.repo';
import { createApiKey, revokeApiKey } from '../../db/reference.repo';
import { accountabilityReviews, caseCauses, cases } from '../../db/schema';
import { hazardCauseRef, type CaseDecision } from '../../domain/accountability';
import { demoTemplate } from '../../domain/campaign';
import type { Actor } from '../../domain/hazard';
import { executeHazardCommand, workflowInputFor } from '../../services/hazard.service';
import type { TemporalTarget } from '../../services/temporal';
import { caseStateQuery, decideCaseUpdate } from '../../workflows/case.messages';
import { hazardRectificationWorkflow } from '../../workflows/hazard.workflow';
import { caseWorkflowId } from '../../workflows/ids';
import type { SmtpSink } from '../support';
import { caseEventTimes, caseEventsOf, caseMailKind, caseMails, recipientsOf } from '../support/case-ledger';
import { until } from '../support/eventually';
import { actorFor, reportBody, seedEnterprise, seedHazard, uniq } from '../support/fixtures';
import { OFFICE_EMAIL } from '../support/hazard-worker';
import { DAY, HOUR, minusDays, shanghai0900, shanghaiDate } from '../support/shanghai';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;
let taskQueue: string;

beforeAll(async () => {
  stack = await startWorkflowStack('case-scenario');
  ({ env, handle, sink, target, taskQueue } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const events = (caseId: string) => caseEventsOf(handle.db, caseId);
const caseRow = async (caseId: string) => (await handle.db.select().from(cases).where(eq(cases.id, caseId)))[0]!;
const firedAt = (caseId: string, type: string) => caseEventTimes(handle.db, caseId, type);
const mailsFor = (caseId: string) => caseMails(sink, caseId);

describe('a major hazard left unrectified in a campaign, and a reviewer who first does nothing', () => {
  it('opens a case against the supervising department, chases its reviewer at the exact instants, and records every decision and the closed hazard', async () => {
    const db = handle.db;
    const enterprise = await seedEnterprise(db);
    const dept = enterprise.departmentCode;

    // The reviewers: one in the department's scope; one elsewhere, one revoked and one expired (none of them may hear of the case).
    const reviewerEmail = `${uniq('reviewer')}@review.test`;
    const reviewerKey = (await createApiKey(db, { name: uniq('reviewer'), role: 'reviewer', scope: dept, email: reviewerEmail })).key;
    const elsewhere = `${uniq('elsewhere')}@review.test`;
    await createApiKey(db, { name: uniq('reviewer'), role: 'reviewer', scope: uniq('other-county'), email: elsewhere });
    const revoked = `${uniq('revoked')}@review.test`;
    await revokeApiKey(db, (await createApiKey(db, { name: uniq('reviewer'), role: 'reviewer', scope: dept, email: revoked })).key.id);
    const expired = `${uniq('expired')}@review.test`;
    await createApiKey(db, { name: uniq('reviewer'), role: 'reviewer', scope: dept, email: expired, expiresAt: new Date(Date.now() - 1000) });
    const reviewer: Actor = { keyId: reviewerKey.id, role: 'reviewer', scope: dept, name: reviewerKey.name };

    // The campaign's template gives 通报 four days of review (the other rungs keep the default five).
    const campaignId = randomUUID();
    const template = { ...demoTemplate((await env.currentTimeMs()) + 30 * DAY), key: uniq('scenario'), caseLadder: { rungs: { CIRCULAR: { reviewTime: 'P4D' } } } };
    await insertCampaign(db, { id: campaignId, name: template.name, template, workflowId: `campaign:${campaignId}`, spotCheckSeed: 's', launchedBy: actorFor('office'), idempotencyKey: campaignId }, []);

    // A major hazard escalates at its deadline (P0D): the end of the local day three days from now.
    const now = await env.currentTimeMs();
    const hazard = await seedHazard(db, enterprise, reportBody({ grade: 'MAJOR', deadline: shanghaiDate(now + 3 * DAY), campaignId }), now);
    await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: hazard.workflowId, args: [workflowInputFor(hazard)] });
    const deptActor = actorFor('department', dept);
    await executeHazardCommand(target, hazard.id, 'listForSupervision', { actor: deptActor, note: '挂牌督办' });

    await stack.skipTo(hazard.deadline.getTime());
    const [opened] = await until(() => db.select().from(cases).where(eq(cases.subjectRef, dept)), (rows) => rows.length === 1, 'the case against the department');
    const caseId = opened!.id;
    expect(opened).toMatchObject({ subjectKind: 'UNIT', causeKind: 'HAZARD_ESCALATION', campaignId, rung: 'CIRCULAR', status: 'OPEN', scopeDepartment: dept });
    const wf = env.client.workflow.getHandle(caseWorkflowId(caseId));
    const state = await wf.query(caseStateQuery);
    expect(state.causes.map((c) => c.refId)).toEqual([hazardCauseRef(hazard.id, 1)]);
    // The escalation's review record is marked: the reconciler leaves it alone.
    const [review] = await until(() => db.select().from(accountabilityReviews).where(eq(accountabilityReviews.hazardId, hazard.id)), (rows) => rows[0]?.status === 'CASE_OPENED', 'the review record marked');
    expect(review!.deadlineVersion).toBe(1);

    // The reviewer does nothing. Reminders at 09:00 local two days and one day before the review ends (four days after opening), then the office head.
    const openedAt = Date.parse(state.windowOpenedAt!);
    const dueAt = openedAt + 4 * DAY;
    expect(Date.parse(state.reviewDueAt!)).toBe(dueAt);
    await stack.skipTo(dueAt);
    const dueDate = shanghaiDate(dueAt);
    expect(await firedAt(caseId, 'REVIEW_REMINDER_SENT')).toEqual([shanghai0900(minusDays(dueDate, 2)), shanghai0900(minusDays(dueDate, 1))]);
    expect(await firedAt(caseId, 'REVIEW_OVERDUE')).toEqual([dueAt]);
    expect(await caseRow(caseId)).toMatchObject({ status: 'OPEN', rung: 'CIRCULAR', overdue: true });

    const overdue = await sink.waitFor((m) => m.headers.get('x-case-id') === caseId && m.headers.get('x-notification-kind') === 'CASE_REVIEW_OVERDUE');
    expect(recipientsOf(overdue).sort()).toEqual([OFFICE_EMAIL, reviewerEmail].sort());
    await until(async () => mailsFor(caseId).map(caseMailKind).sort(), (k) => k.length === 4, 'the first window\'s four mails');
    expect(mailsFor(caseId).map(caseMailKind).sort()).toEqual(['CASE_REVIEW_OVERDUE#1', 'CASE_REVIEW_REMINDER#1', 'CASE_REVIEW_REMINDER#1', 'CASE_REVIEW_REQUESTED#1']);
    for (const m of mailsFor(caseId).filter((m) => m.headers.get('x-notification-kind') !== 'CASE_REVIEW_OVERDUE')) expect(recipientsOf(m)).toEqual([reviewerEmail]);

    // The reviewer escalates twice: 约谈 with its date, then 移送 to the discipline commission.
    const decide = (decision: CaseDecision) => wf.executeUpdate(decideCaseUpdate, { args: [{ actor: reviewer, decision }] });
    const summonsAt = new Date((await env.currentTimeMs()) + 3 * DAY).toISOString();
    expect(await decide({ kind: 'ESCALATE', reason: '审查期内未督促整改', summonsAt })).toMatchObject({ rung: 'SUMMONS', overdue: false, summonsAt, window: 2 });
    const referred = await decide({ kind: 'ESCALATE', reason: '约谈后仍未整改', referralTo: 'DISCIPLINE_COMMISSION' });
    expect(referred).toMatchObject({ rung: 'REFERRAL', referralTo: 'DISCIPLINE_COMMISSION', window: 3 });
    expect(Date.parse(referred.reviewDueAt!) - Date.parse(referred.windowOpenedAt!)).toBe(5 * DAY);
    const asked = await sink.waitFor((m) => m.headers.get('x-case-id') === caseId && m.headers.get('x-case-window') === '3');
    expect(recipientsOf(asked)).toEqual([reviewerEmail]);
    expect(asked.text).toContain('纪委监委');

    // Meanwhile the hazard is rectified and closed: the case records it and stays open for the reviewer.
    await executeHazardCommand(target, hazard.id, 'submitRectification', { actor: actorFor('enterprise', enterprise.id), evidence: '已整改并验收' });
    await executeHazardCommand(target, hazard.id, 'decideVerification', { actor: deptActor, decision: 'ACCEPT' });
    await executeHazardCommand(target, hazard.id, 'close', { actor: deptActor, note: '销号' });
    const [cause] = await until(() => db.select().from(caseCauses).where(and(eq(caseCauses.caseId, caseId), eq(caseCauses.refId, hazardCauseRef(hazard.id, 1)))), (rows) => rows[0]?.resolvedAt != null, 'the closed hazard on the case');
    expect(cause!.kind).toBe('HAZARD_ESCALATION');
    expect((await wf.query(caseStateQuery)).status).toBe('OPEN');
    await until(async () => (await events(caseId)).at(-1)?.type, (t) => t === 'CAUSE_RESOLVED', 'CAUSE_RESOLVED on the ledger');
    expect((await caseRow(caseId)).status).toBe('OPEN');

    // A hold: nothing fires while held (no reminder, no overdue notice, no mail); at its date a new window opens.
    const t2 = await env.currentTimeMs();
    const heldUntil = t2 + 10 * DAY;
    expect(await decide({ kind: 'HOLD', reason: '等待纪委调查结论', until: new Date(heldUntil).toISOString() })).toMatchObject({ status: 'HELD', reviewDueAt: null });
    await until(async () => (await events(caseId)).at(-1)?.type, (t) => t === 'HELD', 'HELD on the ledger');
    const eventsBefore = (await events(caseId)).length;
    const mailsBefore = mailsFor(caseId).length;
    await env.sleep(heldUntil - t2 - HOUR);
    expect((await events(caseId)).length).toBe(eventsBefore);
    expect(mailsFor(caseId).length).toBe(mailsBefore);

    await stack.skipTo(heldUntil);
    expect(await firedAt(caseId, 'HOLD_ENDED')).toEqual([heldUntil]);
    expect(await wf.query(caseStateQuery)).toMatchObject({ status: 'OPEN', rung: 'REFERRAL', window: 4 });
    const again = await sink.waitFor((m) => m.headers.get('x-case-id') === caseId && m.headers.get('x-notification-kind') === 'CASE_REVIEW_REQUESTED' && m.headers.get('x-case-window') === '4');
    expect(recipientsOf(again)).toEqual([reviewerEmail]);

    await decide({ kind: 'RESOLVE', reason: '已移送纪委监委，隐患已销号' });
    expect(await wf.result()).toMatchObject({ status: 'RESOLVED', rung: 'REFERRAL' });
    await until(() => caseRow(caseId), (r) => r.status === 'RESOLVED', 'the resolved row');

    const timeline = (await events(caseId)).map((e) => [e.type, e.rung, e.status]);
    expect(timeline).toEqual([
      ['OPENED', 'CIRCULAR', 'OPEN'],
      ['REVIEW_REMINDER_SENT', 'CIRCULAR', 'OPEN'],
      ['REVIEW_REMINDER_SENT', 'CIRCULAR', 'OPEN'],
      ['REVIEW_OVERDUE', 'CIRCULAR', 'OPEN'],
      ['ESCALATED', 'SUMMONS', 'OPEN'],
      ['ESCALATED', 'REFERRAL', 'OPEN'],
      ['CAUSE_RESOLVED', 'REFERRAL', 'OPEN'],
      ['HELD', 'REFERRAL', 'HELD'],
      ['HOLD_ENDED', 'REFERRAL', 'OPEN'],
      ['RESOLVED', 'REFERRAL', 'RESOLVED'],
    ]);
    const decisions = (await events(caseId)).filter((e) => ['ESCALATED', 'HELD', 'RESOLVED'].includes(e.type));
    expect(decisions.map((e) => e.actor.keyId)).toEqual([reviewer.keyId, reviewer.keyId, reviewer.keyId, reviewer.keyId]);

    // Only the reviewer in scope and the office heard of the case.
    const everyone = new Set(mailsFor(caseId).flatMap(recipientsOf));
    expect([...everyone].sort()).toEqual([OFFICE_EMAIL, reviewerEmail].sort());
    for (const other of [elsewhere, revoked, expired]) expect(sink.messages.flatMap(recipientsOf)).not.toContain(other);
  });
});
