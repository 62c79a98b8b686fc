// GET /v1/campaigns/{id}/ranking on the real app, a fresh Postgres database and the shared Temporal
// dev server. A campaign with two counties and two departments is launched through the API (its
// phases open in 10 minutes; no worker runs it); its ledger is then written the way the activities
// write it (applyDutyEvents, applyLedgerEntries, applyCaseEntries, declareSelfInspection), with
// instants in the past. The expected scores are worked out by hand below from those rows under the
// demo template's default scheme. Then later events land (a duty filed, one rescheduled, a hazard
// closed, one found, a case resolved, a self-inspection declared): the ranking at the earlier
// instant is unchanged, the ranking now is not.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { declareSelfInspection } from '../../db/campaign-admin.repo';
import { applyCampaignEvents } from '../../db/campaigns.repo';
import { applyCaseEntries } from '../../db/cases.repo';
import { moveOpenHazards } from '../../db/hazard-moves.repo';
import { hazards } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { SYSTEM_ACTOR, type HazardSource } from '../../domain/hazard';
import { defaultScoringScheme } from '../../domain/scoring';
import { ApiHarness, type Enterprise } from '../support/api-harness';
import { reportBody, seedEnterprise, seedHazard, seedUnits, uniq } from '../support/fixtures';
import { hazardEventWriter } from '../support/hazard-ledger';
import { openUnitCaseOnLedger } from '../support/case-ledger';
import { dutyEventWriter, sequencer, type DutyRef } from '../support/duty-ledger';
import { expectProblem } from '../support/problem';

const h = ApiHarness.forFile({ worker: false });

const HOUR = 3_600_000;
/** The ledger's past: events at base + n hours; the ranking is asked for at T = base + 5 h. */
const base = Date.now() - 10 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const T = iso(base + 5 * HOUR);

let campaignId = '';
let c1 = '';
let c2 = '';
let d1 = '';
let d2 = '';
let e1: Enterprise;
let e2: Enterprise;

interface Score {
  unitCode: string;
  total: number;
  rank: number;
  indicators: { indicator: string; numerator: number; denominator: number | null; value: number | null; points: number }[];
}
interface Ranking {
  campaignId: string;
  at: string;
  kind: string;
  scheme: unknown[];
  units: Score[];
}

// ---- the ledger, written as the activities write it ----

const nextSeq = sequencer();
const dutyEvent = dutyEventWriter(() => h.db, nextSeq, { campaignId: () => campaignId, opensAt: () => base, obligationId: (campaign, d) => `obligation:${campaign}:${d.holder}` });

async function hazardOf(e: Enterprise, source: HazardSource): Promise<{ id: string; workflowId: string }> {
  const row = await seedHazard(h.db, e, reportBody({ campaignId }), base);
  await h.db.update(hazards).set({ source }).where(eq(hazards.id, row.id));
  return { id: row.id, workflowId: row.workflowId };
}

const hazardEvent = hazardEventWriter(() => h.db, nextSeq);

const caseRow = (status: 'OPEN' | 'RESOLVED', resolvedAt: string | null) => ({ rung: 'CIRCULAR' as const, status, exposed: false, overdue: false, reviewDueAt: null, heldUntil: null, summonsAt: null, referralTo: null, resolvedAt });

