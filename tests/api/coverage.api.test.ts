// Self-inspection filing, inspections beyond the sample and full coverage (全覆盖、无遗漏), on the
// real app, a fresh Postgres database, the shared Temporal dev server and a real worker. The
// coverage the status shows is checked against what the test counts by hand from the ledger.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignRosters, duties, extraInspections, hazards } from '../../db/schema';
import { ApiHarness, eventually, type Enterprise, type Json } from '../support/api-harness';
import { reportBody, seedEnterprise, seedUnits } from '../support/fixtures';
import { expectProblem } from '../support/problem';
import { drawSoonTemplate, terminateCampaigns } from '../support/spot-check-campaign';

const h = new ApiHarness({ worker: true });

interface Setup {
  id: string;
  countyA: string;
  countyB: string;
  department: string;
  /** County A: two county-supervised plants and one under the city's key supervision. */
  a: [Enterprise, Enterprise, Enterprise];
  /** County B: two county-supervised plants. */
  b: [Enterprise, Enterprise];
  /** Registered after the launch: not on the roster. */
  latecomer: Enterprise;
  keys: { countyA: string; countyB: string; department: string; a0: string };
}
let s: Setup;

beforeAll(async () => {
  await h.start();
  const { countyCode: countyA, departmentCode: department } = await seedUnits(h.db);
  const { countyCode: countyB } = await seedUnits(h.db);
  const plant = (countyCode: string, supervisionLevel: 'CITY' | 'COUNTY' = 'COUNTY') => seedEnterprise(h.db, { countyCode, departmentCode: department, supervisionLevel });
  const a = [await plant(countyA), await plant(countyA), await plant(countyA, 'CITY')] as Setup['a'];
  const b = [await plant(countyB), await plant(countyB)] as Setup['b'];
  const template = drawSoonTemplate(0.1);
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
  const launched = await h.call('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [countyA, countyB], departments: [department], spotCheckSeed: 'coverage-seed' });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  const latecomer = await plant(countyA);
  s = {
    id: launched.body.id,
    countyA,
    countyB,
    department,
    a,
    b,
    latecomer,
    keys: { countyA: await h.key('county', countyA), countyB: await h.key('county', countyB), department: await h.key('department', department), a0: await h.key('enterprise', a[0].id) },
  };
  // The self-inspection phase opens with the spot-check phase: every enterprise on the roster gets its duty.
  await eventually(async () => {
    const rows = await h.db.select().from(duties).where(and(eq(duties.campaignId, s.id), eq(duties.kind, 'SELF_INSPECTION')));
    return rows.length === 5 ? rows : undefined;
  }, 60_000, 'five self-inspection duties');
}, 120_000);

afterAll(async () => {
  try {
    if (s) await terminateCampaigns(h, [s.id]);
  } finally {
    await h.close();
  }
});

const selfInspect = (key: string, body: Json) => h.call('POST', `/v1/campaigns/${s.id}/self-inspections`, key, body);
const extra = (key: string, body: Json) => h.call('POST', `/v1/campaigns/${s.id}/extra-inspections`, key, body);

describe('self-inspection filing', () => {
  it('refuses a checklist entry for an item not on the enterprise\'s checklist (422 naming it), filing nothing', async () => {
    // A chemical plant: not the coal mines' video training (3), nor a regulator's item (48).
    expectProblem(await selfInspect(s.keys.a0, { problemsFound: 1, checklist: [{ no: 5, status: 'DONE' }, { no: 3, status: 'DONE' }, { no: 48, status: 'DONE' }] }), 422, 'VALIDATION_FAILED', ['checklist[1].no', 'checklist[2].no']);
    const [row] = await h.db.select().from(duties).where(and(eq(duties.obligationId, `self-inspection:${s.id}:${s.a[0].id}`)));
    expect(row).toMatchObject({ state: 'PENDING' });
  });

  it('files the enterprise\'s duty on time with its checklist; declared again, the declaration changes and the duty stays as filed', async () => {
    const checklist = [{ no: 10, status: 'DONE', note: '危险化学品储存场所已排查' }, { no: 13, status: 'NOT_APPLICABLE' }];
    expectProblem(await selfInspect(s.keys.a0, { problemsFound: 1, checklist }), 422, 'VALIDATION_FAILED', ['checklist[1].no']);
    checklist[1] = { no: 33, status: 'DONE' };
    const first = await selfInspect(s.keys.a0, { problemsFound: 2, note: '清单与台账', checklist });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ enterpriseId: s.a[0].id, problemsFound: 2, duty: { state: 'SUBMITTED', late: false } });
    // The Datong plan's checklist of a chemical plant: the items on every enterprise and the key industries' (10).
    expect(first.body.checklist).toEqual([5, 10, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36]);
    const again = await selfInspect(s.keys.a0, { problemsFound: 3 });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ problemsFound: 3, duty: { state: 'SUBMITTED', late: false, submittedAt: first.body.duty.submittedAt } });
    const [row] = await h.db.select().from(duties).where(and(eq(duties.obligationId, `self-inspection:${s.id}:${s.a[0].id}`)));
    expect(row).toMatchObject({ state: 'SUBMITTED', late: false, content: { problemsFound: 2, note: '清单与台账', checklist } });
  });

  it('lets the county file for an enterprise of its own, not of another county (404)', async () => {
    expectProblem(await selfInspect(s.keys.countyB, { enterpriseId: s.a[1].id, problemsFound: 0 }), 404, 'NOT_FOUND', ['enterpriseId']);
    const filed = await selfInspect(s.keys.countyA, { enterpriseId: s.a[1].id, problemsFound: 0 });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    expect(filed.body.duty).toMatchObject({ state: 'SUBMITTED', late: false });
  });
});

