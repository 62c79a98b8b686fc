// The hazard workflow when its side effects fail, on the real time-skipping test server with the
// real activities (Postgres ledger, an SMTP sink that refuses on command): a refused or
// unreachable mailbox never holds back a timer, a notice names the deadline version it was fired
// for, and a step whose data the ledger refuses is recorded marked instead of blocking the workflow.
import { WorkflowUpdateStage } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { PoolClient } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type LedgerEntry } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import type { DbHandle } from '../../db/client';
import type { HazardRow } from '../../db/hazards.repo';
import { hazardEvents, notifications } from '../../db/schema';
import { DomainError } from '../../domain/errors';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { executeHazardCommand, workflowInputFor } from '../../services/hazard.service';
import type { TemporalTarget } from '../../services/temporal';
import { decideExtensionUpdate, hazardStateQuery } from '../../workflows/hazard.messages';
import { hazardRectificationWorkflow } from '../../workflows/hazard.workflow';
import type { SmtpSink } from '../support';
import { actorFor, reportBody, seedEnterprise, seedHazard } from '../support/fixtures';
import { mailSettings, OFFICE_EMAIL } from '../support/hazard-worker';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';
import { MINUTE, HOUR, DAY, shanghaiDate, endOfShanghaiDay, shanghai0900, minusDays } from '../support/shanghai';
import { until } from '../support/eventually';


let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;
let taskQueue: string;
let skipTo: WorkflowStack['skipTo'];

beforeAll(async () => {
  stack = await startWorkflowStack('hazard-faults');
  ({ env, handle, sink, target, taskQueue, skipTo } = stack);
});

afterEach(() => {
  sink.refuseAll = null;
  sink.refuseRecipients.clear();
});

afterAll(async () => {
  await stack?.close();
});

async function startHazard(over: Parameters<typeof reportBody>[0], input: (row: HazardRow) => ReturnType<typeof workflowInputFor> = workflowInputFor) {
  const enterprise = await seedEnterprise(handle.db);
  const now = await env.currentTimeMs();
  const row = await seedHazard(handle.db, enterprise, reportBody(over), now);
  const wf = await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [input(row)] });
  return { enterprise, row, wf, now, department: `${enterprise.departmentCode}@dept.test` };
}

const events = (row: HazardRow) => handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, row.id)).orderBy(asc(hazardEvents.seq));
/** Due instants of a row's timer events; each must also have been acted on within a second of it. */
async function eventTimes(row: HazardRow, type: string): Promise<number[]> {
  const fired = (await events(row)).filter((e) => e.type === type);
  for (const e of fired) expect(e.at.getTime() - Date.parse(String(e.data.dueAt))).toBeLessThan(1000);
  return fired.map((e) => Date.parse(String(e.data.dueAt)));
}
const outbox = (row: HazardRow) => handle.db.select().from(notifications).where(eq(notifications.hazardId, row.id)).orderBy(asc(notifications.createdAt));
const outboxOf = async (row: HazardRow, kind: string) => (await handle.db.select().from(notifications).where(and(eq(notifications.hazardId, row.id), eq(notifications.kind, kind))))[0];
const mailsFor = (row: HazardRow) => sink.messages.filter((m) => m.headers.get('x-hazard-id') === row.id);