const ranking = (query: string, key = h.keys.office) => h.call<Ranking>('GET', `/v1/campaigns/${campaignId}/ranking${query}`, key);
async function ok(query: string, key = h.keys.office): Promise<Ranking> {
  const res = await ranking(query, key);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
const byUnit = (r: Ranking) => Object.fromEntries(r.units.map((u) => [u.unitCode, u]));
const pointsOf = (u: Score) => Object.fromEntries(u.indicators.map((i) => [i.indicator, i.points]));

// Duties, hazards and the case, named for the later events.
let c2Plan: DutyRef;
let c2Progress: DutyRef;
let d2Plan: DutyRef;
let h2: { id: string; workflowId: string };
let caseId = '';
let laterAt = 0;

beforeAll(async () => {
  ({ countyCode: c1, departmentCode: d1 } = await seedUnits(h.db));
  ({ countyCode: c2, departmentCode: d2 } = await seedUnits(h.db));
  e1 = await seedEnterprise(h.db, { countyCode: c1, departmentCode: d1 });
  e2 = await seedEnterprise(h.db, { countyCode: c2, departmentCode: d2 });
  campaignId = await h.launchDemoCampaign({ counties: [c1, c2], departments: [d1, d2], name: uniq('排名测试'), keyPrefix: 'ranking' });

  // Duties. C1: the plan filed on time. C2: the plan missed, a progress report due at base + 4 h unfiled.
  // D1: the plan filed late, the inspection of e1 filed on time. D2: the plan due after now, the inspection of e2 unfiled.
  const c1Plan: DutyRef = { holder: c1, key: 'plan', kind: 'IMPLEMENTATION_PLAN', dueAt: base + 2 * HOUR };
  c2Plan = { holder: c2, key: 'plan', kind: 'IMPLEMENTATION_PLAN', dueAt: base + 2 * HOUR };
  c2Progress = { holder: c2, key: 'progress:1', kind: 'PROGRESS_REPORT', dueAt: base + 4 * HOUR };
  const d1Plan: DutyRef = { holder: d1, key: 'plan', kind: 'IMPLEMENTATION_PLAN', dueAt: base + 2 * HOUR };
  const d1Inspection: DutyRef = { holder: d1, key: `inspection:${e1.id}`, kind: 'INSPECTION', dueAt: base + 4 * HOUR, subject: e1.id };
  d2Plan = { holder: d2, key: 'plan', kind: 'IMPLEMENTATION_PLAN', dueAt: Date.now() + HOUR };
  const d2Inspection: DutyRef = { holder: d2, key: `inspection:${e2.id}`, kind: 'INSPECTION', dueAt: base + 4 * HOUR, subject: e2.id };
  for (const d of [c1Plan, c2Plan, c2Progress, d1Plan, d1Inspection, d2Plan, d2Inspection]) await dutyEvent(d, 'DUTY_ASSIGNED', base);
  await dutyEvent(c1Plan, 'DUTY_SUBMITTED', base + HOUR);
  await dutyEvent(c2Plan, 'DUTY_MISSED', base + 2 * HOUR);
  await dutyEvent(d1Plan, 'DUTY_SUBMITTED_LATE', base + 3 * HOUR);
  await dutyEvent(d1Inspection, 'DUTY_SUBMITTED', base + 3 * HOUR);

  // Hazards. h1, h2: found by D1's inspection of e1 (C1); h1 closed, h2 overdue. h3: e2's own (C2, D2), open.
  const h1 = await hazardOf(e1, 'SPOT_CHECK');
  h2 = await hazardOf(e1, 'SPOT_CHECK');
  const h3 = await hazardOf(e2, 'SELF_INSPECTION');
  await hazardEvent(h1, 'REGISTERED', null, 'RECTIFYING', base + HOUR);
  await hazardEvent(h1, 'CLOSED', 'VERIFIED', 'CLOSED', base + 4 * HOUR);
  await hazardEvent(h2, 'REGISTERED', null, 'RECTIFYING', base + HOUR);
  await hazardEvent(h2, 'OVERDUE', 'RECTIFYING', 'RECTIFYING', base + 3 * HOUR, true);
  await hazardEvent(h3, 'REGISTERED', null, 'RECTIFYING', base + 2 * HOUR);

  // A case about C1, opened at base + 2 h.
  caseId = await openUnitCaseOnLedger(h.db, { campaignId, unitCode: c1, at: iso(base + 2 * HOUR) });
});

/** What happens after T (at the time of the call): each changes the ranking now, none the one at T. */
async function laterEvents() {
  laterAt = Date.now();
  await dutyEvent(c2Plan, 'DUTY_SUBMITTED_LATE', laterAt);
  await dutyEvent(c2Progress, 'DUTY_RESCHEDULED', laterAt, { previousDueAt: iso(c2Progress.dueAt), dueAt: iso(laterAt + 120 * HOUR), reason: 'phase moved' });
  await dutyEvent(d2Plan, 'DUTY_SUBMITTED', laterAt);
  await hazardEvent(h2, 'CLOSED', 'VERIFIED', 'CLOSED', laterAt);
  const h4 = await hazardOf(e2, 'SELF_INSPECTION');
  await hazardEvent(h4, 'REGISTERED', null, 'RECTIFYING', laterAt);
  await applyCaseEntries(h.db, [{ caseId, workflowId: `case:${caseId}`, seq: 2, type: 'RESOLVED', actor: SYSTEM_ACTOR, data: {}, at: iso(laterAt), row: caseRow('RESOLVED', iso(laterAt)) }]);
  await declareSelfInspection(h.db, { campaignId, enterpriseId: e1.id, problemsFound: 2, note: null, declaredBy: SYSTEM_ACTOR });
  // The roster moves e2 to C1 and D1: its open hazards h3 and h4 follow (their rows take the new codes, a REASSIGNED event each).
  await moveOpenHazards(h.db, [{ enterpriseId: e2.id, from: { countyCode: c2, departmentCode: d2 }, to: { countyCode: c1, departmentCode: d1 } }], SYSTEM_ACTOR, 'roster move');
}

describe('GET /v1/campaigns/{id}/ranking', () => {
  let countiesAtT: Ranking;
  let departmentsAtT: Ranking;

  it("scores the counties at T as worked out by hand from the ledger, under the template's scheme", async () => {
    countiesAtT = await ok(`?at=${T}&kind=COUNTY`);
    expect(countiesAtT).toMatchObject({ campaignId, at: T, kind: 'COUNTY', scheme: defaultScoringScheme().COUNTY });
    const u = byUnit(countiesAtT);
    // C1: plan on time 1/1 → 25; roster e1 undeclared 0/1 → 0; h1 closed of h1, h2 → 1/2 → 12.5; h2 overdue 1/2 (= zeroAt 0.5) → 0; 1 open case → 10 × 2/3 = 6.67.
    expect(pointsOf(u[c1]!)).toEqual({ DUTY_TIMELINESS: 25, SELF_INSPECTION_COVERAGE: 0, RECTIFICATION_RATE: 12.5, OVERDUE_RATE: 0, OPEN_CASES: 6.67 });
    // C2: plan missed and progress report due, neither filed 0/2 → 0; e2 undeclared → 0; h3 open 0/1 → 0; none overdue → 15; no case → 10.
    expect(pointsOf(u[c2]!)).toEqual({ DUTY_TIMELINESS: 0, SELF_INSPECTION_COVERAGE: 0, RECTIFICATION_RATE: 0, OVERDUE_RATE: 15, OPEN_CASES: 10 });
    expect(u[c2]!.indicators.find((i) => i.indicator === 'DUTY_TIMELINESS')).toMatchObject({ numerator: 0, denominator: 2, value: 0 });
    expect(countiesAtT.units.map((x) => [x.unitCode, x.total, x.rank])).toEqual([
      [c1, 44.17, 1],
      [c2, 25, 2],
    ]);
  });

  it('scores the departments at T; equal totals share the rank, listed by unit code', async () => {
    departmentsAtT = await ok(`?at=${T}&kind=DEPARTMENT`);
    const u = byUnit(departmentsAtT);
    // D1: plan late 0/1 → 0; inspection filed 1/1 → 25; 2 spot-check hazards per 1 inspection → 10; 1/2 closed → 10; 1/2 overdue → 0; no case → 10 = 55.
    expect(pointsOf(u[d1]!)).toEqual({ DUTY_TIMELINESS: 0, INSPECTION_COVERAGE: 25, FINDINGS_PER_INSPECTION: 10, RECTIFICATION_RATE: 10, OVERDUE_RATE: 0, OPEN_CASES: 10 });
    // D2: plan not yet due → nothing to measure → 20; inspection unfiled 0/1 → 0; no inspection filed → 10; h3 open → 0; none overdue → 15; no case → 10 = 55.
    expect(pointsOf(u[d2]!)).toEqual({ DUTY_TIMELINESS: 20, INSPECTION_COVERAGE: 0, FINDINGS_PER_INSPECTION: 10, RECTIFICATION_RATE: 0, OVERDUE_RATE: 15, OPEN_CASES: 10 });
    expect(u[d2]!.indicators.find((i) => i.indicator === 'DUTY_TIMELINESS')).toMatchObject({ numerator: 0, denominator: 0, value: null });
    expect(departmentsAtT.units.map((x) => [x.unitCode, x.total, x.rank])).toEqual(
      [d1, d2].sort().map((code) => [code, 55, 1]),
    );
  });

  it('the ranking at T is the same after later events; the ranking now has changed', async () => {
    await laterEvents();
    expect(await ok(`?at=${T}&kind=COUNTY`)).toEqual(countiesAtT);
    expect(await ok(`?at=${T}&kind=DEPARTMENT`)).toEqual(departmentsAtT);

    const now = await ok('');
    expect(now.kind).toBe('COUNTY');
    expect(Date.parse(now.at)).toBeGreaterThanOrEqual(laterAt);
    const u = byUnit(now);
    // C1: e1 declared → 25; of h1, h2 (closed) and h3, h4 (moved in, open): 2/4 closed → 12.5, 1/4 overdue → 15 × 0.5 = 7.5; the case resolved → 10 = 80.
    expect(pointsOf(u[c1]!)).toEqual({ DUTY_TIMELINESS: 25, SELF_INSPECTION_COVERAGE: 25, RECTIFICATION_RATE: 12.5, OVERDUE_RATE: 7.5, OPEN_CASES: 10 });
    // C2: the plan filed late counts, not on time; the progress report moved past now no longer counts: 0/1. No hazard left: nothing to measure.
    expect(u[c2]!.indicators.find((i) => i.indicator === 'DUTY_TIMELINESS')).toMatchObject({ numerator: 0, denominator: 1 });
    expect(u[c2]!.indicators.find((i) => i.indicator === 'RECTIFICATION_RATE')).toMatchObject({ numerator: 0, denominator: 0, value: null, points: 25 });
    expect(now.units.map((x) => [x.unitCode, x.total, x.rank])).toEqual([
      [c1, 80, 1],
      [c2, 50, 2],
    ]);
    const depts = byUnit(await ok('?kind=DEPARTMENT'));
    // D1: 0 + 25 + 10 (2 findings / 1 inspection) + 2/4 closed → 10 + 1/4 overdue → 7.5 + 10 = 62.5.
    // D2: plan filed on time → 20; 0; 10; no hazard left → 20 and 15; 10 = 75.
    expect([depts[d1]!.total, depts[d2]!.total]).toEqual([62.5, 75]);
  });

  it('the units taking part and reviewers of one read it; others may not', async () => {
    const county1 = await h.key('county', c1);
    const dept2 = await h.key('department', d2);
    const reviewer = await h.key('reviewer', c2);
    for (const key of [county1, dept2, reviewer, h.keys.reviewerCity, h.keys.admin]) expect((await ranking(`?at=${T}`, key)).body).toEqual(countiesAtT);
    expectProblem(await ranking('', h.keys.county), 404, 'NOT_FOUND');
    expectProblem(await ranking('', h.keys.entA), 403, 'FORBIDDEN');
  });

  it('the departments ranking is for those who read the draw until the campaign completes, then for every party', async () => {
    const county1 = await h.key('county', c1);
    const reviewer = await h.key('reviewer', c1);
    const dept2 = await h.key('department', d2);
    expect((await ranking(`?at=${T}&kind=DEPARTMENT`, dept2)).body).toEqual(departmentsAtT);
    expectProblem(await ranking(`?at=${T}&kind=DEPARTMENT`, county1), 403, 'FORBIDDEN', ['querystring.kind']);
    expectProblem(await ranking(`?at=${T}&kind=DEPARTMENT`, reviewer), 403, 'FORBIDDEN', ['querystring.kind']);
    // The campaign workflow's last ledger step completes it.
    await applyCampaignEvents(h.db, [{ campaignId, seq: 1, type: 'CAMPAIGN_COMPLETED', phase: null, actor: SYSTEM_ACTOR, data: {}, at: new Date().toISOString(), currentPhases: [], completed: true }]);
    for (const key of [county1, reviewer]) expect((await ranking(`?at=${T}&kind=DEPARTMENT`, key)).body).toEqual(departmentsAtT);
  });

  it('refuses a future instant (422), a malformed one or an unknown kind (400), naming the field', async () => {
    expectProblem(await ranking(`?at=${iso(Date.now() + HOUR)}`), 422, 'VALIDATION_FAILED', ['querystring.at']);
    expectProblem(await ranking('?at=yesterday'), 400, 'VALIDATION_FAILED', ['querystring.at']);
    expectProblem(await ranking('?kind=CITY'), 400, 'VALIDATION_FAILED', ['querystring.kind']);
    expectProblem(await h.call('GET', `/v1/campaigns/${randomUUID()}/ranking`, h.keys.office), 404, 'NOT_FOUND');
  });
});

describe('self-inspection coverage in a campaign with self-inspection duties', () => {
  it('reads the enterprises\' SELF_INSPECTION duties: a declaration made again after T leaves the ranking at T as it was', async () => {
    const { countyCode: c3, departmentCode: d3 } = await seedUnits(h.db);
    const e3 = await seedEnterprise(h.db, { countyCode: c3, departmentCode: d3 });
    const e4 = await seedEnterprise(h.db, { countyCode: c3, departmentCode: d3 });
    const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('ranking-self') };
    expect((await h.call('POST', '/v1/campaign-templates', h.keys.office, template)).status).toBe(201);
    const launched = await h.call<{ id: string }>('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [c3], departments: [d3], name: uniq('自查排名') });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    const other = launched.body.id;
    h.track(`campaign:${other}`);
    const selfDuty = (e: Enterprise): DutyRef => ({ holder: d3, key: `self-inspection:${e.id}`, kind: 'SELF_INSPECTION', dueAt: base + 4 * HOUR, subject: e.id, campaign: other });
    // e3 files at base + 1 h (its declaration then), e4 has its duty and files nothing by T.
    for (const e of [e3, e4]) await dutyEvent(selfDuty(e), 'DUTY_ASSIGNED', base);
    await dutyEvent(selfDuty(e3), 'DUTY_SUBMITTED', base + HOUR);
    await declareSelfInspection(h.db, { campaignId: other, enterpriseId: e3.id, problemsFound: 1, note: null, declaredBy: SYSTEM_ACTOR });
    const coverage = async () => {
      const res = await h.call<Ranking>('GET', `/v1/campaigns/${other}/ranking?at=${T}&kind=COUNTY`, h.keys.office);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.units[0]!.indicators.find((i) => i.indicator === 'SELF_INSPECTION_COVERAGE');
    };
    // 1 of 2 filed by T → 25 × 1/2.
    const atT = await coverage();
    expect(atT).toMatchObject({ numerator: 1, denominator: 2, value: 0.5, points: 12.5 });
    // After T: e3 declares again (its declared_at moves past T), e4 files late.
    await declareSelfInspection(h.db, { campaignId: other, enterpriseId: e3.id, problemsFound: 3, note: 'again', declaredBy: SYSTEM_ACTOR });
    await dutyEvent(selfDuty(e4), 'DUTY_SUBMITTED_LATE', Date.now());
    expect(await coverage()).toEqual(atT);
  });
});
