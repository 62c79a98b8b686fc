// How the mail and ledger activities treat what cannot heal and what can, against a real
// Postgres and a real SMTP server that refuses on command: a permanent refusal is recorded on
// the outbox row and returned (the workflow's step goes on), a temporary one is thrown for
// Temporal to retry, and a retry mails only those not yet reached.
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type LedgerEntry } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import { createDb, type DbHandle } from '../../db/client';
import { abandonOutbox } from '../../db/outbox.repo';
import { hazardEvents, notifications } from '../../db/schema';
import { hazardNoticeKey, MAIL_RETRY, SideEffectErrorType } from '../../domain/delivery';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { getFreePort } from '../../cli/provision/free-port';
import { freshDatabase, injected, startSmtpSink, type FreshDatabase, type SmtpSink } from '../support';
import { reportBody, seedEnterprise, seedHazard } from '../support/fixtures';
import { mailSettings } from '../support/hazard-worker';

let database: FreshDatabase;
let handle: DbHandle;
let sink: SmtpSink;
let connection: Connection;
let client: Client;
let acts: ReturnType<typeof createActivities>;

const depsFor = (db: DbHandle['db']) => ({ db, mailer: createSmtpMailer(sink.url), mail: mailSettings, temporal: { client, taskQueue: 'outbox-db-test' } });
/** Runs an activity as attempt `attempt` of its retry policy. */
const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args) as Promise<R>;
const runAttempt = <A extends unknown[], R>(attempt: number, fn: (...a: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment({ attempt }).run(fn, ...args) as Promise<R>;
/** The error an activity threw, for asserting its type and retryability. */
const thrown = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (err: unknown) => err);

beforeAll(async () => {
  database = await freshDatabase();
  handle = await createDb(database.url);
  sink = await startSmtpSink();
  connection = await Connection.connect({ address: injected('temporalAddress') });
  client = new Client({ connection });
  acts = createActivities(depsFor(handle.db));
});

afterEach(() => {
  sink.refuseAll = null;
  sink.refuseRecipients.clear();
});

afterAll(async () => {
  await connection?.close();
  await handle?.close();
  await sink?.close();
  await database?.close();
});

/** A hazard whose overdue notice goes to three addresses: the responsible person, the principal and the department. */
async function hazardWithThreeRecipients() {
  const enterprise = await seedEnterprise(handle.db);
  const hazard = await seedHazard(handle.db, enterprise, reportBody(), Date.now());
  const department = `${enterprise.departmentCode}@dept.test`;
  return { hazard, principal: enterprise.principalEmail!, responsible: hazard.responsibleEmail!, department };
}

const overdue = (hazardId: string) => ({ hazardId, kind: 'OVERDUE' as const, eventKey: 'overdue', deadlineVersion: 1, data: {} });
const outboxRow = async (hazardId: string) => (await handle.db.select().from(notifications).where(eq(notifications.hazardId, hazardId)))[0]!;
const mailsFor = (hazardId: string) => sink.messages.filter((m) => m.headers.get('x-hazard-id') === hazardId);
const toOf = (m: (typeof sink.messages)[number]) => [m.to].flat().flatMap((a) => a?.value.map((v) => v.address) ?? []);

describe('permanent SMTP refusals end the mail on the outbox, without throwing', () => {
  it("records FAILED with the server's reason for every recipient when each mailbox answers 550", async () => {
    const { hazard, principal, responsible, department } = await hazardWithThreeRecipients();
    for (const address of [principal, responsible, department]) sink.refuseRecipients.set(address, { code: 550, message: 'no such user' });

    const result = await run(acts.sendHazardNotification, overdue(hazard.id));

    expect(result).toMatchObject({ status: 'FAILED', recipients: [] });
    const row = await outboxRow(hazard.id);
    expect(row).toMatchObject({ status: 'FAILED', deliveredTo: [], attempts: 1 });
    expect(row.lastError).toContain('no such user');
    expect(row.failedRecipients.map((f) => f.address).sort()).toEqual([principal, responsible, department].sort());
    for (const f of row.failedRecipients) expect(f).toMatchObject({ permanent: true, reason: expect.stringContaining('550') });
    expect(mailsFor(hazard.id)).toHaveLength(0);
    // Ended: a later run of the activity (a replayed step) does not try again, and says how it ended.
    expect(await run(acts.sendHazardNotification, overdue(hazard.id))).toMatchObject({ status: 'FAILED' });
    expect(mailsFor(hazard.id)).toHaveLength(0);
  });

  it('records PARTIALLY_SENT when one mailbox answers 550 and the others accept, the refused one by name', async () => {
    const { hazard, principal, responsible, department } = await hazardWithThreeRecipients();
    sink.refuseRecipients.set(department, { code: 550, message: 'no such user' });

    const result = await run(acts.sendHazardNotification, overdue(hazard.id));

    expect(result).toMatchObject({ status: 'PARTIALLY_SENT' });
    const row = await outboxRow(hazard.id);
    expect(row.status).toBe('PARTIALLY_SENT');
    expect(row.deliveredTo.sort()).toEqual([principal, responsible].sort());
    expect(row.failedRecipients).toEqual([{ address: department, reason: expect.stringContaining('no such user'), permanent: true }]);
    expect(row.lastError).toContain('no such user');
    expect(row.sentAt).not.toBeNull();
    expect(mailsFor(hazard.id)).toHaveLength(1);
  });
});

describe('temporary SMTP refusals are retried, and a retry mails only those not yet reached', () => {
  it('throws a retryable MAIL_TEMPORARY on a 452 for one recipient, then sends the same message to that one alone', async () => {
    const { hazard, principal, responsible, department } = await hazardWithThreeRecipients();
    sink.refuseRecipients.set(department, { code: 452, message: 'mailbox full' });

    const err = await thrown(runAttempt(1, acts.sendHazardNotification, overdue(hazard.id)));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: SideEffectErrorType.MAIL_TEMPORARY, nonRetryable: false });
    const pending = await outboxRow(hazard.id);
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(pending.deliveredTo.sort()).toEqual([principal, responsible].sort());
    expect(pending.failedRecipients).toEqual([{ address: department, reason: expect.stringContaining('mailbox full'), permanent: false }]);

    sink.refuseRecipients.delete(department);
    expect(await runAttempt(2, acts.sendHazardNotification, overdue(hazard.id))).toMatchObject({ status: 'SENT' });

    const mails = mailsFor(hazard.id);
    expect(mails).toHaveLength(2);
    expect(toOf(mails[1]!)).toEqual([department]); // nobody already reached gets a second copy
    expect(mails[1]!.messageId).toBe(mails[0]!.messageId);
    expect(mails[0]!.messageId).toBe(pending.messageId);
    const sent = await outboxRow(hazard.id);
    expect(sent).toMatchObject({ status: 'SENT', attempts: 2, failedRecipients: [], lastError: null });
    expect(sent.deliveredTo.sort()).toEqual([principal, responsible, department].sort());
  });

  it('throws a retryable MAIL_TEMPORARY while the server answers 421 to everything, keeping the row pending with the reason', async () => {
    const { hazard } = await hazardWithThreeRecipients();
    sink.refuseAll = { code: 421, message: 'try later' };

    const err = await thrown(runAttempt(3, acts.sendHazardNotification, overdue(hazard.id)));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: SideEffectErrorType.MAIL_TEMPORARY, nonRetryable: false });
    const row = await outboxRow(hazard.id);
    expect(row).toMatchObject({ status: 'PENDING', deliveredTo: [] });
    expect(row.lastError).toContain('try later');
    expect(row.failedRecipients.every((f) => !f.permanent)).toBe(true);
    expect(mailsFor(hazard.id)).toHaveLength(0);
  });

  it('ends FAILED with the last error, instead of throwing, when a temporary refusal meets the last attempt of the budget', async () => {
    const { hazard } = await hazardWithThreeRecipients();
    sink.refuseAll = { code: 421, message: 'try later' };

    const result = await runAttempt(MAIL_RETRY.maximumAttempts, acts.sendHazardNotification, overdue(hazard.id));

    expect(result).toMatchObject({ status: 'FAILED' });
    const row = await outboxRow(hazard.id);
    expect(row.status).toBe('FAILED');
    expect(row.lastError).toContain('try later');
    expect(row.failedRecipients).toHaveLength(3);
    expect(row.failedRecipients.every((f) => f.permanent)).toBe(true);
  });
});