describe('a supervising department whose mailbox refuses mail (550)', () => {
  it('fails only its own mails on the outbox, and every reminder, the overdue notice and the escalation still happen at their instants', async () => {
    const t0 = await env.currentTimeMs();
    const deadlineDate = shanghaiDate(t0 + 30 * DAY);
    const deadline = endOfShanghaiDay(deadlineDate);
    const enterprise = await seedEnterprise(handle.db);
    const department = `${enterprise.departmentCode}@dept.test`;
    sink.refuseRecipients.set(department, { code: 550, message: 'no such user' });
    const row = await seedHazard(handle.db, enterprise, reportBody({ grade: 'MAJOR', deadline: deadlineDate }), t0);
    const wf = await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });

    // The registration mail goes to the department and the county: the county got it, the department is listed as refused.
    const reported = await until(() => outboxOf(row, 'REPORTED_TO_REGULATOR'), (r) => r?.status === 'PARTIALLY_SENT', 'REPORTED_TO_REGULATOR partially sent');
    expect(reported!.failedRecipients).toEqual([{ address: department, reason: expect.stringContaining('no such user'), permanent: true }]);
    expect(reported!.deliveredTo).toEqual([`${enterprise.countyCode}@county.test`]);

    await skipTo(deadline + DAY);
    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([7, 3, 1].map((n) => shanghai0900(minusDays(deadlineDate, n))));
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);
    expect(await eventTimes(row, 'ESCALATED')).toEqual([deadline]); // major: +P0D
    expect(await wf.query(hazardStateQuery)).toMatchObject({ state: 'RECTIFYING', overdue: true, escalated: true });

    // The overdue notice reached the enterprise's people; the department is listed as refused.
    const overdue = await until(() => outboxOf(row, 'OVERDUE'), (r) => r?.status !== 'PENDING', 'OVERDUE delivered');
    expect(overdue).toMatchObject({ status: 'PARTIALLY_SENT', failedRecipients: [{ address: department, reason: expect.stringContaining('550'), permanent: true }] });
    expect(overdue!.deliveredTo.sort()).toEqual([enterprise.principalEmail, row.responsibleEmail].sort());
    const escalated = await until(() => outboxOf(row, 'ESCALATED'), (r) => r?.status !== 'PENDING', 'ESCALATED delivered');
    expect(escalated).toMatchObject({ status: 'PARTIALLY_SENT', deliveredTo: [OFFICE_EMAIL] });
    const reminders = (await outbox(row)).filter((n) => n.kind === 'REMINDER');
    expect(reminders.map((n) => n.status)).toEqual(['SENT', 'SENT', 'SENT']);

    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
    expect(await wf.result()).toMatchObject({ state: 'WITHDRAWN' });
  });
});

describe('a reminder whose every recipient refuses it (550)', () => {
  it('is on the ledger at its instant, the overdue step still fires at the deadline, and the outbox row shows the refusal', async () => {
    const t0 = await env.currentTimeMs();
    const deadline = t0 + 2 * HOUR;
    const enterprise = await seedEnterprise(handle.db);
    const report = reportBody({ deadline: new Date(deadline).toISOString(), policy: { reminderOffsets: ['PT1H'], escalationAfter: 'P30D' } });
    const people = [report.responsible.email!, enterprise.principalEmail!];
    for (const address of people) sink.refuseRecipients.set(address, { code: 550, message: 'mailbox unavailable' });
    const row = await seedHazard(handle.db, enterprise, report, t0);
    const wf = await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });

    await skipTo(deadline);
    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([deadline - HOUR]);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);
    const reminder = await outboxOf(row, 'REMINDER');
    expect(reminder).toMatchObject({ status: 'FAILED', attempts: 1, deliveredTo: [], lastError: expect.stringContaining('mailbox unavailable') });
    expect(reminder!.failedRecipients.map((f) => f.address).sort()).toEqual([...people].sort());
    expect(reminder!.failedRecipients.every((f) => f.permanent && f.reason.includes('550'))).toBe(true);
    expect(mailsFor(row).map((m) => m.headers.get('x-notification-kind'))).not.toContain('REMINDER');
    // The overdue notice reached the department beside the refused people.
    expect(await until(() => outboxOf(row, 'OVERDUE'), (r) => r?.status !== 'PENDING', 'OVERDUE decided')).toMatchObject({ status: 'PARTIALLY_SENT', deliveredTo: [`${enterprise.departmentCode}@dept.test`] });

    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });
});

describe('the activity of a step and its notice, run again (a retry after its answer was lost)', () => {
  it('leaves one step on the ledger, one outbox row and one mail', async () => {
    const enterprise = await seedEnterprise(handle.db);
    const row = await seedHazard(handle.db, enterprise, reportBody(), await env.currentTimeMs());
    const deadline = row.deadline.toISOString();
    const entry: LedgerEntry = {
      hazardId: row.id,
      workflowId: row.workflowId,
      seq: 1,
      type: 'REMINDER_SENT',
      fromState: 'REGISTERED',
      toState: 'REGISTERED',
      actor: SYSTEM_ACTOR,
      data: { offset: 'P1D', deadline, dueAt: deadline },
      at: new Date().toISOString(),
      row: { state: 'REGISTERED', overdue: false, escalated: false, deadline, deadlineVersion: 1, pendingExtension: null },
    };
    const input = { entry, notice: { hazardId: row.id, kind: 'REMINDER' as const, eventKey: 'reminder:P1D', deadlineVersion: 1, data: { deadline, offset: 'P1D' } } };
    const mailer = createSmtpMailer(sink.url);
    const { recordHazardStepWithNotice } = createActivities({ db: handle.db, mailer, mail: mailSettings, temporal: target });
    try {
      expect(await new MockActivityEnvironment({ attempt: 1 }).run(recordHazardStepWithNotice, input)).toMatchObject({ status: 'SENT' });
      expect(await new MockActivityEnvironment({ attempt: 2 }).run(recordHazardStepWithNotice, input)).toMatchObject({ status: 'ALREADY_SENT' });
    } finally {
      mailer.close();
    }

    expect((await events(row)).map((e) => [e.seq, e.type])).toEqual([[1, 'REMINDER_SENT']]);
    expect(await outbox(row)).toMatchObject([{ businessKey: `hazard:${row.id}:v1:reminder:P1D`, status: 'SENT', attempts: 1 }]);
    expect(mailsFor(row)).toHaveLength(1);
  });
});

