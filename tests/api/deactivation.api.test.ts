// Deactivating enterprises (closed 关闭, merged 合并, …) on the real app, a fresh Postgres
// database, the shared Temporal dev server and a real worker: only the office does it, with a
// reason and a date; the enterprise keeps its history, shows as inactive, leaves future draws and
// duties and takes no new hazards or declarations; a campaign launched before keeps its frozen
// roster. Nothing is mocked.
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, duties, enterprises } from '../../db/schema';
import { localDateOf } from '../../domain/time';
import { ApiHarness, eventually, type Enterprise, type Json } from '../support/api-harness';
import { reportBody, seedEnterprise, seedUnits, uniq } from '../support/fixtures';
import { expectProblem } from '../support/problem';
import { drawOf, drawSoonTemplate, terminateCampaigns } from '../support/spot-check-campaign';

const h = new ApiHarness({ worker: true });
const TZ = 'Asia/Shanghai';

/** A campaign that draws every county-supervised plant, over: */
interface Setup {
  campaignId: string;
  county: string;
  department: string;
  /** Closed before the launch: not in the frozen roster. */
  closedBefore: Enterprise;
  /** Merged away after the launch, before the draw: in the frozen roster, drawn, owed no inspection. */
  mergedAfter: Enterprise;
  /** Active at the draw: inspected. */
  active: Enterprise[];
}
let s: Setup;

const deactivate = (id: string, key: string, body: unknown = { kind: 'CLOSED', reason: '依法关闭', deactivatedOn: '2024-01-10' }) => h.call('POST', `/v1/enterprises/${id}/deactivation`, key, body);
const reactivate = (id: string, key: string, reason = '误操作，恢复') => h.call('POST', `/v1/enterprises/${id}/reactivation`, key, { reason });
const rowOf = async (id: string) => (await h.db.select().from(enterprises).where(eq(enterprises.id, id)))[0]!;
const auditOf = (id: string) => h.db.select().from(auditLog).where(and(eq(auditLog.subjectKind, 'enterprise'), eq(auditLog.subjectId, id)));
const inspectionDuties = (campaignId: string) => h.db.select().from(duties).where(and(eq(duties.campaignId, campaignId), eq(duties.kind, 'INSPECTION')));

