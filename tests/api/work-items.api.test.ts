// The work items as tasks and the report upward, on the real app, a fresh Postgres and the shared
// Temporal dev server with a worker: a demo campaign (phases 10 minutes ahead) of county C and
// departments D1 (coal) and D2 (fire safety); D1 files a structured progress report on the items it
// leads (422 for one it does not); the prefill of June 2025 and of this month equals what is counted
// by hand from ledger rows written here as the activities write them; the summary snapshot is
// written through the repository function the activity calls, and GET /report reads it as JSON and
// zh-CN Markdown.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareSelfInspection, recordExtraInspection } from '../../db/campaign-admin.repo';
import { writeSummarySnapshot } from '../../db/campaign-report.repo';
import { duties, units } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { defaultScoringScheme } from '../../domain/scoring';
import { localDateOf } from '../../domain/time';
import { ApiHarness, eventually, type Enterprise } from '../support/api-harness';
import { reportBody, seedEnterprise, seedHazard, uniq } from '../support/fixtures';
import { hazardEventWriter } from '../support/hazard-ledger';
import { openUnitCaseOnLedger } from '../support/case-ledger';
import { sequencer } from '../support/duty-ledger';
import { expectProblem } from '../support/problem';
import { terminateCampaigns } from '../support/spot-check-campaign';

const h = new ApiHarness({ worker: true });

let id = '';
let C = '';
let D1 = '';
let D2 = '';
let e1: Enterprise;
let e2: Enterprise;
const keys = { C: '', D1: '', D2: '' };

const nextSeq = sequencer();

async function hazardOf(e: Enterprise) {
  const row = await seedHazard(h.db, e, reportBody({ campaignId: id }), Date.now());
  return { id: row.id, workflowId: row.workflowId };
}

const hazardEvent = hazardEventWriter(() => h.db, nextSeq);

const submit = (unit: string, duty: string, key: string, body: Record<string, unknown>) => h.call('POST', `/v1/campaigns/${id}/duties/${unit}/${encodeURIComponent(duty)}`, key, body);
const dutyRow = async (unit: string, key: string) => (await h.db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.holderCode, unit), eq(duties.dutyKey, key))))[0];
const prefill = (unit: string, duty: string, key: string) => h.call<Prefill>('GET', `/v1/campaigns/${id}/duties/${unit}/${encodeURIComponent(duty)}/prefill`, key);

interface Figures {
  hazardsFound: number;
  hazardsRectified: number;
  hazardsOverdue: number;
}
interface Prefill {
  from: string;
  to: string;
  ledger: Figures & Record<string, number>;
  items: { no: number; industries: string[] | null; figures: Figures | null; linked: Figures }[];
}