describe('a mail whose sender gave up without an answer', () => {
  it('is ended FAILED with the reason by the workflow, and a mail already decided is left alone', async () => {
    const { hazard } = await hazardWithThreeRecipients();
    sink.refuseAll = { code: 421, message: 'try later' };
    await thrown(run(acts.sendHazardNotification, overdue(hazard.id)));
    expect((await outboxRow(hazard.id)).status).toBe('PENDING');

    const businessKey = hazardNoticeKey(overdue(hazard.id));
    await run(acts.abandonNotification, { businessKey, reason: 'Activity task timed out' });
    expect(await outboxRow(hazard.id)).toMatchObject({ status: 'FAILED', lastError: 'Activity task timed out' });

    const sent = await hazardWithThreeRecipients();
    sink.refuseAll = null;
    await run(acts.sendHazardNotification, overdue(sent.hazard.id));
    await run(acts.abandonNotification, { businessKey: hazardNoticeKey(overdue(sent.hazard.id)), reason: 'late' });
    expect(await outboxRow(sent.hazard.id)).toMatchObject({ status: 'SENT', lastError: null });
  });

  it('ends a page of mails in one statement: the pending ones FAILED, a sent one left alone', async () => {
    const pending = [await hazardWithThreeRecipients(), await hazardWithThreeRecipients()];
    sink.refuseAll = { code: 421, message: 'try later' };
    for (const p of pending) await thrown(run(acts.sendHazardNotification, overdue(p.hazard.id)));
    sink.refuseAll = null;
    const sent = await hazardWithThreeRecipients();
    await run(acts.sendHazardNotification, overdue(sent.hazard.id));
    await abandonOutbox(handle.db, [...pending, sent].map((p) => hazardNoticeKey(overdue(p.hazard.id))), 'page gave up');
    for (const p of pending) expect(await outboxRow(p.hazard.id)).toMatchObject({ status: 'FAILED', lastError: 'page gave up' });
    expect(await outboxRow(sent.hazard.id)).toMatchObject({ status: 'SENT', lastError: null });
  });
});

