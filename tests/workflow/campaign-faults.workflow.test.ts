// Races and refused steps of the campaign and obligation workflows, on the real time-skipping
// test server with the real activities (Postgres ledger, SMTP sink). The plan's dates are shifted
// by four years so the whole campaign lies ahead of the test server's clock; nothing here skips
// more than seconds: each fix must act at once, not at the next phase transition.
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATE_WINDOW } from '../../activities/campaign.activities';
import type { DbHandle } from '../../db/client';
import { saveTemplate } from '../../db/campaign-admin.repo';
import { duties, dutyEvents, enterprises, hazards } from '../../db/schema';
import { inspectionDuty, phaseWindows } from '../../domain/campaign';
import { DomainError } from '../../domain/errors';
import { movePhase, startObligationWorkflow, submitDuty } from '../../services/campaign.service';
import { createHazardWorker } from '../support/hazard-worker';
import type { TemporalTarget } from '../../services/temporal';
import { obligationStateQuery } from '../../workflows/campaign.messages';
import { inspectionWorkflowId, obligationWorkflowId } from '../../workflows/ids';
import { launchCampaign, seedCampaignUnits, shiftedDatong } from '../support/campaign-launch';
import { actorFor, creditCode, reportBody, uniq } from '../support/fixtures';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';
import { until } from '../support/eventually';

const DAY = 86_400_000;

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let target: TemporalTarget;

beforeAll(async () => {
  stack = await startWorkflowStack('campaign-faults');
  ({ env, handle, target } = stack);
});

afterAll(async () => {
  await stack?.close();
});

/** A launched campaign with one county and one department, and one enterprise of that county. */
async function launch() {
  const db = handle.db;
  // The Datong plan, four years later (2028 is a leap year like 2024).
  const template = shiftedDatong('datong-faults', 2027);
  await saveTemplate(db, template);
  const county = uniq('county');
  const department = uniq('dept');
  await seedCampaignUnits(db, [county], [department]);
  const [enterprise] = await db
    .insert(enterprises)
    .values({ name: uniq('企业'), creditCode: creditCode(), industry: 'HAZARDOUS_CHEMICALS', countyCode: county, departmentCode: department, principalName: '负责人', principalEmail: `${uniq('p')}@ent.test` })
    .returning();
  const { id, wf } = await launchCampaign(db, target, template, { counties: [county], departments: [department], seed: 'faults-seed' });
  const obligation = env.client.workflow.getHandle(obligationWorkflowId(id, county));
  // The obligations are started by the campaign: wait until the county's answers.
  await until(() => obligation.query(obligationStateQuery).catch(() => null), (s) => s !== null && s.seq > 0, 'the county obligation runs');
  return { id, template, county, department, enterprise: enterprise!, wf, obligation };
}


const lockWaiters = async () =>
  ((await handle.db.execute(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;

/** Runs `during` while a test transaction on its own connection holds the lock `lockSql` takes. */
async function whileLocked<T>(lockSql: string, during: () => Promise<T>): Promise<T> {
  const pool = (handle.db as unknown as { $client: { connect(): Promise<PoolClient> } }).$client;
  const locker = await pool.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(lockSql);
    return await during();
  } finally {
    await locker.query('ROLLBACK');
    locker.release();
  }
}

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof DomainError ? e.code : e));
const dueOf = (state: { duties: { duty: { key: string; dueAt: number } }[] }, key: string) => state.duties.find((d) => d.duty.key === key)!.duty.dueAt;

