// The activities against a real Postgres and a real SMTP server: at-least-once execution
// must never duplicate a ledger event, move a row backwards, or mail twice.
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type LedgerEntry } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import { createDb, type DbHandle } from '../../db/client';
import { hazardEvents, hazards, notifications } from '../../db/schema';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { freshDatabase, injected, startSmtpSink, type FreshDatabase, type SmtpSink } from '../support';
import { reportBody, seedEnterprise, seedHazard } from '../support/fixtures';
import { mailSettings } from '../support/hazard-worker';
import { getFreePort } from '../../cli/provision/free-port';

let database: FreshDatabase;
let handle: DbHandle;
let sink: SmtpSink;
let connection: Connection;
let deps: (smtpUrl: string) => Parameters<typeof createActivities>[0];
// Activities use the activity logger; the mock environment supplies the activity context only.
const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

beforeAll(async () => {
  database = await freshDatabase();
  handle = await createDb(database.url);
  sink = await startSmtpSink();
  connection = await Connection.connect({ address: injected('temporalAddress') });
  const client = new Client({ connection });
  deps = (smtpUrl) => ({ db: handle.db, mailer: createSmtpMailer(smtpUrl), mail: mailSettings, temporal: { client, taskQueue: 'activities-db-test' } });
});

afterAll(async () => {
  await connection?.close();
  await handle?.close();
  await sink?.close();
  await database?.close();
});

async function hazardOnLedger() {
  const enterprise = await seedEnterprise(handle.db);
  return seedHazard(handle.db, enterprise, reportBody(), Date.now());
}

function entry(hazard: { id: string; workflowId: string; deadline: Date }, seq: number, state: LedgerEntry['row']['state']): LedgerEntry {
  return {
    hazardId: hazard.id,
    workflowId: hazard.workflowId,
    seq,
    type: seq === 1 ? 'REGISTERED' : 'RECTIFICATION_STARTED',
    fromState: 'REGISTERED',
    toState: state,
    actor: SYSTEM_ACTOR,
    data: {},
    at: new Date().toISOString(),
    row: { state, overdue: false, escalated: false, deadline: hazard.deadline.toISOString(), deadlineVersion: 1, pendingExtension: null },
  };
}

describe('ledger writes', () => {
  it('writes an event once however often the activity is retried', async () => {
    const hazard = await hazardOnLedger();
    const acts = createActivities(deps(sink.url));
    const e = entry(hazard, 1, 'REGISTERED');
    await run(acts.recordHazardTransition, e);
    await run(acts.recordHazardTransition, e);
    const rows = await handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, hazard.id));
    expect(rows).toHaveLength(1);
  });

  it('never moves the row back when an older write lands after a newer one', async () => {
    const hazard = await hazardOnLedger();
    const acts = createActivities(deps(sink.url));
    await run(acts.recordHazardTransition, entry(hazard, 2, 'RECTIFYING'));
    await run(acts.recordHazardTransition, entry(hazard, 1, 'REGISTERED')); // a delayed retry of the first step
    const [row] = await handle.db.select().from(hazards).where(eq(hazards.id, hazard.id));
    expect(row).toMatchObject({ state: 'RECTIFYING', lastSeq: 2 });
    expect(await handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, hazard.id))).toHaveLength(2);
  });

  it('opens one accountability review per hazard and deadline version', async () => {
    const hazard = await hazardOnLedger();
    const acts = createActivities(deps(sink.url));
    const input = { hazardId: hazard.id, deadlineVersion: 1, reason: 'overdue', at: new Date().toISOString() };
    const first = await run(acts.openAccountabilityReview, input);
    const again = await run(acts.openAccountabilityReview, input);
    expect(again.reviewId).toBe(first.reviewId);
  });
});

describe('notifications', () => {
  it('mails once per business key, and a retry finds the outbox row sent', async () => {
    const hazard = await hazardOnLedger();
    const acts = createActivities(deps(sink.url));
    const req = { hazardId: hazard.id, kind: 'REMINDER' as const, eventKey: 'reminder:P3D', deadlineVersion: 1, data: {} };
    expect(await run(acts.sendHazardNotification, req)).toMatchObject({ status: 'SENT' });
    expect(await run(acts.sendHazardNotification, req)).toMatchObject({ status: 'ALREADY_SENT' });
    const mail = await sink.waitFor((m) => m.headers.get('x-hazard-id') === hazard.id);
    expect(sink.messages.filter((m) => m.headers.get('x-hazard-id') === hazard.id)).toHaveLength(1);
    expect(mail.subject).toContain('整改提醒');
    const [row] = await handle.db.select().from(notifications).where(eq(notifications.hazardId, hazard.id));
    expect(row).toMatchObject({ status: 'SENT', attempts: 1, messageId: mail.messageId });
  });

  it('keeps the outbox row pending with the error while the mail server is down, and sends the same message once it is back', async () => {
    const hazard = await hazardOnLedger();
    const downUrl = `smtp://127.0.0.1:${await getFreePort()}`; // nothing listens here
    const down = createActivities(deps(downUrl));
    const req = { hazardId: hazard.id, kind: 'OVERDUE' as const, eventKey: 'overdue', deadlineVersion: 1, data: {} };
    await expect(run(down.sendHazardNotification, req)).rejects.toThrow();
    const [pending] = await handle.db.select().from(notifications).where(eq(notifications.hazardId, hazard.id));
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(pending!.lastError).toBeTruthy();

    const up = createActivities(deps(sink.url));
    expect(await run(up.sendHazardNotification, req)).toMatchObject({ status: 'SENT' });
    const mail = await sink.waitFor((m) => m.headers.get('x-hazard-id') === hazard.id);
    expect(mail.messageId).toBe(pending!.messageId);
    const [sent] = await handle.db.select().from(notifications).where(eq(notifications.hazardId, hazard.id));
    expect(sent).toMatchObject({ status: 'SENT', attempts: 2, lastError: null });
  });

  it('records a notification without an address as skipped instead of failing forever', async () => {
    const enterprise = await seedEnterprise(handle.db, { principalEmail: null });
    const hazard = await seedHazard(handle.db, enterprise, reportBody({ responsible: { name: '无邮箱' } }), Date.now());
    const acts = createActivities(deps(sink.url));
    expect(await run(acts.sendHazardNotification, { hazardId: hazard.id, kind: 'REMINDER', eventKey: 'reminder:P1D', deadlineVersion: 1, data: {} })).toMatchObject({ status: 'SKIPPED' });
  });
});
