// What opens an accountability case today: a hazard past its escalation step (against its
// supervising department) and a missed unit duty (against the unit). One open case per subject and
// cause kind: a second cause joins it. A closed hazard or a late filing is recorded on the case,
// which stays for its reviewer. Time-skipping server, real activities, Postgres and an SMTP sink.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { insertCampaign } from '../../db/campaign-admin.repo';
import { caseCauses, cases, units } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { hazardCauseRef } from '../../domain/accountability';
import { startObligationWorkflow, submitDuty } from '../../services/campaign.service';
import { executeHazardCommand, workflowInputFor } from '../../services/hazard.service';
import type { TemporalTarget } from '../../services/temporal';
import { caseStateQuery } from '../../workflows/case.messages';
import { hazardRectificationWorkflow } from '../../workflows/hazard.workflow';
import { caseWorkflowId, obligationWorkflowId } from '../../workflows/ids';
import { recipientsOf } from '../support/case-ledger';
import { until } from '../support/eventually';
import { OFFICE_EMAIL } from '../support/hazard-worker';
import { actorFor, reportBody, seedEnterprise, seedHazard, seedUnits, uniq } from '../support/fixtures';
import { DAY, shanghaiDate } from '../support/shanghai';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let target: TemporalTarget;
let taskQueue: string;

beforeAll(async () => {
  stack = await startWorkflowStack('case-wiring');
  ({ env, handle, target, taskQueue } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const casesOf = (subjectRef: string) => handle.db.select().from(cases).where(eq(cases.subjectRef, subjectRef));
const causesOf = (caseId: string) => handle.db.select().from(caseCauses).where(eq(caseCauses.caseId, caseId));

describe('a hazard past its escalation step', () => {
  it('opens one case against its supervising department, joined by the next one, and records a closed hazard on it', async () => {
    const db = handle.db;
    const first = await seedEnterprise(db);
    const second = await seedEnterprise(db, { countyCode: first.countyCode, departmentCode: first.departmentCode });
    const now = await env.currentTimeMs();
    const deadline = shanghaiDate(now + 3 * DAY);
    // Major hazards escalate at the deadline (P0D).
    const a = await seedHazard(db, first, reportBody({ grade: 'MAJOR', deadline }), now);
    const b = await seedHazard(db, second, reportBody({ grade: 'MAJOR', deadline }), now);
    for (const row of [a, b]) await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });
    const dept = actorFor('department', first.departmentCode);
    for (const row of [a, b]) await executeHazardCommand(target, row.id, 'listForSupervision', { actor: dept, note: '挂牌督办' });

    await stack.skipTo(a.deadline.getTime());
    const [opened] = await until(() => casesOf(first.departmentCode), (rows) => rows.length === 1, 'the case against the department');
    expect(opened).toMatchObject({ subjectKind: 'UNIT', subjectRef: first.departmentCode, causeKind: 'HAZARD_ESCALATION', rung: 'CIRCULAR', status: 'OPEN' });
    const causes = await until(() => causesOf(opened!.id), (rows) => rows.length === 2, 'both hazards on the case');
    expect(causes.map((c) => c.refId).sort()).toEqual([hazardCauseRef(a.id, 1), hazardCauseRef(b.id, 1)].sort());
    expect((await env.client.workflow.getHandle(caseWorkflowId(opened!.id)).describe()).status.name).toBe('RUNNING');

    // The first hazard is rectified and closed: the case records it and stays for the reviewer.
    await executeHazardCommand(target, a.id, 'submitRectification', { actor: actorFor('enterprise', first.id), evidence: '已整改并验收' });
    await executeHazardCommand(target, a.id, 'decideVerification', { actor: dept, decision: 'ACCEPT' });
    await executeHazardCommand(target, a.id, 'close', { actor: dept, note: '销号' });
    const resolved = await until(() => causesOf(opened!.id), (rows) => rows.some((c) => c.refId === hazardCauseRef(a.id, 1) && c.resolvedAt !== null), 'the closed hazard on the case');
    expect(resolved.find((c) => c.refId === hazardCauseRef(b.id, 1))!.resolvedAt).toBeNull();
    const live = await env.client.workflow.getHandle(caseWorkflowId(opened!.id)).query(caseStateQuery);
    expect(live.status).toBe('OPEN');
    expect(await casesOf(first.departmentCode)).toHaveLength(1);
  });
});

describe('a missed monthly report', () => {
  it('opens a 通报 case against the unit, asks the office when no reviewer covers the unit, and records its late filing on it', async () => {
    const db = handle.db;
    const { countyCode } = await seedUnits(db);
    const campaignId = randomUUID();
    const template = { ...demoTemplate((await env.currentTimeMs()) + DAY), key: uniq('wiring') };
    await insertCampaign(db, { id: campaignId, name: template.name, template, workflowId: `campaign:${campaignId}`, spotCheckSeed: 's', launchedBy: actorFor('office'), idempotencyKey: campaignId }, [{ unitCode: countyCode, kind: 'COUNTY' }]);
    const now = await env.currentTimeMs();
    const dueAt = now + 2 * DAY;
    const obligationId = obligationWorkflowId(campaignId, countyCode);
    const duty = { key: 'progress:2023-12', kind: 'PROGRESS_REPORT' as const, label: '2023年12月进展情况', opensAt: now, dueAt };
    await startObligationWorkflow(target, { obligationId, campaignId, holderCode: countyCode, duties: [duty], reminderOffsets: [], timeZone: 'Asia/Shanghai', lateWindow: 'P30D' });

    await stack.skipTo(dueAt);
    const [opened] = await until(() => casesOf(countyCode), (rows) => rows.length === 1, 'the case against the county');
    expect(opened).toMatchObject({ subjectKind: 'UNIT', causeKind: 'DUTY_MISSED', rung: 'CIRCULAR', status: 'OPEN', campaignId });
    const [unit] = await db.select().from(units).where(eq(units.code, countyCode));
    expect(opened!.subjectName).toBe(unit!.name);
    // No reviewer key covers this county: the office is asked.
    const asked = await stack.sink.waitFor((m) => m.headers.get('x-case-id') === opened!.id && m.headers.get('x-notification-kind') === 'CASE_REVIEW_REQUESTED');
    expect(recipientsOf(asked)).toEqual([OFFICE_EMAIL]);
    expect(asked.subject).toContain('通报');

    await submitDuty(target, obligationId, { dutyKey: 'progress:2023-12', content: { text: '迟报的月度进展' }, actor: actorFor('county', countyCode) });
    const [cause] = await until(() => handle.db.select().from(caseCauses).where(and(eq(caseCauses.caseId, opened!.id), eq(caseCauses.kind, 'DUTY_MISSED'))), (rows) => rows.length === 1 && rows[0]!.resolvedAt !== null, 'the late filing on the case');
    expect(cause!.refId).toBe(`${obligationId}:progress:2023-12`);
  });
});