beforeAll(async () => {
  await h.start();
  const { countyCode: county, departmentCode: department } = await seedUnits(h.db);
  const plant = () => seedEnterprise(h.db, { countyCode: county, departmentCode: department });
  const closedBefore = await plant();
  const mergedAfter = await plant();
  const active = [await plant(), await plant()];
  expect((await deactivate(closedBefore.id, h.keys.office)).status).toBe(200);
  const template = drawSoonTemplate(1);
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
  const launched = await h.call('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [county], departments: [department] });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  const merged = await deactivate(mergedAfter.id, h.keys.admin, { kind: 'MERGED', reason: '并入大同煤化集团', deactivatedOn: localDateOf(Date.now(), TZ) });
  expect(merged.status, JSON.stringify(merged.body)).toBe(200);
  s = { campaignId: launched.body.id, county, department, closedBefore, mergedAfter, active };
});

afterAll(async () => {
  try {
    if (s) await terminateCampaigns(h, [s.campaignId]);
  } finally {
    await h.close();
  }
});

describe('deactivating an enterprise', () => {
  it('is refused to every role but the office and admin (403), and changes nothing', async () => {
    const e = await seedEnterprise(h.db);
    const keys = [await h.key('department', e.departmentCode), await h.key('county', e.countyCode), await h.key('enterprise', e.id), await h.key('reviewer', e.countyCode), h.keys.reviewerCity];
    for (const key of keys) {
      expectProblem(await deactivate(e.id, key), 403, 'FORBIDDEN');
      expectProblem(await reactivate(e.id, key), 403, 'FORBIDDEN');
    }
    expect((await rowOf(e.id)).deactivatedAt).toBeNull();
    expect(await auditOf(e.id)).toEqual([]);
  });

  it('answers 404 for an enterprise that does not exist', async () => {
    expectProblem(await deactivate('00000000-0000-4000-8000-000000000000', h.keys.office), 404, 'NOT_FOUND');
    expectProblem(await reactivate('00000000-0000-4000-8000-000000000000', h.keys.office), 404, 'NOT_FOUND');
  });

  it('refuses a bad body naming the field (400/422), and changes nothing', async () => {
    const e = await seedEnterprise(h.db);
    const ok = { kind: 'CLOSED', reason: '依法关闭', deactivatedOn: '2024-01-10' };
    expectProblem(await deactivate(e.id, h.keys.office, { kind: ok.kind, deactivatedOn: ok.deactivatedOn }), 400, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await deactivate(e.id, h.keys.office, { ...ok, reason: '' }), 400, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await deactivate(e.id, h.keys.office, { ...ok, kind: 'BANKRUPT' }), 400, 'VALIDATION_FAILED', ['kind']);
    expectProblem(await deactivate(e.id, h.keys.office, { ...ok, deactivatedOn: '2024-02-30' }), 400, 'VALIDATION_FAILED', ['deactivatedOn']);
    expectProblem(await deactivate(e.id, h.keys.office, { ...ok, deactivatedOn: '10/01/2024' }), 400, 'VALIDATION_FAILED', ['deactivatedOn']);
    expectProblem(await deactivate(e.id, h.keys.office, { ...ok, mergedInto: e.id }), 400, 'VALIDATION_FAILED', ['mergedInto']);
    const tomorrow = localDateOf(Date.now() + 2 * 86_400_000, TZ);
    expectProblem(await deactivate(e.id, h.keys.office, { ...ok, deactivatedOn: tomorrow }), 422, 'VALIDATION_FAILED', ['deactivatedOn']);
    expect((await rowOf(e.id)).deactivatedAt).toBeNull();
    expect(await auditOf(e.id)).toEqual([]);
  });

  it('keeps the enterprise with its history, shows it inactive, lists it by the filter, and records who did it', async () => {
    const e = await seedEnterprise(h.db);
    const entKey = await h.key('enterprise', e.id);
    const before = await h.call('POST', '/v1/hazards', entKey, reportBody({ description: uniq('关闭前的隐患') }));
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    h.track(before.body.workflowId);

    const res = await deactivate(e.id, h.keys.office, { kind: 'CLOSED', reason: '依法关闭', deactivatedOn: '2024-01-10' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: e.id, active: false, deactivation: { kind: 'CLOSED', reason: '依法关闭', deactivatedOn: '2024-01-10', recordedAt: expect.any(String) } });
    // Its own key and its regulators still read it and its history.
    for (const key of [entKey, await h.key('county', e.countyCode)]) {
      const view = await h.call('GET', `/v1/enterprises/${e.id}`, key);
      expect(view.body).toMatchObject({ active: false, deactivation: { kind: 'CLOSED' } });
    }
    expect((await h.call('GET', `/v1/hazards/${before.body.id}`, entKey)).status).toBe(200);
    expect((await h.call('GET', `/v1/enterprises/${e.id}/record`, entKey)).status).toBe(200);
    const list = async (q: string) => ((await h.call('GET', `/v1/enterprises?county=${e.countyCode}&${q}`, h.keys.office)).body.items as Json[]).map((x) => x.id);
    expect(await list('active=false')).toEqual([e.id]);
    expect(await list('active=true')).toEqual([]);
    expect(await list('limit=50')).toEqual([e.id]);
    const audit = await auditOf(e.id);
    expect(audit.map((a) => a.action)).toEqual(['enterprise.deactivated']);
    expect(audit[0]).toMatchObject({ actor: { role: 'office' }, data: { kind: 'CLOSED', reason: '依法关闭', on: '2024-01-10' } });
    // Once is enough: a second deactivation is a conflict.
    expectProblem(await deactivate(e.id, h.keys.office, { kind: 'MERGED', reason: '再次', deactivatedOn: '2024-01-11' }), 409, 'CONFLICT', ['id']);
  });

  it('refuses new hazards and self-inspection declarations for it (409 naming the enterprise), and takes them again once reactivated', async () => {
    const e = await seedEnterprise(h.db, { countyCode: s.county, departmentCode: s.department });
    const entKey = await h.key('enterprise', e.id);
    const departmentKey = await h.key('department', s.department);
    expect((await deactivate(e.id, h.keys.office)).status).toBe(200);
    const hazardsBefore = await h.hazardCount();
    expectProblem(await h.call('POST', '/v1/hazards', entKey, reportBody()), 409, 'CONFLICT', ['enterpriseId']);
    expectProblem(await h.call('POST', '/v1/hazards', departmentKey, reportBody({ enterpriseId: e.id })), 409, 'CONFLICT', ['enterpriseId']);
    expectProblem(await h.call('POST', `/v1/campaigns/${s.campaignId}/self-inspections`, entKey, { problemsFound: 0 }), 409, 'CONFLICT', ['enterpriseId']);
    const finding = { team: '第一督导组', target: 'ENTERPRISE', enterpriseId: e.id, description: '消防通道堵塞', hazard: reportBody() };
    expectProblem(await h.call('POST', `/v1/campaigns/${s.campaignId}/supervision-findings`, departmentKey, finding), 409, 'CONFLICT', ['enterpriseId']);
    expect(await h.hazardCount()).toBe(hazardsBefore);

    expectProblem(await reactivate(s.active[0]!.id, h.keys.office), 409, 'CONFLICT', ['id']);
    const back = await reactivate(e.id, h.keys.office, '关闭决定已撤销');
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ active: true, deactivation: null });
    expect((await auditOf(e.id)).map((a) => a.action).sort()).toEqual(['enterprise.deactivated', 'enterprise.reactivated']);
    // Both are on the enterprise's ordered record, which its own key reads too.
    const record = await h.call<{ items: { stream: string; type: string; data: Record<string, unknown>; actor: { role: string } | null }[] }>('GET', `/v1/enterprises/${e.id}/record`, entKey);
    expect(record.body.items.filter((x) => x.stream === 'audit').map((x) => [x.type, x.actor?.role, x.data.reason])).toEqual([
      ['enterprise.deactivated', 'office', '依法关闭'],
      ['enterprise.reactivated', 'office', '关闭决定已撤销'],
    ]);
    const declared = await h.call('POST', `/v1/campaigns/${s.campaignId}/self-inspections`, entKey, { problemsFound: 0 });
    expect(declared.status, JSON.stringify(declared.body)).toBe(200);
  });
});

