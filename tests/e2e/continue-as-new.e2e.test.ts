// Long-lived workflows continue as new when their history grows; nothing queued or running may be
// dropped at that moment. A private dev server suggests continue-as-new after 40 history events
// (production: thousands), so the obligation and hazard workflows roll over many times here.
// Real dev server, real Postgres, real SMTP sink, real worker.
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../cli/provision/temporal';
import { createDb, type DbHandle } from '../../db/client';
import { insertCampaign } from '../../db/campaign-admin.repo';
import { dutyEvents, duties, hazardEvents, notifications, units } from '../../db/schema';
import { demoTemplate, unitDuties } from '../../domain/campaign';
import { executeHazardCommand, workflowInputFor } from '../../services/hazard.service';
import { startObligationWorkflow } from '../../services/campaign.service';
import type { TemporalTarget } from '../../services/temporal';
import { rescheduleDutiesSignal } from '../../workflows/campaign.messages';
import { obligationWorkflowId } from '../../workflows/ids';
import { eventually } from '../support/api-harness';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { actorFor, reportBody, seedEnterprise, seedHazard, uniq } from '../support/fixtures';
import { createHazardWorker } from '../support/hazard-worker';
import { injected } from '../support/injected';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

let server: DevServer;
let database: FreshDatabase;
let handle: DbHandle;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let target: TemporalTarget;
const taskQueue = uniq('can');

beforeAll(async () => {
  server = await startDevServer({ executable: injected('devServerExecutable'), extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'] });
  database = await freshDatabase();
  handle = await createDb(database.url);
  sink = await startSmtpSink();
  worker = await createHazardWorker({ connection: server.env.nativeConnection, client: server.env.client, taskQueue, db: handle.db, smtpUrl: sink.url });
  running = worker.run();
  target = { client: server.env.client, taskQueue };
}, 120_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await sink?.close();
  await handle?.close();
  await database?.close();
  await server?.stop();
});

/** Waits until the run that started first has continued as new (read from the run itself, not from visibility). */
function continuedAsNew(workflowId: string, firstRunId: string) {
  return eventually(async () => ((await server.env.client.workflow.getHandle(workflowId, firstRunId).describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined), 30_000, `${workflowId} continued as new`);
}

describe('continue-as-new under load', () => {
  it('records every reschedule signalled to an obligation, across its continue-as-new rollovers', async () => {
    const db = handle.db;
    const county = uniq('county');
    await db.insert(units).values({ kind: 'COUNTY', code: county, name: county, email: `${county}@county.test` });
    const template = { ...demoTemplate(Date.now() + 3_600_000), key: uniq('can') };
    const campaignId = randomUUID();
    await insertCampaign(db, { id: campaignId, name: template.name, template, workflowId: `campaign:${campaignId}`, spotCheckSeed: 's', launchedBy: actorFor('office'), idempotencyKey: campaignId }, [{ unitCode: county, kind: 'COUNTY' }]);
    const obligationId = obligationWorkflowId(campaignId, county);
    const base = unitDuties(template);
    await startObligationWorkflow(target, { obligationId, campaignId, holderCode: county, duties: base, reminderOffsets: [], timeZone: template.timeZone, lateWindow: 'P30D' });
    await eventually(async () => ((await db.select().from(duties).where(eq(duties.obligationId, obligationId))).length === base.length ? true : undefined), 20_000, 'duties assigned');

    // Each signal moves the plan's due instant; each move is one ledger event, whatever run receives it.
    const plan = base.find((d) => d.kind === 'IMPLEMENTATION_PLAN')!;
    const moves = 30;
    const wf = server.env.client.workflow.getHandle(obligationId);
    const firstRunId = (await wf.describe()).runId;
    for (let i = 1; i <= moves; i++) {
      await wf.signal(rescheduleDutiesSignal, { duties: base.map((d) => (d.key === plan.key ? { ...d, dueAt: plan.dueAt + i * 60_000 } : d)), reason: `move ${i}` });
    }
    const recorded = await eventually(async () => {
      const rows = await db.select().from(dutyEvents).where(and(eq(dutyEvents.obligationId, obligationId), eq(dutyEvents.type, 'DUTY_RESCHEDULED'))).orderBy(asc(dutyEvents.seq));
      return rows.length >= moves ? rows : undefined;
    }, 60_000, `${moves} reschedules on the ledger`);
    expect(recorded.map((r) => r.data.reason)).toEqual(Array.from({ length: moves }, (_, i) => `move ${i + 1}`));
    const [row] = await db.select().from(duties).where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, plan.key)));
    expect(row!.dueAt.getTime()).toBe(plan.dueAt + moves * 60_000);
    await continuedAsNew(obligationId, firstRunId);
  });

  it('loses no step and no mail of a hazard that rolls over between commands', async () => {
    const db = handle.db;
    const enterprise = await seedEnterprise(db);
    const row = await seedHazard(db, enterprise, reportBody(), Date.now());
    const started = await server.env.client.workflow.start('hazardRectificationWorkflow', { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });
    await eventually(async () => ((await db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, row.id))).length >= 2 ? true : undefined), 20_000, 'registered');

    // Request and refuse an extension, over and over: two ledger steps and one mail per round.
    const rounds = 12;
    for (let i = 1; i <= rounds; i++) {
      await executeHazardCommand(target, row.id, 'requestExtension', { actor: actorFor('enterprise', enterprise.id), requestedDeadline: '2100-01-01T00:00:00.000Z', reason: `round ${i}` });
      await executeHazardCommand(target, row.id, 'decideExtension', { actor: actorFor('office'), decision: 'REFUSE', reason: `refused ${i}` });
    }
    const events = await eventually(async () => {
      const rows = await db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, row.id)).orderBy(asc(hazardEvents.seq));
      return rows.filter((e) => e.type === 'EXTENSION_REFUSED').length >= rounds ? rows : undefined;
    }, 60_000, 'every refusal on the ledger');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'EXTENSION_REQUESTED')).toHaveLength(rounds);
    const mails = await eventually(async () => {
      const rows = await db.select().from(notifications).where(and(eq(notifications.hazardId, row.id), eq(notifications.kind, 'EXTENSION_DECIDED')));
      return rows.length >= rounds && rows.every((n) => n.status === 'SENT') ? rows : undefined;
    }, 60_000, 'every decision mailed');
    expect(mails).toHaveLength(rounds);
    await continuedAsNew(row.workflowId, started.firstExecutionRunId);
  });
});