beforeAll(async () => {
  await h.start();
  C = uniq('county');
  D1 = uniq('coal-dept');
  D2 = uniq('fire-dept');
  await h.db.insert(units).values([
    { kind: 'COUNTY', code: C, name: '平城区', email: `${C}@county.test` },
    { kind: 'DEPARTMENT', code: D1, name: '市能源局', email: `${D1}@dept.test` },
    { kind: 'DEPARTMENT', code: D2, name: '市消防救援支队', email: `${D2}@dept.test` },
  ]);
  e1 = await seedEnterprise(h.db, { countyCode: C, departmentCode: D1, industry: 'COAL_MINE' });
  e2 = await seedEnterprise(h.db, { countyCode: C, departmentCode: D2, industry: 'FIRE_SAFETY' });
  const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('work-items') };
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.office, template)).status).toBe(201);
  const launched = await h.call<{ id: string }>('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [C], departments: [D1, D2], name: uniq('工作任务') });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  id = launched.body.id;
  keys.C = await h.key('county', C);
  keys.D1 = await h.key('department', D1);
  keys.D2 = await h.key('department', D2);
  await eventually(async () => ((await dutyRow(D1, 'progress:1')) && (await dutyRow(C, 'progress:2')) ? true : undefined), 30_000, 'the units\' progress duties');

  // The ledger of June 2025 (Asia/Shanghai: 2025-05-31T16:00Z to 2025-06-30T15:59:59.999Z).
  const hA = await hazardOf(e1); // coal, D1: found and rectified in June
  const hB = await hazardOf(e1); // coal, D1: found in June, overdue at the month's last instant
  const hC = await hazardOf(e2); // fire, D2: found the last instant of May, closed the first of July
  const hD = await hazardOf(e2); // fire, D2: found in June
  await hazardEvent(hA, 'REGISTERED', null, 'RECTIFYING', '2025-06-03T02:00:00.000Z');
  await hazardEvent(hA, 'CLOSED', 'VERIFIED', 'CLOSED', '2025-06-20T02:00:00.000Z');
  await hazardEvent(hB, 'REGISTERED', null, 'RECTIFYING', '2025-06-10T02:00:00.000Z');
  await hazardEvent(hB, 'OVERDUE', 'RECTIFYING', 'RECTIFYING', '2025-06-30T15:59:59.999Z', true);
  await hazardEvent(hC, 'REGISTERED', null, 'RECTIFYING', '2025-05-31T15:59:59.999Z');
  await hazardEvent(hC, 'CLOSED', 'VERIFIED', 'CLOSED', '2025-06-30T16:00:00.000Z');
  await hazardEvent(hD, 'REGISTERED', null, 'RECTIFYING', '2025-06-15T02:00:00.000Z');
  // Now: e1 declares its self-inspection; D1 inspects e2 beyond the sample; a case about C opens.
  await declareSelfInspection(h.db, { campaignId: id, enterpriseId: e1.id, problemsFound: 1, note: null, declaredBy: SYSTEM_ACTOR });
  await recordExtraInspection(h.db, { campaignId: id, enterpriseId: e2.id, unitCode: D1, outcome: 'PASSED', hazardIds: [], requestKey: uniq('extra'), actor: SYSTEM_ACTOR });
  await openUnitCaseOnLedger(h.db, { campaignId: id, unitCode: C, at: new Date().toISOString() });
}, 120_000);

afterAll(async () => {
  try {
    if (id) await terminateCampaigns(h, [id]);
  } finally {
    await h.close();
  }
});

describe('structured progress reports (the work items as tasks)', () => {
  it('takes a department\'s report on the items it leads, with status, figures and text per item', async () => {
    const body = { text: '本月进展', items: [{ no: 12, status: 'IN_PROGRESS', figures: { 矿山检查: 2 }, text: '深排细查' }, { no: 37, status: 'DONE' }] };
    const res = await submit(D1, 'progress:1', keys.D1, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await dutyRow(D1, 'progress:1'))!.content).toMatchObject(body);
  });

  it('refuses an item the unit does not lead (422 naming it), an unknown item, and items on a plan; records nothing', async () => {
    // D1 supervises coal mines only: item 14 (crowded places' fire risks) is led by the departments of those industries.
    const p = expectProblem(await submit(D1, 'progress:2', keys.D1, { items: [{ no: 37, status: 'DONE' }, { no: 14, status: 'DONE' }] }), 422, 'VALIDATION_FAILED', ['items[1].no']);
    expect(p.errors?.[0]?.reason).toContain(`${D1} does not lead item 14`);
    // A county does not lead item 12 (mines), nor item 2 (no unit does).
    expectProblem(await submit(C, 'progress:2', keys.C, { items: [{ no: 12, status: 'DONE' }, { no: 2, status: 'DONE' }] }), 422, 'VALIDATION_FAILED', ['items[0].no', 'items[1].no']);
    expectProblem(await submit(C, 'progress:2', keys.C, { items: [{ no: 49, status: 'DONE' }] }), 422, 'VALIDATION_FAILED', ['items[0].no']);
    expectProblem(await submit(C, 'plan', keys.C, { items: [{ no: 8, status: 'DONE' }] }), 422, 'VALIDATION_FAILED', ['items']);
    expectProblem(await submit(C, 'progress:2', keys.C, { items: [{ no: 8, status: 'FINISHED' }] }), 400, 'VALIDATION_FAILED');
    expect((await dutyRow(D1, 'progress:2'))!.state).toBe('PENDING');
    expect((await dutyRow(C, 'progress:2'))!.state).toBe('PENDING');
    expect((await dutyRow(C, 'plan'))!.state).toBe('PENDING');
    // The county's own item goes in.
    expect((await submit(C, 'progress:2', keys.C, { items: [{ no: 8, status: 'DONE', text: '督导检查方案已印发' }] })).status).toBe(200);
  });
});