describe('a deactivated enterprise and the spot-check draw', () => {
  it('is not in a roster frozen after its deactivation, so it is not drawn and owes no inspection', async () => {
    const draw = await drawOf(h, s.campaignId);
    const drawn = (draw.strata as { drawn: string[] }[]).flatMap((x) => x.drawn);
    expect(drawn).not.toContain(s.closedBefore.id);
    expect(draw.rosterSize).toBe(3);
    expect(draw.inspections.map((i: Json) => i.enterpriseId)).not.toContain(s.closedBefore.id);
  });

  it('deactivated after the launch stays in the frozen roster and is drawn, but owes no inspection; the others are inspected', async () => {
    const draw = await drawOf(h, s.campaignId);
    const drawn = (draw.strata as { drawn: string[] }[]).flatMap((x) => x.drawn).sort();
    expect(drawn).toEqual([s.mergedAfter.id, ...s.active.map((e) => e.id)].sort());
    // The verification holds: deactivating changed nothing in the draw.
    expect((await h.call('GET', `/v1/campaigns/${s.campaignId}/spot-check/verification`, h.keys.office)).body).toMatchObject({ matches: true, rosterFrozen: true });
    const rows = await eventually(async () => {
      const r = await inspectionDuties(s.campaignId);
      return s.active.every((e) => r.some((d) => d.subjectEnterpriseId === e.id)) ? r : undefined;
    }, 30_000, 'the inspections of the active plants');
    expect(rows.map((d) => d.subjectEnterpriseId).sort()).toEqual(s.active.map((e) => e.id).sort());
    // Its inspection workflow was never started.
    await expect(h.env!.client.workflow.getHandle(`inspection:${s.campaignId}:${s.mergedAfter.id}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const shown = (await h.call('GET', `/v1/campaigns/${s.campaignId}/spot-check`, h.keys.office)).body.inspections as Json[];
    expect(shown.find((i) => i.enterpriseId === s.mergedAfter.id)).toMatchObject({ state: 'NOT_STARTED', active: false });
    expect(shown.filter((i) => i.state === 'PENDING').map((i) => i.enterpriseId).sort()).toEqual(s.active.map((e) => e.id).sort());
  });

  it('deactivated once its inspection is owed: the inspection stays, recorded as PASSED; findings cannot become its hazards (409)', async () => {
    await drawOf(h, s.campaignId);
    const target = s.active[1]!;
    await eventually(async () => ((await inspectionDuties(s.campaignId)).some((d) => d.subjectEnterpriseId === target.id) ? true : undefined), 30_000, 'its inspection');
    expect((await deactivate(target.id, h.keys.office, { kind: 'CLOSED', reason: '已停产关闭', deactivatedOn: localDateOf(Date.now(), TZ) })).status).toBe(200);
    const departmentKey = await h.key('department', s.department);
    const inspect = (body: unknown) => h.call('POST', `/v1/campaigns/${s.campaignId}/inspections/${target.id}`, departmentKey, body);
    expectProblem(await inspect({ outcome: 'FINDINGS', findings: [reportBody()] }), 409, 'CONFLICT', ['findings']);
    const passed = await inspect({ outcome: 'PASSED', note: '现场核实：已关闭' });
    expect(passed.status, JSON.stringify(passed.body)).toBe(200);
    expect(passed.body.state).toBe('SUBMITTED');
  });
});