describe('inspections beyond the sample', () => {
  it('records a department\'s inspection of a key-supervision enterprise with a finding that becomes a spot-check hazard, marked as not drawn', async () => {
    const r = await extra(s.keys.department, { enterpriseId: s.a[2].id, outcome: 'FINDINGS', findings: [reportBody()], note: '重点监管全覆盖检查' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ enterpriseId: s.a[2].id, outcome: 'FINDINGS', drawn: false });
    expect(r.body.hazardIds).toHaveLength(1);
    const [hazard] = await h.db.select().from(hazards).where(eq(hazards.id, r.body.hazardIds[0]));
    expect(hazard).toMatchObject({ enterpriseId: s.a[2].id, campaignId: s.id, source: 'SPOT_CHECK' });
    const [row] = await h.db.select().from(extraInspections).where(eq(extraInspections.id, r.body.id));
    expect(row).toMatchObject({ drawn: false, unitCode: s.department, hazardIds: r.body.hazardIds });
  });

  it('records a county\'s passed inspection of its own enterprise', async () => {
    const r = await extra(s.keys.countyB, { enterpriseId: s.b[0].id, outcome: 'PASSED' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ outcome: 'PASSED', hazardIds: [], drawn: false });
  });

  it('refuses another county\'s enterprise (404), an enterprise key (403), findings missing (422) and an enterprise not on the roster (422), recording nothing', async () => {
    const before = await h.db.select().from(extraInspections).where(eq(extraInspections.campaignId, s.id));
    expectProblem(await extra(s.keys.countyB, { enterpriseId: s.a[0].id, outcome: 'PASSED' }), 404, 'NOT_FOUND', ['enterpriseId']);
    expectProblem(await extra(s.keys.a0, { enterpriseId: s.a[0].id, outcome: 'PASSED' }), 403, 'FORBIDDEN');
    expectProblem(await extra(s.keys.countyA, { enterpriseId: s.a[0].id, outcome: 'FINDINGS' }), 422, 'VALIDATION_FAILED', ['findings']);
    expectProblem(await extra(s.keys.countyA, { enterpriseId: s.latecomer.id, outcome: 'PASSED' }), 422, 'VALIDATION_FAILED', ['enterpriseId']);
    expect(await h.db.select().from(extraInspections).where(eq(extraInspections.campaignId, s.id))).toEqual(before);
  });
});