describe('phase moves', () => {
  it('tells the obligations of a second move that arrives while the first is being applied, at once and not at the next phase transition', async () => {
    const { id, template, obligation } = await launch();
    const before = await obligation.query(obligationStateQuery);
    const windows = phaseWindows(template);
    const office = actorFor('office');

    await whileLocked('LOCK TABLE campaign_participants IN ACCESS EXCLUSIVE MODE', async () => {
      // Move 1: its rescheduling reads the participants and waits for the lock.
      await movePhase(target, id, { phase: 'SUMMARY', closesAt: new Date(windows.SUMMARY.closesAt + DAY).toISOString(), reason: '总结延后一天', actor: office });
      await until(lockWaiters, (n) => n > 0, 'the first rescheduling waits for the participants');
      // Move 2 arrives meanwhile: the end of mobilization carries the implementation plan.
      await movePhase(target, id, { phase: 'MOBILIZATION', closesAt: new Date(windows.MOBILIZATION.closesAt + 2 * DAY).toISOString(), reason: '动员部署延后两天', actor: office });
    });

    const after = await until(
      () => obligation.query(obligationStateQuery),
      (s) => dueOf(s, 'plan') !== dueOf(before, 'plan'),
      'the plan moves with the second move',
    );
    expect(dueOf(after, 'plan')).toBe(dueOf(before, 'plan') + 2 * DAY);
    expect(dueOf(after, 'summary')).toBe(dueOf(before, 'summary') + DAY);
    // No phase transition happened meanwhile: the campaign's clock is still before mobilization opens.
    expect(await env.currentTimeMs()).toBeLessThan(windows.MOBILIZATION.opensAt);
    const rescheduled = await until(
      () => handle.db.select().from(dutyEvents).where(and(eq(dutyEvents.obligationId, obligation.workflowId), eq(dutyEvents.type, 'DUTY_RESCHEDULED'))),
      (rows) => rows.some((r) => r.dutyKey === 'plan'),
      'the plan rescheduled on the ledger',
    );
    expect(rescheduled.find((r) => r.dutyKey === 'plan')!.data).toMatchObject({ dueAt: new Date(dueOf(before, 'plan') + 2 * DAY).toISOString() });
  });
});