describe('ledger writes', () => {
  function entry(hazard: { id: string; workflowId: string; deadline: Date }, data: Record<string, unknown>): LedgerEntry {
    return {
      hazardId: hazard.id,
      workflowId: hazard.workflowId,
      seq: 1,
      type: 'REGISTERED',
      fromState: 'REGISTERED',
      toState: 'REGISTERED',
      actor: SYSTEM_ACTOR,
      data,
      at: new Date().toISOString(),
      row: { state: 'REGISTERED', overdue: false, escalated: false, deadline: hazard.deadline.toISOString(), deadlineVersion: 1, pendingExtension: null },
    };
  }

  it('fails non-retryably with LEDGER_REJECTED when the database refuses the data (a U+0000 in an entry)', async () => {
    const { hazard } = await hazardWithThreeRecipients();

    const err = await thrown(run(acts.recordHazardTransition, entry(hazard, { note: 'a\u0000b' })));

    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: SideEffectErrorType.LEDGER_REJECTED, nonRetryable: true });
    expect((err as Error).message).toMatch(/refused the data \(22/);
    expect(await handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, hazard.id))).toHaveLength(0);
  });

  it('stays retryable when the database cannot be reached', async () => {
    const { hazard } = await hazardWithThreeRecipients();
    const unreachable = await createDb(`postgres://postgres@127.0.0.1:${await getFreePort()}/none`);
    try {
      const offline = createActivities(depsFor(unreachable.db));
      const err = await thrown(run(offline.recordHazardTransition, entry(hazard, { note: 'fine' })));
      expect(err).toBeInstanceOf(Error);
      expect(err instanceof ApplicationFailure && err.nonRetryable).toBe(false);
      expect((err as { type?: string }).type).not.toBe(SideEffectErrorType.LEDGER_REJECTED);
    } finally {
      await unreachable.close();
    }
    // The same entry, on a database that answers, is written.
    await run(acts.recordHazardTransition, entry(hazard, { note: 'fine' }));
    expect(await handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, hazard.id))).toHaveLength(1);
  });
});
