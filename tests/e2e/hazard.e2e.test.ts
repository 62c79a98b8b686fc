// End to end on the real dev server: the API process and the worker process as production
// composes them (startApi, runWorker), real Postgres, real SMTP, real HTTP.
import { Client, Connection } from '@temporalio/client';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHazardRow } from '../../services/hazard-report';
import { reconcileHazards } from '../../services/hazard.service';
import type { AppConfig } from '../../config';
import type { DbHandle } from '../../db/client';
import { getHazard, insertHazard } from '../../db/hazards.repo';
import { createApiKey } from '../../db/reference.repo';
import type { SmtpSink } from '../support';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { actorFor, creditCode, reportBody, uniq } from '../support/fixtures';

let stack: E2eStack;
let db: DbHandle;
let sink: SmtpSink;
let config: AppConfig;
let adminKey: string;
let call: E2eStack['call'];

beforeAll(async () => {
  stack = await startE2eStack();
  ({ db, sink, config, adminKey } = stack);
  call = stack.call.bind(stack);
});

afterAll(async () => {
  await stack?.close();
});

async function seedRoster() {
  const county = uniq('county');
  const dept = uniq('dept');
  expect((await call('POST', '/v1/units', adminKey, { kind: 'COUNTY', code: county, name: '云冈区', email: `${county}@e2e.test` })).status).toBe(201);
  expect((await call('POST', '/v1/units', adminKey, { kind: 'DEPARTMENT', code: dept, name: '市应急管理局', email: `${dept}@e2e.test` })).status).toBe(201);
  const ent = await call<{ id: string }>('POST', '/v1/enterprises', adminKey, {
    name: '云冈煤业有限公司',
    creditCode: creditCode(),
    industry: 'COAL_MINE',
    countyCode: county,
    departmentCode: dept,
    principal: { name: '赵矿长', email: `boss-${county}@e2e.test` },
  });
  expect(ent.status).toBe(201);
  const { secret } = await createApiKey(db.db, { name: 'portal', role: 'enterprise', scope: ent.body.id });
  return { enterpriseId: ent.body.id, enterpriseKey: secret, dept };
}

const kindOf = (m: ParsedMail) => m.headers.get('x-notification-kind');
const forHazard = (id: string, kind: string) => (m: ParsedMail) => m.headers.get('x-hazard-id') === id && kindOf(m) === kind;

