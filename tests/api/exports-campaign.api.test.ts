// A campaign's exports as .xlsx: the units' duties and a month's circular open, and their rows are
// the rows of the JSON answers (GET /v1/campaigns/{id}'s duties.units, the circular's figures), to
// the keys that may read those, and to no other (404 outside the campaign, 403 for other roles; a
// draft circular does not exist for a county). Real app, fresh Postgres, the shared Temporal dev
// server; the campaign is put on the ledger without its workflow and its duties written the way the
// obligation activities write them, in the current month.
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertCampaign } from '../../db/campaign-admin.repo';
import type { CircularFigures } from '../../domain/circular';
import { demoTemplate } from '../../domain/campaign';
import { ApiHarness } from '../support/api-harness';
import { actorFor, seedUnits, uniq } from '../support/fixtures';
import { dutyEventWriter, sequencer, type DutyRef } from '../support/duty-ledger';
import { expectProblem } from '../support/problem';
import { shanghaiDate } from '../support/shanghai';

const h = ApiHarness.forFile({ worker: false });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let campaignId = '';
let c1 = '';
let c2 = '';
let d1 = '';
let d2 = '';
const now = Date.now();
const month = shanghaiDate(now).slice(0, 7);
const dutyEvent = dutyEventWriter(() => h.db, sequencer(), { campaignId: () => campaignId, opensAt: () => now - 3_600_000, obligationId: (campaign, d) => `exports-test:${campaign}:${d.holder}` });

/** Every sheet of the download, by name: its rows' values. */
async function workbook(url: string, key: string): Promise<Map<string, unknown[][]>> {
  const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheets = new Map<string, unknown[][]>();
  for (const ws of wb.worksheets) {
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => v ?? null)));
    // A trailing empty cell is not written: pad to the header's width.
    sheets.set(ws.name, rows.map((r) => [...r, ...Array<null>(Math.max(0, (rows[0]?.length ?? 0) - r.length)).fill(null)]));
  }
  return sheets;
}

beforeAll(async () => {
  ({ countyCode: c1, departmentCode: d1 } = await seedUnits(h.db));
  ({ countyCode: c2, departmentCode: d2 } = await seedUnits(h.db));
  campaignId = randomUUID();
  const template = { ...demoTemplate(now + 10 * 60_000), key: uniq('exports') };
  await insertCampaign(
    h.db,
    { id: campaignId, name: uniq('导出'), template, workflowId: `campaign:${campaignId}`, spotCheckSeed: 'seed', launchedBy: actorFor('office'), idempotencyKey: campaignId },
    [
      { unitCode: c1, kind: 'COUNTY' },
      { unitCode: c2, kind: 'COUNTY' },
      { unitCode: d1, kind: 'DEPARTMENT' },
      { unitCode: d2, kind: 'DEPARTMENT' },
    ],
  );
  // C1's plan filed on time, C2's missed, D1's filed late, D2's progress report pending; an enterprise's self-inspection duty is not a unit's.
  const plan = (holder: string): DutyRef => ({ holder, key: 'plan', kind: 'IMPLEMENTATION_PLAN', dueAt: now - 60_000 });
  const progress: DutyRef = { holder: d2, key: 'progress:1', kind: 'PROGRESS_REPORT', dueAt: now + 86_400_000 };
  const self: DutyRef = { holder: d1, key: 'self-inspection:x', kind: 'SELF_INSPECTION', dueAt: now + 86_400_000, subject: randomUUID() };
  for (const d of [plan(c1), plan(c2), plan(d1), progress, self]) await dutyEvent(d, 'DUTY_ASSIGNED', now - 3_000_000);
  await dutyEvent(plan(c1), 'DUTY_SUBMITTED', now - 2_000_000);
  await dutyEvent(plan(c2), 'DUTY_MISSED', now - 30_000);
  await dutyEvent(plan(d1), 'DUTY_SUBMITTED_LATE', now - 20_000);
});