describe('an SMTP server that refuses everything (421) for a while', () => {
  it('keeps every timer on time on the ledger, then sends each mail once with its original Message-ID when the server is back', async () => {
    sink.refuseAll = { code: 421, message: 'try later' };
    const t0 = await env.currentTimeMs();
    // A two-hour deadline: the outage (about 2.5 h) stays within the mail retry budget (about 5.5 h).
    const deadline = t0 + 2 * HOUR;
    const { row, wf } = await startHazard({
      grade: 'GENERAL',
      deadline: new Date(deadline).toISOString(),
      policy: { reminderOffsets: ['PT90M', 'PT30M'], escalationAfter: 'PT15M' },
    });

    await env.sleep(deadline + 15 * MINUTE - t0 + MINUTE);
    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([deadline - 90 * MINUTE, deadline - 30 * MINUTE]);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);
    expect(await eventTimes(row, 'ESCALATED')).toEqual([deadline + 15 * MINUTE]);
    // Nothing marked sent that was not: every mail is pending with the server's reason, none arrived.
    const during = await outbox(row);
    expect(during.map((n) => n.kind).sort()).toEqual(['ESCALATED', 'OVERDUE', 'REMINDER', 'REMINDER']);
    for (const n of during) {
      expect(n.status).toBe('PENDING');
      expect(n.lastError).toContain('try later');
    }
    expect(mailsFor(row)).toHaveLength(0);

    sink.refuseAll = null;
    const sent = await until(
      async () => {
        await env.sleep(10 * MINUTE); // the longest retry interval
        return outbox(row);
      },
      (rows) => rows.every((n) => n.status === 'SENT'),
      'every mail sent after the outage',
      60_000,
    );
    expect(sent.every((n) => n.attempts > 1)).toBe(true);
    const mails = mailsFor(row);
    expect(mails.map((m) => m.messageId).sort()).toEqual(sent.map((n) => n.messageId).sort());

    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
    expect(await wf.result()).toMatchObject({ state: 'WITHDRAWN' });
  });
});

