// What opens an accountability case through the API, and the reconciler that repairs what a crash
// left behind: a supervision finding against a unit, an inspection finding the enterprise had
// concealed (瞒报), the case ladder as template data, unstarted case workflows, legacy review
// records and findings without their case. Real app, fresh Postgres, the shared dev server and a real worker.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertCampaign, recordSupervisionFinding } from '../../db/campaign-admin.repo';
import { openReview } from '../../db/ledger.repo';
import { accountabilityReviews, campaignTemplates, caseCauses, cases, hazards } from '../../db/schema';
import { hazardCauseRef, resolveCaseLadder, type CaseCause } from '../../domain/accountability';
import { demoTemplate, type CampaignTemplate } from '../../domain/campaign';
import { startObligationWorkflow } from '../../services/campaign.service';
import { caseIdFor, unitSubject } from '../../services/case.service';
import { reconcileCases } from '../../services/case-reconcile';
import type { TemporalTarget } from '../../services/temporal';
import { caseStateQuery, type CaseWorkflowInput } from '../../workflows/case.messages';
import { caseWorkflowId, inspectionWorkflowId } from '../../workflows/ids';
import { ApiHarness, type Json } from '../support/api-harness';
import { until } from '../support/eventually';
import { actorFor, reportBody, seedEnterprise, seedHazard, seedUnits, uniq } from '../support/fixtures';
import { expectProblem } from '../support/problem';

const h = ApiHarness.forFile({ worker: true });
const DAY = 86_400_000;