describe('a hazard reported through the API, end to end', () => {
  it('reminds, goes overdue, is raised for accountability review when nobody acts, then is rectified, verified and closed', async () => {
    const { enterpriseId, enterpriseKey } = await seedRoster();
    const deadline = new Date(Date.now() + 10_000).toISOString();
    // A seconds-long policy is the office's to set (an enterprise setting one is refused with 403).
    const reported = await call<{ id: string; state: string }>('POST', '/v1/hazards', adminKey, {
      ...reportBody({ enterpriseId, grade: 'GENERAL', deadline, policy: { reminderOffsets: ['PT6S'], escalationAfter: 'PT3S' } }),
    });
    expect(reported.status).toBe(201);
    const id = reported.body.id;

    const reminder = await sink.waitFor(forHazard(id, 'REMINDER'), 20_000);
    expect(reminder.subject).toContain('整改提醒');

    const overdue = await sink.waitFor(forHazard(id, 'OVERDUE'), 20_000);
    expect(overdue.subject).toContain('逾期');
    const escalated = await sink.waitFor(forHazard(id, 'ESCALATED'), 20_000);
    expect(JSON.stringify(escalated.to)).toContain('office@e2e.test');

    const detail = await call<{ hazard: { overdue: boolean; escalated: boolean; state: string }; timeline: { type: string; data: Record<string, unknown> }[] }>('GET', `/v1/hazards/${id}`, adminKey);
    expect(detail.body.hazard).toMatchObject({ overdue: true, escalated: true, state: 'RECTIFYING' });
    expect(detail.body.timeline.map((e) => e.type)).toEqual(['REGISTERED', 'RECTIFICATION_STARTED', 'REMINDER_SENT', 'OVERDUE', 'ESCALATED']);
    // The reminder was due 6 s before the deadline (the schedule's instant, whatever the machine's load made of the mail's arrival).
    expect(detail.body.timeline.find((e) => e.type === 'REMINDER_SENT')!.data.dueAt).toBe(new Date(Date.parse(deadline) - 6_000).toISOString());
    const reviews = await call<{ items: { hazardId: string }[] }>('GET', `/v1/accountability-reviews?hazardId=${id}`, adminKey);
    expect(reviews.body.items).toHaveLength(1);

    expect((await call('POST', `/v1/hazards/${id}/rectification`, enterpriseKey, { evidence: '已完成整改，附照片', attachments: [{ name: 'after.jpg', contentType: 'image/jpeg', size: 10240 }] })).status).toBe(200);
    expect((await call('POST', `/v1/hazards/${id}/verification`, enterpriseKey, { decision: 'ACCEPT' })).status).toBe(200);
    const closed = await call<{ hazard: { state: string; overdue: boolean; closedAt: string | null } }>('POST', `/v1/hazards/${id}/close`, enterpriseKey, {});
    expect(closed.status).toBe(200);
    expect(closed.body.hazard).toMatchObject({ state: 'CLOSED', overdue: true });
    expect(closed.body.hazard.closedAt).not.toBeNull();

    const outbox = await call<{ items: { kind: string; status: string }[] }>('GET', `/v1/notifications?hazardId=${id}`, adminKey);
    expect(outbox.body.items.map((n) => `${n.kind}:${n.status}`).sort()).toEqual(['ESCALATED:SENT', 'OVERDUE:SENT', 'REMINDER:SENT']);
  });

  it('keeps its timers through a worker outage: the reminder due while the worker was down goes out when it returns', async () => {
    const { enterpriseId } = await seedRoster();
    const deadline = new Date(Date.now() + 12_000).toISOString();
    const reported = await call<{ id: string }>('POST', '/v1/hazards', adminKey, reportBody({ enterpriseId, deadline, policy: { reminderOffsets: ['PT9S'], escalationAfter: 'P30D' } }));
    expect(reported.status).toBe(201);
    const id = reported.body.id;
    // Let the workflow start and arm its timer, then take the worker away past the reminder instant.
    await expect.poll(async () => (await getHazard(db.db, id))?.state, { timeout: 10_000 }).toBe('RECTIFYING');
    await stack.stopWorker();
    await new Promise((r) => setTimeout(r, 5_000));
    expect(sink.messages.filter(forHazard(id, 'REMINDER'))).toHaveLength(0);
    stack.startWorker();
    const reminder = await sink.waitFor(forHazard(id, 'REMINDER'), 20_000);
    expect(reminder.subject).toContain('整改提醒');
    expect((await call('POST', `/v1/hazards/${id}/withdrawal`, adminKey, { reason: 'test over' })).status).toBe(200);
    expect(sink.messages.filter(forHazard(id, 'REMINDER'))).toHaveLength(1);
  });

  it('starts the workflow of a ledger row left without one by a crash between the two writes', async () => {
    const { enterpriseId } = await seedRoster();
    const [enterprise] = await db.db.query.enterprises.findMany({ where: (e, { eq }) => eq(e.id, enterpriseId) });
    const built = buildHazardRow(reportBody(), enterprise!, actorFor('enterprise', enterpriseId), Date.now());
    if (!built.ok) throw new Error('fixture invalid');
    const { hazard } = await insertHazard(db.db, built.row); // the API crashed here, before starting the workflow
    const connection = await Connection.connect({ address: config.temporal.address });
    try {
      const client = new Client({ connection });
      expect(await reconcileHazards(db.db, { client, taskQueue: config.temporal.taskQueue }, { olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
      await expect.poll(async () => (await getHazard(db.db, hazard.id))?.state, { timeout: 10_000 }).toBe('RECTIFYING');
      const description = await client.workflow.getHandle(hazard.workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      // Reconciling again finds nothing to do for it.
      expect((await getHazard(db.db, hazard.id))?.workflowStartedAt).not.toBeNull();
      await client.workflow.getHandle(hazard.workflowId).terminate('test over');
    } finally {
      await connection.close();
    }
  });
});
