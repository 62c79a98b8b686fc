// Records workflow histories for the replay tests: `npm run record:histories -- <hazard|campaign|case|order|webhook> <label>`,
// e.g. `hazard v4`.
// Run it before changing a workflow; commit the files it writes. Each history is a full run on
// the time-skipping server with the real activities (a throwaway Postgres, mail to a sink).
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { workflowInputFor } from '../../services/hazard.service';
import { createDatabase, startPostgres } from '../../cli/provision/postgres';
import { createTimeSkippingEnv } from '../../cli/provision/temporal';
import { createDb } from '../../db/client';
import { runMigrations } from '../../db/migrate';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { insertCampaign, saveTemplate } from '../../db/campaign-admin.repo';
import { hazardEvents, portalEvents, spotCheckDraws } from '../../db/schema';
import { deleteEndpoint, insertEndpoint, loadEndpoint, updateEndpoint } from '../../db/portal.repo';
import { newWebhookSecret } from '../../services/webhook.service';
import { webhookDeliveryWorkflow } from '../../workflows/webhook.workflow';
import { replayWebhookSignal, wakeWebhookSignal } from '../../workflows/webhook.messages';
import { demoTemplate, phaseWindows } from '../../domain/campaign';
import { movePhase, submitDuty } from '../../services/campaign.service';
import { campaignWorkflow } from '../../workflows/campaign.workflow';
import { hazardRectificationWorkflow } from '../../workflows/hazard.workflow';
import { caseWorkflowId, inspectionWorkflowId, obligationWorkflowId, webhookWorkflowId } from '../../workflows/ids';
import { caseWorkflow } from '../../workflows/case.workflow';
import { addCaseCauseSignal, caseCauseResolvedSignal, decideCaseUpdate } from '../../workflows/case.messages';
import { DEFAULT_CASE_LADDER } from '../../domain/accountability';
import type { OrderIssueInput } from '../../domain/enforcement-issue';
import { executeOrderCommand, issueOrder } from '../../services/order.service';
import { startSmtpSink } from '../support/smtp-sink';
import { actorFor, reportBody, seedEnterprise, seedHazard, seedUnits } from '../support/fixtures';
import { createHazardWorker } from '../support/hazard-worker';

const DAY = 86_400_000;
const [what, label] = process.argv.slice(2);
if ((what !== 'hazard' && what !== 'campaign' && what !== 'case' && what !== 'order' && what !== 'webhook') || !label || !/^[\w.-]+$/.test(label)) {
  console.error('usage: npm run record:histories -- <hazard|campaign|case|order|webhook> <label>   (e.g. hazard v4 → history_files/hazard-major-full-v4.json)');
  process.exit(2);
}
async function save(name: string, history: unknown): Promise<void> {
  const file = new URL(`./history_files/${name}-${label}.json`, import.meta.url);
  await writeFile(file, JSON.stringify(history, null, 1));
  console.log(`wrote ${file.pathname}`);
}
Runtime.install({ logger: new DefaultLogger('WARN') });

const pgServer = await startPostgres();
const url = await createDatabase(pgServer.url, 'record_histories');
await runMigrations(url);
const db = await createDb(url);
const sink = await startSmtpSink();
const env = await createTimeSkippingEnv();
const taskQueue = 'record-histories';
const worker = await createHazardWorker({
  connection: env.nativeConnection,
  client: env.client,
  taskQueue,
  db: db.db,
  smtpUrl: sink.url,
  webhooks: { targets: { allowLoopback: true, allowPrivate: false }, attemptTimeoutMs: 2_000 },
});
const running = worker.run();

