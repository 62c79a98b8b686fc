// The DUTIES_ASSIGNED notices of a launch (v8): the campaign mails each fan-out page's holders once
// the page started, not each new workflow. On the real time-skipping test server with the real
// activities (Postgres ledger and outbox, SMTP sink): every holder mailed exactly once, a refused
// mailbox shown failed without holding anything back, and a new obligation's first workflow task
// only arming its timer.
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { saveTemplate } from '../../db/campaign-admin.repo';
import { duties, notifications } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { dutyNoticeKey } from '../../domain/delivery';
import type { TemporalTarget } from '../../services/temporal';
import { obligationStateQuery } from '../../workflows/campaign.messages';
import { obligationWorkflowId } from '../../workflows/ids';
import { launchCampaign } from '../support/campaign-launch';
import { until } from '../support/eventually';
import { seedEnterprise, seedUnits, uniq } from '../support/fixtures';
import type { SmtpSink } from '../support/smtp-sink';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;

beforeAll(async () => {
  stack = await startWorkflowStack('campaign-notices');
  ({ env, handle, sink, target } = stack);
});

afterAll(async () => {
  await stack?.close();
});

/**
 * A seconds-long campaign of one county and one department with four enterprises (each owes a
 * self-inspection; some are drawn for inspection), launched a few seconds before its first phase.
 * `before` runs once the units exist and before the launch (to refuse a mailbox).
 */
async function launch(before: (units: { countyCode: string; departmentCode: string }) => void = () => undefined) {
  const db = handle.db;
  const template = { ...demoTemplate((await env.currentTimeMs()) + 5_000), key: uniq('notices') };
  await saveTemplate(db, template);
  const u = await seedUnits(db);
  for (let i = 0; i < 4; i++) await seedEnterprise(db, { ...u, industry: i % 2 ? 'CONSTRUCTION' : 'FIRE_SAFETY' });
  before(u);
  const { id, wf } = await launchCampaign(db, target, template, { counties: [u.countyCode], departments: [u.departmentCode], seed: 'notices-seed' });
  return { id, wf, ...u, county: obligationWorkflowId(id, u.countyCode), department: obligationWorkflowId(id, u.departmentCode) };
}

const assignedTo = (obligationId: string) => (m: ParsedMail) => m.headers.get('x-notification-kind') === 'DUTIES_ASSIGNED' && m.headers.get('x-obligation-id') === obligationId;
const outboxRow = async (obligationId: string) => (await handle.db.select().from(notifications).where(eq(notifications.businessKey, dutyNoticeKey({ obligationId, eventKey: 'assigned' }))))[0];

/** Every workflow the campaign started: unit obligations, inspections, self-inspections (each has its duties on the ledger). */
async function obligationsOf(campaignId: string): Promise<string[]> {
  const rows = await handle.db.selectDistinct({ id: duties.obligationId }).from(duties).where(eq(duties.campaignId, campaignId));
  return rows.map((r) => r.id).sort();
}

describe('the assignment notices of a launch', () => {
  it('mails every holder its duties exactly once, a page retried after a temporary refusal included', async () => {
    let countyEmail = '';
    const { id, wf, county, department } = await launch(({ countyCode }) => {
      countyEmail = `${countyCode}@county.test`.toLowerCase();
      sink.refuseRecipients.set(countyEmail, { code: 451, message: 'try again later' });
    });
    // The page's first try: the department is mailed, the county refused for now (its row stays pending).
    await sink.waitFor(assignedTo(department), 30_000);
    await until(() => outboxRow(county), (row) => row !== undefined && row.failedRecipients.length > 0, 'the county refused once');
    expect((await outboxRow(county))!.status).toBe('PENDING');
    sink.refuseRecipients.delete(countyEmail);
    // The page's retry mails the county; the department, already sent, is not mailed again.
    const mail = await sink.waitFor(assignedTo(county), 60_000);
    expect(mail.subject).toContain('工作任务与报送时限');
    await wf.result();

    const started = await obligationsOf(id);
    expect(started.filter((o) => o.startsWith('self-inspection:')).length).toBe(4);
    expect(started.some((o) => o.startsWith('inspection:'))).toBe(true);
    for (const obligationId of started) {
      await until(() => outboxRow(obligationId), (row) => row?.status === 'SENT', `${obligationId} mailed`);
      expect(sink.messages.filter(assignedTo(obligationId)), obligationId).toHaveLength(1);
    }
    expect((await outboxRow(county))!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('shows a refused mailbox to the office as a failed notice and holds back nothing: every workflow runs, the others are mailed', async () => {
    const { id, wf, county, department } = await launch(({ countyCode }) => {
      sink.refuseRecipients.set(`${countyCode}@county.test`.toLowerCase(), { code: 550, message: 'mailbox unavailable' });
    });
    const refused = await until(() => outboxRow(county), (row) => row?.status === 'FAILED', 'the county notice failed');
    expect(refused!.lastError).toContain('550');
    // The county's obligation runs with its duties, and the launch went on to every later page.
    const state = await env.client.workflow.getHandle(county).query(obligationStateQuery);
    expect(state.duties.every((d) => d.state === 'PENDING' || d.state === 'MISSED')).toBe(true);
    await wf.result();
    const started = await obligationsOf(id);
    expect(started.filter((o) => o.startsWith('self-inspection:')).length).toBe(4);
    for (const obligationId of started.filter((o) => o !== county)) {
      await until(() => outboxRow(obligationId), (row) => row?.status === 'SENT', `${obligationId} mailed`);
      expect(sink.messages.filter(assignedTo(obligationId)), obligationId).toHaveLength(1);
    }
    expect(sink.messages.filter(assignedTo(county))).toHaveLength(0);
    expect(started).toContain(department);
  });

  it('starts a new obligation, inspection and self-inspection with one workflow task that only arms its timer: no mail activity, one patch marker', async () => {
    const { id, wf } = await launch();
    await wf.result();
    const started = await obligationsOf(id);
    const samples = ['obligation:', 'inspection:', 'self-inspection:'].map((prefix) => started.find((o) => o.startsWith(prefix))!);
    for (const obligationId of samples) {
      const { events } = await env.client.workflow.getHandle(obligationId).fetchHistory();
      const types = events!.map((e) => temporal.api.enums.v1.EventType[e.eventType!].replace('EVENT_TYPE_', ''));
      const firstWait = types.indexOf('TIMER_STARTED');
      // Started, task scheduled, started, completed, the patch marker and its search attribute, then the wait.
      expect(types.slice(0, firstWait + 1), obligationId).toEqual([
        'WORKFLOW_EXECUTION_STARTED',
        'WORKFLOW_TASK_SCHEDULED',
        'WORKFLOW_TASK_STARTED',
        'WORKFLOW_TASK_COMPLETED',
        'MARKER_RECORDED',
        'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
        'TIMER_STARTED',
      ]);
      // Nowhere in its history does it mail its own assignment; the campaign did, once.
      const ownMail = events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendDutyNotification');
      const eventKeys = ownMail.map((e) => (JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString('utf8')) as { eventKey: string }).eventKey);
      expect(eventKeys, obligationId).not.toContain('assigned');
      expect((await outboxRow(obligationId))?.status).toBe('SENT');
    }
  });
});