describe('the prefill from the ledger', () => {
  it('counts June 2025 as by hand: found, rectified, overdue in the unit\'s scope, per item by its industries', async () => {
    const county = await prefill(C, 'progress:2025-06', keys.C);
    expect(county.status, JSON.stringify(county.body)).toBe(200);
    expect(county.body).toMatchObject({ from: '2025-05-31T16:00:00.000Z', to: '2025-06-30T15:59:59.999Z' });
    // C: hA, hB, hD found (hC the last instant of May); hA closed (hC the first of July); hB overdue. e1 declared only now.
    expect(county.body.ledger).toEqual({ hazardsFound: 3, hazardsRectified: 1, hazardsOverdue: 1, rosterEnterprises: 2, selfInspected: 0 });
    expect(county.body.items.map((i) => i.no)).toEqual([1, 4, 5, 6, 7, 8, 9, 13, 19, 20, 41, 42, 43, 44]);
    expect(county.body.items.every((i) => i.figures === null)).toBe(true);

    const coal = await prefill(D1, 'progress:2025-06', keys.D1);
    expect(coal.body.ledger).toEqual({ hazardsFound: 2, hazardsRectified: 1, hazardsOverdue: 1, drawnInspections: 0, extraInspections: 0 });
    expect(coal.body.items.find((i) => i.no === 12)).toMatchObject({ industries: ['COAL_MINE'], figures: { hazardsFound: 2, hazardsRectified: 1, hazardsOverdue: 1 } });
    expect(coal.body.items.find((i) => i.no === 37)).toMatchObject({ industries: null, figures: null });
    expect(coal.body.items.some((i) => i.no === 14)).toBe(false);

    const fire = await prefill(D2, 'progress:2025-06', keys.D2);
    expect(fire.body.ledger).toMatchObject({ hazardsFound: 1, hazardsRectified: 0, hazardsOverdue: 0 });
    expect(fire.body.items.find((i) => i.no === 14)).toMatchObject({ industries: ['FIRE_SAFETY'], figures: { hazardsFound: 1, hazardsRectified: 0, hazardsOverdue: 0 } });
  });

  it('counts this month: the self-inspection declared and the inspection beyond the sample', async () => {
    const month = localDateOf(Date.now(), 'Asia/Shanghai').slice(0, 7);
    expect((await prefill(C, `progress:${month}`, keys.C)).body.ledger).toEqual({ hazardsFound: 0, hazardsRectified: 0, hazardsOverdue: 0, rosterEnterprises: 2, selfInspected: 1 });
    expect((await prefill(D1, `progress:${month}`, keys.D1)).body.ledger).toEqual({ hazardsFound: 0, hazardsRectified: 0, hazardsOverdue: 0, drawnInspections: 0, extraInspections: 1 });
  });

  it('reads a report window off the ledger for progress:N; 404 for another unit\'s, 422 for a duty that is not a progress report', async () => {
    const row = (await dutyRow(C, 'progress:1'))!;
    const res = await prefill(C, 'progress:1', keys.C);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ from: row.opensAt.toISOString(), to: row.dueAt.toISOString() });
    expectProblem(await prefill(D1, 'progress:2025-06', keys.C), 404, 'NOT_FOUND');
    expectProblem(await prefill(C, 'plan', keys.C), 422, 'VALIDATION_FAILED', ['params.dutyKey']);
    // A month in a year the calendar cannot read is no window (it would have been a 500).
    expectProblem(await prefill(C, 'progress:0000-01', keys.C), 422, 'VALIDATION_FAILED', ['params.dutyKey']);
  });
});