describe("the units' duties as .xlsx", () => {
  type Duty = { dutyKey: string; kind: string; label: string; dueAt: string; state: string; late: boolean };
  const fromJson = (units: Record<string, Duty[]>) => Object.entries(units).flatMap(([unit, ds]) => ds.map((d) => [unit, d.dutyKey, d.kind, d.label, d.dueAt, d.state, d.late]));
  const fromSheet = (r: unknown[]) => [r[0], r[3], r[4], r[5], r[6], r[7], r[8]];
  const url = () => `/v1/campaigns/${campaignId}/duties/export.xlsx`;

  it('opens, and its rows are the duties GET /v1/campaigns/{id} lists, with when each was filed', async () => {
    const status = await h.call<{ duties: { units: Record<string, Duty[]> } }>('GET', `/v1/campaigns/${campaignId}`, h.keys.office);
    expect(status.status).toBe(200);
    const sheet = (await workbook(url(), h.keys.office)).get('单位任务')!;
    expect(sheet[0]).toEqual(['单位代码', '单位名称', '单位类型', '任务编号', '任务类型', '任务名称', '截止时间', '状态', '逾期报送', '报送时间', '认定未报时间']);
    expect(sheet.slice(1).map(fromSheet)).toEqual(fromJson(status.body.duties.units));
    expect(sheet.length - 1).toBe(4);
    const byUnit = new Map(sheet.slice(1).map((r) => [r[0], r]));
    expect(byUnit.get(c1)!.slice(1, 3)).toEqual([`${c1} 县`, 'COUNTY']);
    expect(byUnit.get(c1)![9]).toBe(new Date(now - 2_000_000).toISOString());
    expect(byUnit.get(d1)!.slice(7, 10)).toEqual(['SUBMITTED', true, new Date(now - 20_000).toISOString()]);
    expect(byUnit.get(c2)!.slice(7, 9)).toEqual(['MISSED', false]);
  });

  it('answers a county taking part as the JSON does; 404 to a county outside the campaign, 403 to an enterprise', async () => {
    const county = await h.key('county', c1);
    const status = await h.call<{ duties: { units: Record<string, Duty[]> } }>('GET', `/v1/campaigns/${campaignId}`, county);
    expect((await workbook(url(), county)).get('单位任务')!.slice(1).map(fromSheet)).toEqual(fromJson(status.body.duties.units));
    expectProblem(await h.call('GET', url(), h.keys.county), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', url(), h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await h.call('GET', `/v1/campaigns/${randomUUID()}/duties/export.xlsx`, h.keys.office), 404, 'NOT_FOUND');
  });
});

describe('a circular as .xlsx', () => {
  const url = () => `/v1/campaigns/${campaignId}/circulars/${month}/export.xlsx`;

  it("opens, and its sheets hold the circular's figures; a draft only for the office and reviewers, the published one for a county taking part", async () => {
    const draft = await h.call<{ figures: CircularFigures; contentSha256: string }>('POST', `/v1/campaigns/${campaignId}/circulars`, h.keys.office, { month });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const f = draft.body.figures;
    expect(f.missedDuties.map((d) => d.unitCode)).toEqual([c2]);

    const sheets = await workbook(url(), h.keys.office);
    expect([...sheets.keys()]).toEqual(['通报信息', '打分排队', '隐患情况', '未按时报送', '重大隐患逾期企业', '督导发现', '企业自查', '检查覆盖']);
    expect(sheets.get('通报信息')!.slice(1)).toEqual(expect.arrayContaining([['月份', month], ['状态', 'DRAFT'], ['统计时点', f.asOf], ['内容SHA-256', draft.body.contentSha256]]));
    expect(sheets.get('打分排队')!.slice(1)).toEqual([...f.counties.map((r) => ['县区', r.rank, r.unitCode, r.unitName, r.total]), ...f.departments.map((r) => ['市直部门', r.rank, r.unitCode, r.unitName, r.total])]);
    expect(sheets.get('打分排队')!.length - 1).toBe(4);
    expect(sheets.get('隐患情况')!.slice(1)).toEqual([[f.hazards.foundInMonth, f.hazards.closedInMonth, f.hazards.openAtEnd, f.hazards.overdueAtEnd]]);
    expect(sheets.get('未按时报送')!.slice(1)).toEqual(f.missedDuties.map((d) => [d.unitCode, d.unitName, d.kind, d.label, d.dueAt, d.missedAt]));
    expect(sheets.get('重大隐患逾期企业')!.slice(1)).toEqual(f.overdueMajorHazards.map((e) => [e.enterpriseId, e.enterpriseName, e.countyCode, e.countyName, e.overdueMajorHazards]));
    expect(sheets.get('督导发现')!.slice(1)).toEqual(f.findings.map((x) => [x.kind, x.at, x.team, x.subjectName, x.description]));
    const s = f.coverage.selfInspection;
    expect(sheets.get('企业自查')!.slice(1)).toEqual([[s.due, s.filed, s.filedLate, s.missed]]);
    expect(sheets.get('检查覆盖')!.slice(1)).toEqual([...f.coverage.byCounty.map((r) => ['县区', r.unitCode, r.unitName, r.required, r.covered]), ...f.coverage.byDepartment.map((r) => ['市直部门', r.unitCode, r.unitName, r.required, r.covered])]);

    // A draft does not exist for a county; once published it reads it, the same figures.
    const county = await h.key('county', c1);
    expectProblem(await h.call('GET', url(), county), 404, 'NOT_FOUND');
    const published = await h.call<{ mail: { workflowId: string } }>('POST', `/v1/campaigns/${campaignId}/circulars/${month}/publish`, h.keys.office);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    h.track(published.body.mail.workflowId);
    const seen = await workbook(url(), county);
    expect(seen.get('通报信息')!.slice(1)).toEqual(expect.arrayContaining([['状态', 'PUBLISHED'], ['内容SHA-256', draft.body.contentSha256]]));
    expect(seen.get('打分排队')).toEqual(sheets.get('打分排队'));
    expectProblem(await h.call('GET', url(), h.keys.county), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', url(), h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await h.call('GET', `/v1/campaigns/${campaignId}/circulars/2001-01/export.xlsx`, h.keys.office), 404, 'NOT_FOUND');
  });
});