describe('coverage in the status', () => {
  it('equals what the ledger gives counted by hand, and a county reads the same figures (no pending drawn inspection shows)', async () => {
    // By hand, from the ledger: the roster, the self-inspection duties, recorded inspections (drawn or beyond the sample).
    const [roster] = await h.db.select().from(campaignRosters).where(eq(campaignRosters.campaignId, s.id));
    const ids = roster!.entries.map((e) => e.enterpriseId);
    expect(ids.sort()).toEqual([...s.a, ...s.b].map((e) => e.id).sort());
    const selfRows = await h.db.select().from(duties).where(and(eq(duties.campaignId, s.id), inArray(duties.subjectEnterpriseId, ids), eq(duties.kind, 'SELF_INSPECTION')));
    const drawnDone = await h.db.select().from(duties).where(and(eq(duties.campaignId, s.id), eq(duties.kind, 'INSPECTION'), eq(duties.state, 'SUBMITTED')));
    const extras = await h.db.select().from(extraInspections).where(eq(extraInspections.campaignId, s.id));
    const filed = new Set(selfRows.filter((d) => d.state === 'SUBMITTED').map((d) => d.subjectEnterpriseId));
    const inspected = new Set([...drawnDone.map((d) => d.subjectEnterpriseId), ...extras.map((e) => e.enterpriseId)]);
    const covered = (es: Enterprise[]) => es.filter((e) => filed.has(e.id) || inspected.has(e.id)).length;
    expect(filed).toEqual(new Set([s.a[0].id, s.a[1].id]));
    expect(drawnDone).toHaveLength(0);

    const shown = await h.call('GET', `/v1/campaigns/${s.id}`, h.keys.office);
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    const c = shown.body.coverage;
    expect(c.selfInspection.total).toEqual({ due: selfRows.length, filed: filed.size, filedLate: 0, missed: 0, share: filed.size / selfRows.length });
    expect(c.selfInspection.total).toMatchObject({ due: 5, filed: 2 });
    expect(c.selfInspection.byCounty[s.countyA]).toEqual({ due: 3, filed: 2, filedLate: 0, missed: 0, share: 2 / 3 });
    expect(c.selfInspection.byCounty[s.countyB]).toEqual({ due: 2, filed: 0, filedLate: 0, missed: 0, share: 0 });
    expect(c.byCounty[s.countyA]).toEqual({ required: 3, covered: covered(s.a), share: covered(s.a) / 3 });
    expect(c.byCounty[s.countyA].covered).toBe(3);
    expect(c.byCounty[s.countyB]).toEqual({ required: 2, covered: covered(s.b), share: covered(s.b) / 2 });
    expect(c.byCounty[s.countyB].covered).toBe(1);
    // The department's key supervision: the one CITY enterprise, inspected beyond the sample.
    expect(c.byDepartment).toEqual({ [s.department]: { required: 1, covered: 1, share: 1 } });
    expect(c.byIndustry.HAZARDOUS_CHEMICALS).toEqual({ required: 5, covered: 4, share: 4 / 5 });

    const forCounty = await h.call('GET', `/v1/campaigns/${s.id}`, s.keys.countyB);
    expect(forCounty.status).toBe(200);
    expect(forCounty.body.coverage).toEqual(c);
  });
});

describe('the status right after a write', () => {
  // Read before every write, so a status kept between reads (the roster and draw are, being fixed once
  // written) would show the old figures: each write must show in the very next read.
  const status = async () => {
    const r = await h.call('GET', `/v1/campaigns/${s.id}`, h.keys.office);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  it('counts an inspection beyond the sample, a self-inspection filed, a finding\'s hazard and a deactivated enterprise at once', async () => {
    const before = await status();
    expect(before.coverage.byCounty[s.countyB]).toMatchObject({ required: 2, covered: 1 });

    expect((await extra(s.keys.countyB, { enterpriseId: s.b[1].id, outcome: 'PASSED' })).status).toBe(201);
    const inspected = await status();
    expect(inspected.coverage.byCounty[s.countyB]).toEqual({ required: 2, covered: 2, share: 1 });

    const filed = await selfInspect(s.keys.countyB, { enterpriseId: s.b[1].id, problemsFound: 4 });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const declared = await status();
    expect(declared.selfInspections).toEqual({ declared: inspected.selfInspections.declared + 1, problemsFound: inspected.selfInspections.problemsFound + 4 });
    expect(declared.coverage.selfInspection.byCounty[s.countyB]).toMatchObject({ due: 2, filed: 1 });

    const finding = await h.call('POST', `/v1/campaigns/${s.id}/supervision-findings`, h.keys.office, { team: '第一督导组', target: 'ENTERPRISE', enterpriseId: s.b[0].id, description: '消防通道堵塞', hazard: reportBody() });
    expect(finding.status, JSON.stringify(finding.body)).toBe(201);
    const found = await status();
    expect(found.supervisionFindings).toBe(declared.supervisionFindings + 1);
    expect(found.hazards.total).toBe(declared.hazards.total + 1);
    expect(found.hazards.byCounty[s.countyB]).toMatchObject({ total: (declared.hazards.byCounty[s.countyB]?.total ?? 0) + 1 });

    const gone = await h.call('POST', `/v1/enterprises/${s.b[1].id}/deactivation`, h.keys.admin, { kind: 'CLOSED', reason: '关闭取缔', deactivatedOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) });
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    const after = await status();
    expect(after.coverage.byCounty[s.countyB]).toEqual({ required: 1, covered: 1, share: 1 });
  });
});