describe('GET /v1/campaigns/{id}/report (the report upward)', () => {
  it('is 404 until the summary is frozen', async () => {
    expectProblem(await h.call('GET', `/v1/campaigns/${id}/report`, h.keys.office), 404, 'NOT_FOUND');
  });

  it('has the frozen figures, the ranking at the summary instant, the cases; as JSON and as zh-CN Markdown', async () => {
    const at = new Date(Date.now() - 1000);
    await writeSummarySnapshot(h.db, id, at, defaultScoringScheme());
    const res = await h.call<Record<string, unknown> & { hazards: Record<string, unknown>; ranking: { COUNTY: unknown[]; DEPARTMENT: unknown[] } }>('GET', `/v1/campaigns/${id}/report`, h.keys.office);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ campaignId: id, takenAt: at.toISOString(), recipients: ['中共大同市委', '大同市人民政府', '山西省安全生产委员会办公室'], cases: { total: 1, byStatus: { OPEN: 1 } }, orders: { total: 0 } });
    // Four hazards: hA and hC closed.
    expect(res.body.hazards).toMatchObject({
      total: 4,
      rectified: 2,
      rectificationRate: 0.5,
      byCounty: [{ key: C, nameZh: '平城区', total: 4, rectified: 2, open: 2, overdue: 1 }],
      byIndustry: [
        { key: 'COAL_MINE', nameZh: '煤矿', total: 2, rectified: 1, overdue: 1 },
        { key: 'FIRE_SAFETY', nameZh: '消防安全', total: 2, rectified: 1, overdue: 0 },
      ],
    });
    const ranked = await h.call<{ units: { unitCode: string; total: number; rank: number }[] }>('GET', `/v1/campaigns/${id}/ranking?at=${at.toISOString()}&kind=DEPARTMENT`, h.keys.office);
    expect(res.body.ranking.DEPARTMENT).toEqual(ranked.body.units.map((u) => ({ unitCode: u.unitCode, nameZh: u.unitCode === D1 ? '市能源局' : '市消防救援支队', total: u.total, rank: u.rank })));
    expect(res.body.ranking.COUNTY).toHaveLength(1);

    for (const ask of [{ url: `/v1/campaigns/${id}/report`, headers: { accept: 'text/markdown' } }, { url: `/v1/campaigns/${id}/report?format=md`, headers: {} }]) {
      const md = await h.app.inject({ method: 'GET', url: ask.url, headers: { authorization: `Bearer ${h.keys.office}`, ...ask.headers } });
      expect(md.statusCode).toBe(200);
      expect(md.headers['content-type']).toMatch(/^text\/markdown/);
      expect(md.body).toContain('共排查隐患 4 项，已整改 2 项，整改率 50.0%；未整改 2 项，其中逾期 1 项。');
      expect(md.body).toContain('| 平城区 | 4 | 2 | 2 | 1 | 50.0% |');
      expect(md.body).toContain('| 煤矿 | 2 | 1 | 1 | 1 | 50.0% |');
      expect(md.body).toContain('立案追责 1 件（办理中 1 件）。');
    }
    // JSON weighed above Markdown: JSON.
    const json = await h.app.inject({ method: 'GET', url: `/v1/campaigns/${id}/report`, headers: { authorization: `Bearer ${h.keys.office}`, accept: 'application/json, text/markdown;q=0.5' } });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json()).toEqual(res.body);
    // The OpenAPI document says so, for the typed client and for schemathesis.
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, unknown> }> } }> };
    expect(Object.keys(doc.paths['/v1/campaigns/{id}/report']!.get.responses['200']!.content).sort()).toEqual(['application/json', 'text/markdown']);
  });
});