async function recordHazard(): Promise<void> {
  // A major hazard through every kind of step: report, listing, reminders, an extension,
  // a rejection, overdue notice and escalation, rectification, verification, closure.
  const enterprise = await seedEnterprise(db.db);
  const now = await env.currentTimeMs();
  const deadline = new Date(now + 20 * DAY).toISOString().slice(0, 10);
  const row = await seedHazard(db.db, enterprise, reportBody({ grade: 'MAJOR', deadline }), now);
  const wf = await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });
  const dept = actorFor('department', enterprise.departmentCode);
  const owner = actorFor('enterprise', enterprise.id);
  await wf.executeUpdate('listForSupervision', { args: [{ actor: dept, note: '挂牌督办' }] });
  await env.sleep(15 * DAY);
  await wf.executeUpdate('requestExtension', { args: [{ actor: owner, requestedDeadline: new Date(now + 30 * DAY).toISOString(), reason: '设备到货延迟' }] });
  await wf.executeUpdate('decideExtension', { args: [{ actor: dept, decision: 'APPROVE' }] });
  await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '第一次整改' }] });
  await wf.executeUpdate('decideVerification', { args: [{ actor: dept, decision: 'REJECT', reason: '不彻底' }] });
  await env.sleep(16 * DAY);
  await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '第二次整改', attachments: [{ name: 'a.pdf' }] }] });
  await wf.executeUpdate('decideVerification', { args: [{ actor: dept, decision: 'ACCEPT' }] });
  await wf.executeUpdate('close', { args: [{ actor: dept }] });
  await wf.result();
  await save('hazard-major-full', await wf.fetchHistory());
}

/** A seconds-long campaign: phases, duties (one on time, the rest missed), the draw, an inspection with a finding, a phase move. */
async function recordCampaign(): Promise<void> {
  const template = demoTemplate((await env.currentTimeMs()) + 5_000);
  await saveTemplate(db.db, template);
  const county = await seedUnits(db.db);
  for (let i = 0; i < 12; i++) await seedEnterprise(db.db, { ...county, industry: i % 2 ? 'CONSTRUCTION' : 'FIRE_SAFETY' });
  const id = randomUUID();
  const { campaign } = await insertCampaign(
    db.db,
    { id, name: template.name, template, workflowId: `campaign:${id}`, spotCheckSeed: 'recorded-seed', launchedBy: actorFor('office'), idempotencyKey: id },
    [{ unitCode: county.countyCode, kind: 'COUNTY' }, { unitCode: county.departmentCode, kind: 'DEPARTMENT' }],
  );
  const wf = await env.client.workflow.start(campaignWorkflow, { taskQueue, workflowId: campaign.workflowId, args: [{ campaignId: id, template, spotCheckSeed: 'recorded-seed', launchedBy: campaign.launchedBy }] });
  const target = { client: env.client, taskQueue };
  const obligation = obligationWorkflowId(id, county.countyCode);
  await env.sleep(7_000);
  await submitDuty(target, obligation, { dutyKey: 'plan', content: { text: '实施方案' }, actor: actorFor('county', county.countyCode) });
  await env.sleep(10_000);
  const [draw] = await db.db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, id));
  const drawn = draw!.strata.flatMap((st) => st.drawn)[0]!;
  const inspection = inspectionWorkflowId(id, drawn);
  await submitDuty(target, inspection, {
    dutyKey: `inspection:${drawn}`,
    content: { outcome: 'FINDINGS', findings: [reportBody({ deadline: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10) })] },
    actor: actorFor('department', county.departmentCode),
  });
  // The office moves the spot-check phase's close 5 s later while the other inspections are open (v3 on: a phase move in history).
  await movePhase(target, id, { phase: 'SPOT_CHECK', closesAt: new Date(phaseWindows(template).SPOT_CHECK.closesAt + 5_000).toISOString(), reason: '延长检查抽查', actor: actorFor('office') });
  await wf.result();
  await env.sleep(60 * DAY); // past every late window: the obligations end
  await save('campaign-demo', await wf.fetchHistory());
  await save('obligation-demo', await env.client.workflow.getHandle(obligation).fetchHistory());
  await save('inspection-demo', await env.client.workflow.getHandle(inspection).fetchHistory());
}