describe('a notice and the deadline version it was fired for', () => {
  it('sends the overdue notice for deadline version 1 even when an extension is approved while the overdue step is being written', async () => {
    const t0 = await env.currentTimeMs();
    const deadline = t0 + HOUR;
    const { row, wf, enterprise } = await startHazard({ grade: 'GENERAL', deadline: new Date(deadline).toISOString(), policy: { reminderOffsets: [] } });
    const owner = actorFor('enterprise', enterprise.id);
    await wf.executeUpdate('requestExtension', { args: [{ actor: owner, requestedDeadline: new Date(t0 + 30 * DAY).toISOString(), reason: '设备到货延迟' }] });

    // A test transaction holds the hazard's ledger row: the OVERDUE step's write waits for it.
    const pool = (handle.db as unknown as { $client: { connect(): Promise<PoolClient> } }).$client;
    const locker = await pool.connect();
    let approving: Promise<unknown> | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM hazards WHERE id = $1 FOR UPDATE', [row.id]);
      await env.sleep(deadline - t0 + 1000);
      await until(
        async () => ((await handle.db.execute(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) as unknown as { rows: { n: number }[] }).rows[0]!,
        (r) => r.n > 0,
        'the OVERDUE write waits for the row lock',
      );
      expect(await wf.query(hazardStateQuery)).toMatchObject({ overdue: true, deadlineVersion: 1 });

      // Approved meanwhile: accepted (the deadline is version 2 now), its own write waits too.
      const update = await wf.startUpdate(decideExtensionUpdate, {
        args: [{ actor: actorFor('county', enterprise.countyCode), decision: 'APPROVE', reason: '同意延期' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      approving = update.result();
      expect(await wf.query(hazardStateQuery)).toMatchObject({ deadlineVersion: 2 });
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect(await approving).toMatchObject({ deadlineVersion: 2, overdue: false });

    const notice = await until(() => outboxOf(row, 'OVERDUE'), (r) => r !== undefined, 'the overdue notice on the outbox');
    expect(notice).toMatchObject({ businessKey: `hazard:${row.id}:v1:overdue`, deadlineVersion: 1 });
    const mail = await sink.waitFor((m) => m.headers.get('x-hazard-id') === row.id && m.headers.get('x-notification-kind') === 'OVERDUE');
    expect(mail.headers.get('x-business-key')).toBe(`hazard:${row.id}:v1:overdue`);
    expect((await outbox(row)).filter((n) => n.kind === 'OVERDUE')).toHaveLength(1);
    // The OVERDUE step itself is on the ledger for version 1, before the approval.
    expect((await events(row)).map((e) => e.type).slice(-2)).toEqual(['OVERDUE', 'EXTENSION_APPROVED']);
    expect(await eventTimes(row, 'OVERDUE')).toEqual([deadline]);

    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });
});

describe('text the ledger cannot hold', () => {
  it('records a registration whose reporter name holds U+0000 made storable and marked, and still sends the first reminder at its instant', async () => {
    const t0 = await env.currentTimeMs();
    const deadlineDate = shanghaiDate(t0 + 10 * DAY);
    const { row, wf } = await startHazard({ grade: 'GENERAL', deadline: deadlineDate }, (r) => {
      const input = workflowInputFor(r);
      return { ...input, reportedBy: { ...input.reportedBy, name: '王\u0000五' } };
    });

    const registered = await until(async () => (await events(row)).find((e) => e.type === 'REGISTERED'), (e) => e !== undefined, 'REGISTERED on the ledger');
    expect(registered!.actor).toMatchObject({ name: '王\uFFFD五' });
    expect(registered!.data.ledgerRefused).toEqual(expect.stringContaining('refused the data'));
    expect((await events(row)).map((e) => e.type)).toEqual(['REGISTERED', 'RECTIFICATION_STARTED']);

    const firstReminder = shanghai0900(minusDays(deadlineDate, 3));
    await skipTo(firstReminder);
    expect(await eventTimes(row, 'REMINDER_SENT')).toEqual([firstReminder]);
    expect(await wf.query(hazardStateQuery)).toMatchObject({ state: 'RECTIFYING' });
    await wf.executeUpdate('withdraw', { args: [{ actor: actorFor('office'), reason: 'test over' }] });
  });

  it('refuses, before accepting it, a command with U+0000 in a note or a lone surrogate in evidence, changing nothing', async () => {
    const t0 = await env.currentTimeMs();
    const { row, wf, enterprise } = await startHazard({ grade: 'MAJOR', deadline: shanghaiDate(t0 + 30 * DAY) });
    await until(() => events(row), (e) => e.length === 3, 'registration on the ledger');
    const before = await wf.query(hazardStateQuery);
    const code = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof DomainError ? e.code : e));
    const department = actorFor('department', enterprise.departmentCode);

    expect(await code(executeHazardCommand(target, row.id, 'listForSupervision', { actor: department, note: '挂牌\u0000督办' }))).toBe('VALIDATION_FAILED');
    await executeHazardCommand(target, row.id, 'listForSupervision', { actor: department, note: '挂牌督办' });
    const listed = await wf.query(hazardStateQuery);
    expect(await code(executeHazardCommand(target, row.id, 'submitRectification', { actor: actorFor('enterprise', enterprise.id), evidence: '整改完成\ud800' }))).toBe('VALIDATION_FAILED');

    expect(before.seq).toBe(3);
    expect(await wf.query(hazardStateQuery)).toEqual(listed);
    expect((await events(row)).map((e) => e.type)).toEqual(['REGISTERED', 'REPORTED_TO_REGULATOR', 'RECTIFICATION_STARTED', 'LISTED_FOR_SUPERVISION']);
    const history = await wf.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(accepted).toBe(1); // only the valid listing
    await executeHazardCommand(target, row.id, 'withdraw', { actor: actorFor('office'), reason: 'test over' });
  });
});