describe('hazards linked to a work item', () => {
  interface HazardView {
    id: string;
    campaignId: string | null;
    workItem: number | null;
  }
  const report = (key: string, body: object) => h.call<HazardView>('POST', '/v1/hazards', key, body);
  const link = (hazardId: string, key: string, workItem: number | null) => h.call<HazardView>('PUT', `/v1/hazards/${hazardId}/work-item`, key, { workItem });
  let coal: HazardView;

  it('a report may name the item (one of its campaign plan\'s); another number, or a hazard in no campaign, is 422 and registers nothing', async () => {
    const res = await report(keys.C, { ...reportBody({ enterpriseId: e1.id }), workItem: 3 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    coal = res.body;
    expect(coal).toMatchObject({ campaignId: id, workItem: 3 });
    h.track(`hazard:${coal.id}`);
    const before = await h.call<{ items: unknown[] }>('GET', `/v1/hazards?enterpriseId=${e1.id}&limit=100`, h.keys.office);
    expectProblem(await report(keys.C, { ...reportBody({ enterpriseId: e1.id }), workItem: 999 }), 422, 'VALIDATION_FAILED', ['workItem']);
    // Enterprise A's county runs no campaign: its hazard has no plan to name an item of.
    expectProblem(await report(h.keys.office, { ...reportBody({ enterpriseId: h.entA.id }), workItem: 3 }), 422, 'VALIDATION_FAILED', ['workItem']);
    const after = await h.call<{ items: unknown[] }>('GET', `/v1/hazards?enterpriseId=${e1.id}&limit=100`, h.keys.office);
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('the office or the unit in scope links a hazard afterwards (audited) or unlinks it; others are refused', async () => {
    const fire = (await report(keys.C, reportBody({ enterpriseId: e2.id }))).body;
    h.track(`hazard:${fire.id}`);
    expect(fire.workItem).toBeNull();
    expect((await link(fire.id, keys.D2, 14)).body).toMatchObject({ id: fire.id, workItem: 14 });
    expectProblem(await link(fire.id, keys.D1, 15), 404, 'NOT_FOUND');
    expectProblem(await link(fire.id, await h.key('enterprise', e2.id), 15), 403, 'FORBIDDEN');
    expectProblem(await link(fire.id, h.keys.office, 999), 422, 'VALIDATION_FAILED', ['workItem']);
    expect((await h.call<{ hazard: HazardView }>('GET', `/v1/hazards/${fire.id}`, h.keys.office)).body.hazard.workItem).toBe(14);
    expect((await link(fire.id, h.keys.office, null)).body.workItem).toBeNull();
    // On the audit log the office reads (newest first).
    const audit = await h.call<{ items: { action: string; data: unknown; actor: { role: string } }[] }>('GET', `/v1/audit-log?subjectKind=hazard&subjectId=${fire.id}`, h.keys.office);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((a) => [a.action, a.data, a.actor.role])).toEqual([
      ['hazard.work_item_linked', { from: 14, to: null }, 'office'],
      ['hazard.work_item_linked', { from: null, to: 14 }, 'department'],
    ]);
    // And on the hazard's ordered record.
    const record = await h.call<{ items: { stream: string; type: string; data: Record<string, unknown> }[] }>('GET', `/v1/hazards/${fire.id}/record`, h.keys.office);
    expect(record.body.items.filter((x) => x.stream === 'audit').map((x) => [x.type, x.data])).toEqual([
      ['hazard.work_item_linked', { from: null, to: 14 }],
      ['hazard.work_item_linked', { from: 14, to: null }],
    ]);
  });

  it('the list filters by item, and the progress report counts the hazards linked to each item it leads', async () => {
    const listed = await h.call<{ items: HazardView[] }>('GET', `/v1/hazards?campaignId=${id}&workItem=3`, h.keys.office);
    expect(listed.body.items.map((x) => x.id)).toEqual([coal.id]);
    const month = localDateOf(Date.now(), 'Asia/Shanghai').slice(0, 7);
    const item3 = await eventually(async () => {
      const item = (await prefill(D1, `progress:${month}`, keys.D1)).body.items.find((i) => i.no === 3);
      return item && item.linked.hazardsFound === 1 ? item : undefined;
    }, 30_000, 'the linked hazard registered in this month');
    expect(item3.linked).toEqual({ hazardsFound: 1, hazardsRectified: 0, hazardsOverdue: 0 });
    // Item 10 (every industry in scope) has no hazard linked to it.
    expect((await prefill(D1, `progress:${month}`, keys.D1)).body.items.find((i) => i.no === 10)!.linked).toEqual({ hazardsFound: 0, hazardsRectified: 0, hazardsOverdue: 0 });
  });
});