describe('duty submissions', () => {
  it('refuses an inspection result whose finding cannot become a hazard, leaves the duty pending, and takes a valid one afterwards', async () => {
    const { id, template, department, enterprise } = await launch();
    const obligationId = inspectionWorkflowId(id, enterprise.id);
    const now = await env.currentTimeMs();
    await startObligationWorkflow(target, {
      obligationId,
      campaignId: id,
      holderCode: department,
      subjectEnterpriseId: enterprise.id,
      duties: [inspectionDuty(enterprise.id, now, phaseWindows(template).SPOT_CHECK.closesAt)],
      reminderOffsets: template.spotCheck.reminderOffsets,
      timeZone: template.timeZone,
      lateWindow: LATE_WINDOW,
    });
    const inspection = env.client.workflow.getHandle(obligationId);
    await until(() => inspection.query(obligationStateQuery).catch(() => null), (s) => s !== null && s.seq > 0, 'the inspection obligation runs');
    const dutyKey = `inspection:${enterprise.id}`;
    const inspector = actorFor('department', department);

    const bad = { ...reportBody({ grade: 'MAJOR', deadline: '2028-01-31' }), description: '' };
    const refused = await submitDuty(target, obligationId, { dutyKey, content: { outcome: 'FINDINGS', findings: [bad] }, actor: inspector }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED' });
    const state = await inspection.query(obligationStateQuery);
    expect(state.duties).toEqual([expect.objectContaining({ state: 'PENDING', submittedAt: null })]);
    expect(await handle.db.select().from(dutyEvents).where(and(eq(dutyEvents.obligationId, obligationId), sql`${dutyEvents.type} LIKE 'DUTY_SUBMITTED%'`))).toHaveLength(0);
    expect(await handle.db.select().from(hazards).where(eq(hazards.enterpriseId, enterprise.id))).toHaveLength(0);

    const good = { ...reportBody({ grade: 'MAJOR', deadline: '2028-01-31' }), description: '抽查发现：储罐区可燃气体报警器失效' };
    const accepted = await submitDuty(target, obligationId, { dutyKey, content: { outcome: 'FINDINGS', findings: [good] }, actor: inspector });
    expect(accepted).toMatchObject({ state: 'SUBMITTED', late: false });
    expect(await handle.db.select().from(hazards).where(eq(hazards.enterpriseId, enterprise.id))).toEqual([expect.objectContaining({ source: 'SPOT_CHECK', description: good.description })]);
  });

  it('records a submission that reaches a new obligation with its start (in its first workflow task) after its assigned duties, not over them', async () => {
    const { id, county, obligation } = await launch();
    const { duties: assigned } = await obligation.query(obligationStateQuery);
    // A run of its own on a queue no worker polls yet: the submission waits at the server and comes
    // with the start, as when a holder submits the moment the fan-out has started its workflow.
    const queue = uniq('first-task');
    const early = { client: env.client, taskQueue: queue };
    const obligationId = `${obligation.workflowId}:early`;
    await startObligationWorkflow(early, { obligationId, campaignId: id, holderCode: county, duties: assigned.map((d) => d.duty), reminderOffsets: [], timeZone: 'Asia/Shanghai', lateWindow: LATE_WINDOW, noticedByFanOut: true });
    const submitted = submitDuty(early, obligationId, { dutyKey: 'plan', content: { text: '实施方案' }, actor: actorFor('county', county) });
    await new Promise((r) => setTimeout(r, 1000));
    const worker = await createHazardWorker({ connection: env.nativeConnection, client: env.client, taskQueue: queue, db: handle.db, smtpUrl: stack.sink.url });
    const result = await worker.runUntil(async () => {
      const r = await submitted;
      await until(() => handle.db.select().from(dutyEvents).where(eq(dutyEvents.obligationId, obligationId)), (rows) => rows.length >= assigned.length + 1 || rows.some((e) => e.type === 'DUTY_SUBMITTED'), 'the submission on the ledger');
      return r;
    });
    expect(result).toMatchObject({ state: 'SUBMITTED' });
    // The race was met: the submission was accepted in the run's first workflow task, with its start.
    const { events: history } = await env.client.workflow.getHandle(obligationId).fetchHistory();
    const types = history!.map((e) => temporal.api.enums.v1.EventType[e.eventType!].replace('EVENT_TYPE_', ''));
    const firstTask = types.indexOf('WORKFLOW_TASK_COMPLETED');
    expect(types.slice(firstTask, types.indexOf('WORKFLOW_TASK_SCHEDULED', firstTask))).toContain('WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
    const events = await handle.db.select().from(dutyEvents).where(eq(dutyEvents.obligationId, obligationId)).orderBy(asc(dutyEvents.seq));
    // Every assigned step and the submission after them, none dropped as a duplicate of another's seq.
    expect(events.map((e) => `${e.seq} ${e.type} ${e.dutyKey}`)).toEqual([...assigned.map((d, i) => `${i + 1} DUTY_ASSIGNED ${d.duty.key}`), `${assigned.length + 1} DUTY_SUBMITTED plan`]);
    const [row] = await handle.db.select().from(duties).where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, 'plan')));
    expect(row).toMatchObject({ state: 'SUBMITTED', submittedBy: { role: 'county', scope: county } });
  });

  it('takes one of two concurrent submissions of the same duty and refuses the other, with one ledger event', async () => {
    const { county, obligation } = await launch();
    const actor = actorFor('county', county);
    const submit = (text: string) => submitDuty(target, obligation.workflowId, { dutyKey: 'plan', content: { text }, actor });

    const outcomes = await Promise.allSettled([submit('实施方案 A'), submit('实施方案 B')]);

    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(DomainError);
    expect(['CONFLICT', 'ILLEGAL_TRANSITION']).toContain((rejected[0]!.reason as DomainError).code);
    const submitted = await handle.db.select().from(dutyEvents).where(and(eq(dutyEvents.obligationId, obligation.workflowId), eq(dutyEvents.dutyKey, 'plan'), sql`${dutyEvents.type} LIKE 'DUTY_SUBMITTED%'`));
    expect(submitted).toHaveLength(1);
    expect((await obligation.query(obligationStateQuery)).duties.find((d) => d.duty.key === 'plan')).toMatchObject({ state: 'SUBMITTED' });
  });

  it('refuses a submission of a duty whose first submission is still being recorded (CONFLICT), and keeps the first', async () => {
    const { county, obligation } = await launch();
    const actor = actorFor('county', county);
    // Wrapped: an async function returning the promise itself would wait for it while the lock is held.
    const { first } = await whileLocked('LOCK TABLE duty_events IN ACCESS EXCLUSIVE MODE', async () => {
      const pending = submitDuty(target, obligation.workflowId, { dutyKey: 'plan', content: { text: '实施方案' }, actor });
      await until(lockWaiters, (n) => n > 0, 'the first submission is being recorded');
      expect(await refusal(submitDuty(target, obligation.workflowId, { dutyKey: 'plan', content: { text: '另一份' }, actor }))).toBe('CONFLICT');
      expect((await obligation.query(obligationStateQuery)).duties.find((d) => d.duty.key === 'plan')).toMatchObject({ state: 'PENDING' });
      return { first: pending };
    });
    expect(await first).toMatchObject({ state: 'SUBMITTED' });
    const submitted = await handle.db.select().from(dutyEvents).where(and(eq(dutyEvents.obligationId, obligation.workflowId), eq(dutyEvents.dutyKey, 'plan'), sql`${dutyEvents.type} LIKE 'DUTY_SUBMITTED%'`));
    expect(submitted.map((e) => (e.data.content as { text: string }).text)).toEqual(['实施方案']);
  });

  it('does not record a duty missed when its due instant passes while its on-time submission is being recorded', async () => {
    // The race seen once in CI: the miss was chosen before the wait, its timer fired while the
    // submission's ledger write was in flight, and its step landed after the submission's.
    const { id, department, enterprise } = await launch();
    const obligationId = inspectionWorkflowId(id, enterprise.id);
    const now = await env.currentTimeMs();
    // Due 8 s ahead on the test server's clock; skipping past it stays inside the ledger write's
    // 10 s start-to-close, so the submission's one attempt is still the one in flight.
    const duty = inspectionDuty(enterprise.id, now, now + 8_000);
    await startObligationWorkflow(target, { obligationId, campaignId: id, holderCode: department, subjectEnterpriseId: enterprise.id, duties: [duty], reminderOffsets: [], timeZone: 'Asia/Shanghai', lateWindow: LATE_WINDOW });
    const inspection = env.client.workflow.getHandle(obligationId);
    await until(() => inspection.query(obligationStateQuery).catch(() => null), (s) => s !== null && s.seq > 0, 'the obligation runs');
    // In step order: the DUTY_ASSIGNED write may still be in flight when the lock is taken, and land after the submission's.
    const eventsOf = async () => (await handle.db.select().from(dutyEvents).where(and(eq(dutyEvents.obligationId, obligationId), eq(dutyEvents.dutyKey, duty.key))).orderBy(asc(dutyEvents.seq))).map((e) => e.type);
    const timersFired = async () => (await inspection.fetchHistory()).events!.filter((e) => e.timerFiredEventAttributes).length;
    const firedBefore = await timersFired();

    const { submission } = await whileLocked('LOCK TABLE duty_events IN ACCESS EXCLUSIVE MODE', async () => {
      const pending = submitDuty(target, obligationId, { dutyKey: duty.key, content: { outcome: 'NO_FINDINGS' }, actor: actorFor('department', department) });
      await until(lockWaiters, (n) => n > 0, 'the submission is being recorded');
      expect((await inspection.query(obligationStateQuery)).duties[0]).toMatchObject({ state: 'PENDING' });
      await env.sleep(duty.dueAt + 1_000 - (await env.currentTimeMs()));
      // The due instant's timer has fired and the workflow has acted on it.
      await until(async () => (await timersFired()) > firedBefore && (await inspection.describe()).raw.pendingWorkflowTask == null, Boolean, 'the due timer is handled');
      return { submission: pending };
    });

    expect(await submission).toMatchObject({ state: 'SUBMITTED', late: false });
    await until(async () => (await inspection.query(obligationStateQuery)).duties[0]!.state, (st) => st === 'SUBMITTED', 'the workflow holds the duty submitted');
    expect(await eventsOf()).toEqual(['DUTY_ASSIGNED', 'DUTY_SUBMITTED']);
    const [row] = await handle.db.select().from(duties).where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, duty.key)));
    expect(row).toMatchObject({ state: 'SUBMITTED', late: false });
  });
});