/** An accountability case through every kind of step: reminders, overdue notice, two escalations, causes, a hold, resolution. */
async function recordCase(): Promise<void> {
  const caseId = randomUUID();
  const hazardId = randomUUID();
  const office = actorFor('office');
  const wf = await env.client.workflow.start(caseWorkflow, {
    taskQueue,
    workflowId: caseWorkflowId(caseId),
    args: [
      {
        caseId,
        subject: { kind: 'UNIT', ref: 'county-recorded', name: '示例县' },
        cause: { kind: 'HAZARD_ESCALATION', refId: hazardId },
        ladder: DEFAULT_CASE_LADDER,
        timeZone: 'Asia/Shanghai',
        openedBy: office,
        reviewerEmails: ['reviewer@safety.test'],
      },
    ],
  });
  await env.sleep(6 * DAY); // reminders, then overdue
  await wf.signal(addCaseCauseSignal, { kind: 'DUTY_MISSED', refId: 'monthly-report', actor: office });
  const now = await env.currentTimeMs();
  await wf.executeUpdate(decideCaseUpdate, { args: [{ actor: office, decision: { kind: 'ESCALATE', reason: '逾期未整改', summonsAt: new Date(now + 2 * DAY).toISOString() } }] });
  await env.sleep(6 * DAY);
  await wf.executeUpdate(decideCaseUpdate, { args: [{ actor: office, decision: { kind: 'ESCALATE', reason: '约谈后仍未整改', referralTo: 'DISCIPLINE_COMMISSION' } }] });
  await wf.signal(caseCauseResolvedSignal, { kind: 'HAZARD_ESCALATION', refId: hazardId, actor: office });
  const later = await env.currentTimeMs();
  await wf.executeUpdate(decideCaseUpdate, { args: [{ actor: office, decision: { kind: 'HOLD', reason: '等待调查结论', until: new Date(later + 3 * DAY).toISOString() } }] });
  await env.sleep(4 * DAY);
  await wf.executeUpdate(decideCaseUpdate, { args: [{ actor: office, decision: { kind: 'RESOLVE', reason: '已处理完毕' } }] });
  await wf.result();
  await save('case-demo', await wf.fetchHistory());
}

/**
 * Enforcement orders through every kind of step: a rectification order reminded, overdue, ignored
 * (a case opened), complied with after a rejection; a suspension applied for, inspected twice and lifted.
 */
async function recordOrders(): Promise<void> {
  const target = { client: env.client, taskQueue };
  const enterprise = await seedEnterprise(db.db);
  const regulator = actorFor('department', enterprise.departmentCode);
  const owner = actorFor('enterprise', enterprise.id);
  const issue = async (input: OrderIssueInput) => {
    const out = await issueOrder(db.db, target, { enterprise, input, actor: regulator, now: await env.currentTimeMs() });
    if (!out.ok || out.outcome.kind === 'key-reused') throw new Error(JSON.stringify(out));
    return out.outcome.row;
  };
  const legal = { legalBasis: '《安全生产法》第六十五条', reason: '重大事故隐患逾期未整改' };
  const deadline = new Date((await env.currentTimeMs()) + 10 * DAY).toISOString().slice(0, 10);
  const rectification = await issue({ kind: 'RECTIFICATION', ...legal, deadline, notifiedBodies: [{ name: '市信用办', email: 'credit@recorded.test' }] });
  await env.sleep(14 * DAY); // reminders, overdue notice, ignored: a case opens
  await executeOrderCommand(target, rectification.id, 'reportCompliance', { actor: owner, report: '第一次整改' });
  await executeOrderCommand(target, rectification.id, 'verifyCompliance', { actor: regulator, decision: 'REJECT', reason: '不彻底' });
  await executeOrderCommand(target, rectification.id, 'reportCompliance', { actor: owner, report: '第二次整改' });
  await executeOrderCommand(target, rectification.id, 'verifyCompliance', { actor: regulator, decision: 'ACCEPT' });
  await env.client.workflow.getHandle(rectification.workflowId).result();
  await save('order-rectification', await env.client.workflow.getHandle(rectification.workflowId).fetchHistory());

  const suspension = await issue({ kind: 'SUSPENSION', ...legal, conditions: ['通风系统整改到位'] });
  await executeOrderCommand(target, suspension.id, 'applyForLift', { actor: owner, note: '已整改' });
  await executeOrderCommand(target, suspension.id, 'recordInspection', { actor: regulator, outcome: 'FAILED', findings: '未整改到位' });
  await env.sleep(3 * DAY);
  await executeOrderCommand(target, suspension.id, 'applyForLift', { actor: owner, note: '已再次整改' });
  await executeOrderCommand(target, suspension.id, 'recordInspection', { actor: regulator, outcome: 'PASSED', findings: '合格' });
  await executeOrderCommand(target, suspension.id, 'liftSuspension', { actor: regulator, reason: '复查合格' });
  await env.client.workflow.getHandle(suspension.workflowId).result();
  await save('order-suspension', await env.client.workflow.getHandle(suspension.workflowId).fetchHistory());
}