const target = (): TemporalTarget => ({ client: h.env!.client, taskQueue: h.taskQueue });
const casesOf = (subjectRef: string) => h.db.select().from(cases).where(eq(cases.subjectRef, subjectRef));
const causesOf = (caseId: string) => h.db.select().from(caseCauses).where(eq(caseCauses.caseId, caseId));
const running = async (caseId: string) => (await h.env!.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name;
/** Every case a test made is ended with the file (the dev server is shared). */
async function trackCases(subjectRef: string): Promise<void> {
  for (const c of await casesOf(subjectRef)) h.track(c.workflowId);
}

/** The reconciler takes rows older than now (olderThanMs: 0); the ledger rounds their instants to the millisecond, so wait until they are past. */
const inThePast = (instants: Date[]) => until(async () => Date.now(), (now) => instants.every((at) => at.getTime() < now), 'the rows in the past');

/** A campaign on the ledger, as a launch writes it (its workflow is not needed here). */
async function campaignRow(template: CampaignTemplate = { ...demoTemplate(Date.now() + 30 * DAY), key: uniq('openers') }): Promise<string> {
  const id = randomUUID();
  await insertCampaign(
    h.db,
    { id, name: template.name, template, workflowId: `campaign:${id}`, spotCheckSeed: 's', launchedBy: actorFor('office'), idempotencyKey: id },
    [
      { unitCode: h.entA.countyCode, kind: 'COUNTY' },
      { unitCode: h.entA.departmentCode, kind: 'DEPARTMENT' },
    ],
  );
  return id;
}

describe('a supervision finding against a unit', () => {
  it('opens a case against the unit (cause SUPERVISION_FINDING), and a second finding joins the same case', async () => {
    const campaignId = await campaignRow();
    const { countyCode } = await seedUnits(h.db);
    const file = (description: string) => h.call('POST', `/v1/campaigns/${campaignId}/supervision-findings`, h.keys.office, { team: '市安委会第一督导组', target: 'UNIT', unitCode: countyCode, description });

    const first = await file('安全检查流于形式，台账与现场不符');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await trackCases(countyCode);
    const caseId = first.body.caseId as string;
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
    const [row] = await casesOf(countyCode);
    expect(row).toMatchObject({ id: caseId, subjectKind: 'UNIT', causeKind: 'SUPERVISION_FINDING', campaignId, scopeCounty: countyCode, rung: 'CIRCULAR' });
    expect(await running(caseId)).toBe('RUNNING');

    const second = await file('监管执法宽松软虚');
    expect(second.status).toBe(201);
    expect(second.body.caseId).toBe(caseId);
    const causes = await until(() => causesOf(caseId), (rows) => rows.length === 2, 'both findings on the case');
    expect(causes.map((c) => [c.kind, c.refId]).sort()).toEqual([
      ['SUPERVISION_FINDING', first.body.id],
      ['SUPERVISION_FINDING', second.body.id],
    ].sort());
    expect(await casesOf(countyCode)).toHaveLength(1);
  });

  it('opens nothing for a finding against an enterprise', async () => {
    const campaignId = await campaignRow();
    const res = await h.call('POST', `/v1/campaigns/${campaignId}/supervision-findings`, h.keys.office, { team: '督导组', target: 'ENTERPRISE', enterpriseId: h.entB.id, description: '动火作业无监护', hazard: reportBody() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.caseId).toBeNull();
    h.track(`hazard:${res.body.hazardId}`);
    expect(await casesOf(h.entB.id)).toHaveLength(0);
  });
});

describe('an inspection finding the enterprise had concealed (瞒报)', () => {
  it('opens a case against the enterprise with the hazard as its cause, on the enterprise ladder (no 免职: 移送 goes on to 移交司法)', async () => {
    const campaignId = await campaignRow();
    const e = h.entA;
    const obligationId = inspectionWorkflowId(campaignId, e.id);
    // As the campaign starts it once the enterprise is drawn.
    await startObligationWorkflow(target(), {
      obligationId,
      campaignId,
      holderCode: e.departmentCode,
      subjectEnterpriseId: e.id,
      duties: [{ key: `inspection:${e.id}`, kind: 'INSPECTION', label: '检查抽查', opensAt: Date.now(), dueAt: Date.now() + 10 * DAY }],
      reminderOffsets: [],
      timeZone: 'Asia/Shanghai',
      lateWindow: 'P30D',
    });
    h.track(obligationId);
    const inspect = (body: Json) => h.call('POST', `/v1/campaigns/${campaignId}/inspections/${e.id}`, h.keys.department, body);

    // A flag that is not true or false is refused by the schema, naming it, and records nothing.
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [{ ...reportBody(), concealed: 'yes' }] }), 400, 'VALIDATION_FAILED', ['findings[0].concealed']);

    const concealed = uniq('储罐区可燃气体报警器长期停用');
    const res = await inspect({ outcome: 'FINDINGS', findings: [{ ...reportBody({ grade: 'MAJOR', description: concealed }), concealed: true }, reportBody({ description: uniq('已自查上报') })] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const found = await h.db.select().from(hazards).where(eq(hazards.enterpriseId, e.id));
    for (const hz of found) h.track(hz.workflowId);
    const hidden = found.find((hz) => hz.description === concealed)!;
    expect(hidden).toMatchObject({ source: 'SPOT_CHECK', campaignId });

    await trackCases(e.id);
    const [opened, ...others] = await casesOf(e.id);
    expect(others).toHaveLength(0);
    expect(opened).toMatchObject({ subjectKind: 'ENTERPRISE', causeKind: 'CONCEALMENT', campaignId, scopeCounty: e.countyCode, scopeDepartment: e.departmentCode, subjectName: e.name });
    const causes = await until(() => causesOf(opened!.id), (rows) => rows.length === 1, 'the concealed hazard on the case');
    expect(causes[0]).toMatchObject({ kind: 'CONCEALMENT', refId: hidden.id });

    // The reviewer of the enterprise's county decides: 约谈, 移送 to the police, then 移交司法; 免职 is refused (409).
    const decide = (body: Json) => h.call('POST', `/v1/cases/${opened!.id}/decisions`, h.keys.reviewer, body);
    const summonsAt = new Date(Date.now() + 3 * DAY).toISOString();
    expect((await decide({ kind: 'ESCALATE', reason: '瞒报重大隐患', summonsAt })).body.live).toMatchObject({ rung: 'SUMMONS' });
    expect((await decide({ kind: 'ESCALATE', reason: '约谈后拒不整改', referralTo: 'POLICE' })).body.live).toMatchObject({ rung: 'REFERRAL' });
    expectProblem(await decide({ kind: 'ESCALATE', reason: '免职', to: 'DISMISSAL' }), 409, 'ILLEGAL_TRANSITION');
    const judicial = await decide({ kind: 'ESCALATE', reason: '涉嫌犯罪' });
    expect(judicial.status, JSON.stringify(judicial.body)).toBe(200);
    expect(judicial.body.live).toMatchObject({ rung: 'JUDICIAL' });
  });
});

describe('the case ladder as template data', () => {
  it('refuses a template whose caseLadder is invalid, naming each field: 400 for an unknown rung or a wrong type, 422 for a review time of zero; stores nothing', async () => {
    const key = uniq('ladder');
    const post = (caseLadder: unknown) => h.call('POST', '/v1/campaign-templates', h.keys.office, { ...demoTemplate(Date.now() + 30 * DAY), key, caseLadder });
    expectProblem(await post({ rungs: { SUMMONS: { reviewTime: 'P1D' }, WARNING: {} }, allowSkip: 'yes' }), 400, 'VALIDATION_FAILED', ['caseLadder.rungs.WARNING', 'caseLadder.allowSkip']);
    expectProblem(await post({ rungs: { SUMMONS: { reviewTime: 'P0D' } }, allowSkip: true }), 422, 'VALIDATION_FAILED', ['caseLadder.rungs.SUMMONS.reviewTime']);
    expect(await h.db.select().from(campaignTemplates).where(eq(campaignTemplates.key, key))).toHaveLength(0);
  });

  it('stores a valid caseLadder with the template, and a case opened in its campaign runs on it', async () => {
    const template = { ...demoTemplate(Date.now() + 30 * DAY), key: uniq('ladder'), caseLadder: { rungs: { CIRCULAR: { reviewTime: 'P2D', reminderOffsets: ['P1D'] } } } };
    const saved = await h.call('POST', '/v1/campaign-templates', h.keys.office, template);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const [stored] = await h.db.select().from(campaignTemplates).where(eq(campaignTemplates.key, template.key));
    expect(stored!.body.caseLadder).toEqual(template.caseLadder);

    const campaignId = await campaignRow(stored!.body);
    const { departmentCode } = await seedUnits(h.db);
    const res = await h.call('POST', `/v1/campaigns/${campaignId}/supervision-findings`, h.keys.office, { team: '督导组', target: 'UNIT', unitCode: departmentCode, description: '推诿扯皮' });
    expect(res.status).toBe(201);
    await trackCases(departmentCode);
    const [row] = await casesOf(departmentCode);
    expect((row!.workflowInput as unknown as CaseWorkflowInput).ladder).toEqual(resolveCaseLadder(template.caseLadder));
    const live = await h.env!.client.workflow.getHandle(row!.workflowId).query(caseStateQuery);
    expect(Date.parse(live.reviewDueAt!) - Date.parse(live.windowOpenedAt!)).toBe(2 * DAY);
  });
});

describe('case reconciliation', () => {
  it('starts the workflow of a case row left without one, once', async () => {
    const { countyCode } = await seedUnits(h.db);
    const subject = unitSubject(countyCode, { name: `${countyCode} 县`, kind: 'COUNTY' });
    const cause: CaseCause = { kind: 'MANUAL', refId: uniq('manual'), note: '开案后进程崩溃' };
    const id = caseIdFor(subject, cause);
    const input: CaseWorkflowInput = { caseId: id, subject, cause, campaignId: null, ladder: resolveCaseLadder(), timeZone: 'Asia/Shanghai', openedBy: actorFor('office') };
    // As openOrJoinCase leaves it when the process dies between the row and the start.
    const openedAt = new Date(Date.now() - 1000);
    await h.db.insert(cases).values({
      id,
      workflowId: caseWorkflowId(id),
      subjectKind: 'UNIT',
      subjectRef: countyCode,
      subjectName: subject.name,
      scopeCounty: countyCode,
      causeKind: 'MANUAL',
      rung: 'CIRCULAR',
      status: 'OPEN',
      openedBy: input.openedBy,
      workflowInput: input as unknown as Record<string, unknown>,
      openedAt,
      updatedAt: openedAt,
    });
    h.track(caseWorkflowId(id));
    await expect(h.env!.client.workflow.getHandle(caseWorkflowId(id)).describe()).rejects.toThrow();

    const first = await reconcileCases(h.db, target(), { olderThanMs: 0 });
    expect(first.started).toBeGreaterThanOrEqual(1);
    const run = await h.env!.client.workflow.getHandle(caseWorkflowId(id)).describe();
    expect(run.status.name).toBe('RUNNING');
    await until(async () => (await h.db.select().from(cases).where(eq(cases.id, id)))[0]!, (r) => r.lastSeq > 0, 'the opening step on the ledger');
    await reconcileCases(h.db, target(), { olderThanMs: 0 });
    expect((await h.env!.client.workflow.getHandle(caseWorkflowId(id)).describe()).runId).toBe(run.runId);
  });

  it('adopts legacy review records: a case against the department, a closed hazard recorded as resolved, each record marked and not picked again', async () => {
    const enterprise = await seedEnterprise(h.db);
    const now = Date.now();
    const open = await seedHazard(h.db, enterprise, reportBody({ grade: 'MAJOR' }), now);
    const closed = await seedHazard(h.db, enterprise, reportBody({ grade: 'MAJOR' }), now);
    await h.db.update(hazards).set({ state: 'CLOSED' }).where(eq(hazards.id, closed.id));
    // Records as the hazard workflow wrote them before escalations opened cases.
    for (const hz of [open, closed]) await openReview(h.db, { hazardId: hz.id, deadlineVersion: 1, reason: '重大隐患逾期未整改', at: new Date(now).toISOString() });

    await inThePast((await h.db.select().from(accountabilityReviews).where(inArray(accountabilityReviews.hazardId, [open.id, closed.id]))).map((r) => r.createdAt));

    const result = await reconcileCases(h.db, target(), { olderThanMs: 0 });
    expect(result).toMatchObject({ failed: 0 });
    expect(result.reviews).toBeGreaterThanOrEqual(2);
    await trackCases(enterprise.departmentCode);
    const [opened, ...others] = await casesOf(enterprise.departmentCode);
    expect(others).toHaveLength(0);
    expect(opened).toMatchObject({ subjectKind: 'UNIT', causeKind: 'HAZARD_ESCALATION', scopeDepartment: enterprise.departmentCode });
    const causes = await until(() => causesOf(opened!.id), (rows) => rows.length === 2 && rows.some((c) => c.resolvedAt !== null), 'both hazards on the case, the closed one resolved');
    expect(causes.map((c) => [c.refId, c.resolvedAt !== null]).sort()).toEqual([
      [hazardCauseRef(open.id, 1), false],
      [hazardCauseRef(closed.id, 1), true],
    ].sort());
    const records = await h.db.select().from(accountabilityReviews).where(eq(accountabilityReviews.hazardId, open.id));
    expect(records.map((r) => r.status)).toEqual(['CASE_OPENED']);
    expect((await h.db.select().from(accountabilityReviews).where(eq(accountabilityReviews.hazardId, closed.id)))[0]!.status).toBe('CASE_OPENED');

    // Nothing left for these records: a second round opens nothing more.
    await reconcileCases(h.db, target(), { olderThanMs: 0 });
    expect(await casesOf(enterprise.departmentCode)).toHaveLength(1);
    expect(await causesOf(opened!.id)).toHaveLength(2);
  });

  it('opens the case of a finding against a unit whose request stopped after the finding was on the ledger', async () => {
    const campaignId = await campaignRow();
    const { departmentCode } = await seedUnits(h.db);
    const finding = await recordSupervisionFinding(h.db, { campaignId, team: '督导组', targetKind: 'UNIT', enterpriseId: null, unitCode: departmentCode, hazardId: null, description: '工作滞后', actor: actorFor('office') });
    await inThePast([finding.foundAt]);

    const result = await reconcileCases(h.db, target(), { olderThanMs: 0 });
    expect(result.findings).toBeGreaterThanOrEqual(1);
    await trackCases(departmentCode);
    const [opened] = await casesOf(departmentCode);
    expect(opened).toMatchObject({ subjectKind: 'UNIT', causeKind: 'SUPERVISION_FINDING', campaignId });
    await until(() => h.db.select().from(caseCauses).where(and(eq(caseCauses.kind, 'SUPERVISION_FINDING'), eq(caseCauses.refId, finding.id))), (rows) => rows.length === 1, 'the finding on its case');
    await reconcileCases(h.db, target(), { olderThanMs: 0 });
    expect(await casesOf(departmentCode)).toHaveLength(1);
  });
});