/**
 * A webhook endpoint's delivery workflow: two events delivered, a third refused until its retries
 * are spent (the endpoint disabled, its owner mailed), a replay of the first, then the endpoint
 * deleted: the workflow ends.
 */
async function recordWebhook(): Promise<void> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    received.push(id);
    res.writeHead(id === failing ? 500 : 204).end();
  });
  let failing = '';
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const endpoint = await insertEndpoint(db.db, { id: randomUUID(), url: `http://127.0.0.1:${port}/hooks`, description: null, eventTypes: [], owner: actorFor('office'), ownerKeyId: null, contactEmail: 'portal@recorded.test', secret: newWebhookSecret() });
    const enterprise = await seedEnterprise(db.db);
    const hazard = await seedHazard(db.db, enterprise, reportBody(), await env.currentTimeMs());
    const steps = ['REGISTERED', 'RECTIFICATION_STARTED', 'REMINDER_SENT'] as const;
    for (const [i, type] of steps.entries()) {
      await db.db.insert(hazardEvents).values({ hazardId: hazard.id, workflowId: hazard.workflowId, seq: i + 1, type, toState: i === 0 ? 'REGISTERED' : 'RECTIFYING', actor: actorFor('office'), data: {}, at: new Date() });
    }
    const seqs = (await db.db.select({ seq: portalEvents.seq }).from(portalEvents).where(eq(portalEvents.subjectId, hazard.id)).orderBy(portalEvents.seq)).map((r) => r.seq);
    failing = `evt_${seqs[2]}`;
    const wf = await env.client.workflow.start(webhookDeliveryWorkflow, {
      taskQueue,
      workflowId: webhookWorkflowId(endpoint.id),
      args: [{ endpointId: endpoint.id, cursor: null, retry: { initialIntervalMs: 100, backoffCoefficient: 2, maximumIntervalMs: 200, maximumAttempts: 3 }, attemptTimeoutMs: 2_000, pollIntervalMs: 3_600_000 }],
    });
    while (!(await loadEndpoint(db.db, endpoint.id))?.disabledAt) await new Promise((r) => setTimeout(r, 200));
    await updateEndpoint(db.db, endpoint.id, { enabled: true });
    failing = '';
    await wf.signal(replayWebhookSignal, { eventSeq: seqs[0]! });
    // The replayed first event, then the third delivered at last (after its three refused attempts).
    const count = (seq: number) => received.filter((id) => id === `evt_${seq}`).length;
    while (count(seqs[0]!) < 2 || count(seqs[2]!) < 4) await new Promise((r) => setTimeout(r, 200));
    await deleteEndpoint(db.db, endpoint.id);
    await wf.signal(wakeWebhookSignal);
    await wf.result();
    console.log(`received ${received.join(' ')}`);
    await save('webhook-delivery', await wf.fetchHistory());
  } finally {
    server.close();
  }
}

try {
  if (what === 'hazard') await recordHazard();
  else if (what === 'webhook') await recordWebhook();
  else if (what === 'case') await recordCase();
  else if (what === 'order') await recordOrders();
  else await recordCampaign();
} finally {
  worker.shutdown();
  await running;
  await env.teardown();
  await sink.close();
  await db.close();
  await pgServer.stop();
}
