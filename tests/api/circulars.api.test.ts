// The monthly circular (通报) on the real app, a fresh Postgres, the shared Temporal dev server, a
// worker and a real SMTP sink. A campaign with two counties and two departments is launched through
// the API; its December (last year's, so the month has ended) is then written on the ledger the way
// the activities write it, with instants in that December, and the figures are counted by hand below.
// The office generates the draft (the same twice, with the same SHA-256, also after later events),
// publishes it (each unit's mailbox gets it once; one refused mailbox is a FAILED outbox row and the
// circular is published all the same), cannot publish it again (409), and a county reads the
// published one but not a draft (404).
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { findUnmailedCirculars, publishDraft } from '../../db/circulars.repo';
import { campaignCirculars, supervisionFindings } from '../../db/schema';
import type { CircularFigures } from '../../domain/circular';
import { instantOfLocal } from '../../domain/time';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { ApiHarness, eventually, type Enterprise } from '../support/api-harness';
import { reportBody, seedEnterprise, seedHazard, seedUnits, uniq } from '../support/fixtures';
import { hazardEventWriter } from '../support/hazard-ledger';
import { openCaseOnLedger } from '../support/case-ledger';
import { dutyEventWriter, sequencer, type DutyRef } from '../support/duty-ledger';
import { expectProblem } from '../support/problem';
import { reconcileCirculars } from '../../services/circular.service';
import { circularMailWorkflowId } from '../../workflows/ids';

const h = ApiHarness.forFile({ worker: true });

const TZ = 'Asia/Shanghai';
const YEAR = new Date().getUTCFullYear() - 1;
const MONTH = `${YEAR}-12`;
/** A local instant in last December (or January after it), in the campaign's zone. */
const dec = (day: number, time = '10:00') => instantOfLocal(`${YEAR}-12-${String(day).padStart(2, '0')}`, time, TZ);
const jan = (day: number) => instantOfLocal(`${YEAR + 1}-01-${String(day).padStart(2, '0')}`, '10:00', TZ);
const iso = (ms: number) => new Date(ms).toISOString();

interface CircularView {
  campaignId: string;
  month: string;
  status: 'DRAFT' | 'PUBLISHED';
  asOf: string;
  contentSha256: string;
  publishedAt: string | null;
  figures: CircularFigures;
  markdown: string;
  html: string;
}

let campaignId = '';
let c1 = '';
let c2 = '';
let d1 = '';
let d2 = '';
let e1: Enterprise;
let e2: Enterprise;
const names = new Map<string, string>();

const nextSeq = sequencer();
// The test's own obligation streams: the campaign's workflows (the worker runs them) write theirs under obligation:….
const dutyEvent = dutyEventWriter(() => h.db, nextSeq, {
  campaignId: () => campaignId,
  opensAt: () => dec(1, '00:00'),
  obligationId: (campaign, d) => `circular-test:${campaign}:${d.holder}:${d.subject ?? ''}`,
});

async function hazardOf(e: Enterprise, grade: 'GENERAL' | 'MAJOR') {
  const row = await seedHazard(h.db, e, reportBody({ campaignId, grade }), dec(1));
  return { id: row.id, workflowId: row.workflowId };
}

const hazardEvent = hazardEventWriter(() => h.db, nextSeq);

const generate = (key = h.keys.office, month = MONTH) => h.call<CircularView>('POST', `/v1/campaigns/${campaignId}/circulars`, key, { month });
const read = (key: string, month = MONTH) => h.call<CircularView>('GET', `/v1/campaigns/${campaignId}/circulars/${month}`, key);
const publish = (key = h.keys.office) => h.call<{ circular: CircularView; mail: { workflowId: string; started: boolean } }>('POST', `/v1/campaigns/${campaignId}/circulars/${MONTH}/publish`, key);

beforeAll(async () => {
  ({ countyCode: c1, departmentCode: d1 } = await seedUnits(h.db));
  ({ countyCode: c2, departmentCode: d2 } = await seedUnits(h.db));
  for (const code of [c1, c2]) names.set(code, `${code} 县`);
  for (const code of [d1, d2]) names.set(code, `${code} 局`);
  e1 = await seedEnterprise(h.db, { countyCode: c1, departmentCode: d1 });
  e2 = await seedEnterprise(h.db, { countyCode: c2, departmentCode: d2 });
  campaignId = await h.launchDemoCampaign({ counties: [c1, c2], departments: [d1, d2], name: uniq('十二月通报'), keyPrefix: 'circular' });
  for (const u of [c1, c2, d1, d2]) h.track(`obligation:${campaignId}:${u}`);

  // Duties. C1's plan filed on time; C2's missed on 10 December; D1's filed late; D2's progress report due in January.
  const plan = (holder: string): DutyRef => ({ holder, key: 'plan', kind: 'IMPLEMENTATION_PLAN', dueAt: dec(10, '23:59') });
  const d2Progress: DutyRef = { holder: d2, key: 'progress:1', kind: 'PROGRESS_REPORT', dueAt: jan(27) };
  for (const d of [plan(c1), plan(c2), plan(d1), d2Progress]) await dutyEvent(d, 'DUTY_ASSIGNED', dec(1));
  await dutyEvent(plan(c1), 'DUTY_SUBMITTED', dec(5));
  await dutyEvent(plan(c2), 'DUTY_MISSED', dec(11, '00:00'));
  await dutyEvent(plan(d1), 'DUTY_SUBMITTED_LATE', dec(12));
  // Self-inspection duties: e1 files on 10 December, e2 misses on 31 December.
  const selfDuty = (e: Enterprise): DutyRef => ({ holder: e.departmentCode, key: `self-inspection:${e.id}`, kind: 'SELF_INSPECTION', dueAt: dec(30, '23:59'), subject: e.id });
  for (const e of [e1, e2]) await dutyEvent(selfDuty(e), 'DUTY_ASSIGNED', dec(1));
  await dutyEvent(selfDuty(e1), 'DUTY_SUBMITTED', dec(10));
  await dutyEvent(selfDuty(e2), 'DUTY_MISSED', dec(31, '00:00'));

  // Hazards. h1 (e1, major): found 2 Dec, overdue 20 Dec, open. h2 (e1, general): found 3 Dec, closed 15 Dec.
  // h3 (e2, major): found in November, overdue 1 Dec, closed 28 Dec. h4 (e2): found in January.
  const h1 = await hazardOf(e1, 'MAJOR');
  const h2 = await hazardOf(e1, 'GENERAL');
  const h3 = await hazardOf(e2, 'MAJOR');
  const h4 = await hazardOf(e2, 'MAJOR');
  await hazardEvent(h1, 'REGISTERED', null, 'RECTIFYING', dec(2));
  await hazardEvent(h1, 'OVERDUE', 'RECTIFYING', 'RECTIFYING', dec(20), true);
  await hazardEvent(h2, 'REGISTERED', null, 'RECTIFYING', dec(3));
  await hazardEvent(h2, 'CLOSED', 'VERIFIED', 'CLOSED', dec(15));
  await hazardEvent(h3, 'REGISTERED', null, 'RECTIFYING', dec(1) - 20 * 86_400_000);
  await hazardEvent(h3, 'OVERDUE', 'RECTIFYING', 'RECTIFYING', dec(1), true);
  await hazardEvent(h3, 'CLOSED', 'VERIFIED', 'CLOSED', dec(28));
  await hazardEvent(h4, 'REGISTERED', null, 'RECTIFYING', jan(3));

  // A supervision finding on C2 in December, one in January; a concealment case against e2 in December.
  await h.db.insert(supervisionFindings).values([
    { campaignId, team: '第一督导组', targetKind: 'UNIT', unitCode: c2, description: '排查<流于形式>', actor: SYSTEM_ACTOR, foundAt: new Date(dec(8)) },
    { campaignId, team: '第二督导组', targetKind: 'UNIT', unitCode: c1, description: '一月的问题', actor: SYSTEM_ACTOR, foundAt: new Date(jan(8)) },
  ]);
  await openCaseOnLedger(h.db, { campaignId, subject: { kind: 'ENTERPRISE', ref: e2.id, name: e2.name, countyCode: c2 }, causeKind: 'CONCEALMENT', at: iso(dec(18)) });
});

describe('the monthly circular (通报)', () => {
  let draft: CircularView;

  it("generates December's draft with the figures counted by hand from the ledger", async () => {
    const res = await generate();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    draft = res.body;
    expect(draft).toMatchObject({ campaignId, month: MONTH, status: 'DRAFT', asOf: iso(instantOfLocal(`${YEAR + 1}-01-01`, '00:00', TZ) - 1), publishedAt: null });
    const f = draft.figures;
    // Counties: C1: plan on time 25 + e1 filed 25 + h1 open, h2 closed 12.5 + 1/2 overdue 0 + no case 10 = 72.5.
    // C2: plan missed 0 + e2 unfiled 0 + h3 closed 25 + h3 overdue 0 + no case about the county 10 = 35.
    expect(f.counties).toEqual([
      { unitCode: c1, unitName: names.get(c1), total: 72.5, rank: 1 },
      { unitCode: c2, unitName: names.get(c2), total: 35, rank: 2 },
    ]);
    // Departments: D1: plan late 0 + no inspection duty 25 + none filed 10 + 1/2 closed 10 + 1/2 overdue 0 + 10 = 55.
    // D2: the progress report due in January is not counted 20 + 25 + 10 + h3 closed 20 + overdue 0 + 10 = 85.
    expect(f.departments).toEqual([
      { unitCode: d2, unitName: names.get(d2), total: 85, rank: 1 },
      { unitCode: d1, unitName: names.get(d1), total: 55, rank: 2 },
    ]);
    // Found in December: h1, h2 (h3 in November, h4 in January); closed: h2, h3; open at the end: h1, overdue.
    expect(f.hazards).toEqual({ foundInMonth: 2, closedInMonth: 2, openAtEnd: 1, overdueAtEnd: 1 });
    expect(f.missedDuties).toEqual([{ unitCode: c2, unitName: names.get(c2), kind: 'IMPLEMENTATION_PLAN', label: 'plan', dueAt: iso(dec(10, '23:59')), missedAt: iso(dec(11, '00:00')) }]);
    // e1's h1: major, overdue, open; e2's h3 was closed in December.
    expect(f.overdueMajorHazards).toEqual([{ enterpriseId: e1.id, enterpriseName: e1.name, countyCode: c1, countyName: names.get(c1), overdueMajorHazards: 1 }]);
    expect(f.findings).toEqual([
      { kind: 'SUPERVISION_FINDING', at: iso(dec(8)), team: '第一督导组', subjectName: names.get(c2), description: '排查<流于形式>' },
      { kind: 'CONCEALMENT_CASE', at: iso(dec(18)), team: null, subjectName: e2.name, description: '' },
    ]);
    // Self-inspection: 2 due, e1 filed, e2 missed. Full coverage: C1's e1 self-inspected; C2's e2 neither.
    expect(f.coverage).toEqual({
      selfInspection: { due: 2, filed: 1, filedLate: 0, missed: 1 },
      byCounty: [
        { unitCode: c1, unitName: names.get(c1), required: 1, covered: 1 },
        { unitCode: c2, unitName: names.get(c2), required: 1, covered: 0 },
      ].sort((a, b) => a.unitCode.localeCompare(b.unitCode)),
      byDepartment: [],
    });
    expect(draft.markdown).toContain(`- ${names.get(c2)}：实施方案（应于 ${YEAR}-12-10 前报送），逾期未报。`);
    expect(draft.markdown).toContain('排查\\<流于形式\\>');
    expect(draft.html).toContain('排查&lt;流于形式&gt;');
    expect(draft.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('generates the same month again with the same figures and hash, also after later events', async () => {
    await dutyEvent({ holder: c2, key: 'progress:2', kind: 'PROGRESS_REPORT', dueAt: Date.now() + 86_400_000 }, 'DUTY_ASSIGNED', Date.now());
    const again = await generate();
    expect(again.status).toBe(200);
    expect(again.body.figures).toEqual(draft.figures);
    expect(again.body.contentSha256).toBe(draft.contentSha256);
  });

  it('a county reads no draft (404); reviewers and the office do', async () => {
    const county = await h.key('county', c1);
    expectProblem(await read(county), 404, 'NOT_FOUND');
    expect((await h.call<{ items: unknown[] }>('GET', `/v1/campaigns/${campaignId}/circulars`, county)).body.items).toEqual([]);
    expect((await read(h.keys.reviewerCity)).body.contentSha256).toBe(draft.contentSha256);
    expectProblem(await generate(county), 403, 'FORBIDDEN');
    expectProblem(await generate(h.keys.office, '2999-01'), 422, 'VALIDATION_FAILED', ['month']);
    expectProblem(await generate(h.keys.office, '2023-13'), 400, 'VALIDATION_FAILED', ['month']);
    expectProblem(await generate(h.keys.office, '0000-01'), 422, 'VALIDATION_FAILED', ['month']);
  });

  it("publishes it: frozen, mailed once to each unit's mailbox; a refused mailbox is a FAILED outbox row, the circular published all the same", async () => {
    h.sink!.refuseRecipients.set(`${d2}@dept.test`.toLowerCase(), { code: 550, message: 'no such mailbox' });
    const res = await publish();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.mail.started).toBe(true);
    h.track(res.body.mail.workflowId);
    expect(res.body.circular).toMatchObject({ status: 'PUBLISHED', contentSha256: draft.contentSha256, figures: draft.figures, markdown: draft.markdown });
    const isCircular = (to: string) => (m: { headers: Map<string, unknown>; to?: unknown }) => m.headers.get('x-business-key') === `circular:${campaignId}:${MONTH}:${to}`;
    for (const unit of [c1, c2, d1]) {
      const mail = await h.sink!.waitFor(isCircular(unit), 30_000);
      expect(mail.text).toContain(names.get(c1));
      // The frozen HTML goes with it as the text's alternative.
      expect(String(mail.html).trim()).toBe(draft.html.trim());
      expect(mail.subject).toContain('工作通报');
    }
    type Row = { businessKey: string; status: string; recipients: string[] };
    const outbox = await eventually(async () => {
      const list = await h.call<{ items: Row[] }>('GET', `/v1/notifications?campaignId=${campaignId}&limit=100`, h.keys.office);
      const rows = list.body.items.filter((r) => r.businessKey.startsWith(`circular:${campaignId}:`));
      return rows.length === 4 && rows.every((r) => r.status !== 'PENDING') ? rows : undefined;
    }, 30_000, 'the outbox rows of the circular');
    expect(Object.fromEntries(outbox.map((r) => [r.businessKey.split(':').at(-1), r.status]))).toEqual({ [c1]: 'SENT', [c2]: 'SENT', [d1]: 'SENT', [d2]: 'FAILED' });
    expect(h.sink!.messages.filter((m) => String(m.headers.get('x-business-key') ?? '').startsWith(`circular:${campaignId}:`))).toHaveLength(3);
    expect((await read(h.keys.office)).body.status).toBe('PUBLISHED');
  });

  it('publishing again is a 409 and mails nothing; generating the month again is a 409', async () => {
    expectProblem(await publish(), 409, 'CONFLICT');
    expectProblem(await generate(), 409, 'CONFLICT');
    expectProblem(await h.call('POST', `/v1/campaigns/${campaignId}/circulars/${YEAR}-11/publish`, h.keys.office), 404, 'NOT_FOUND');
  });

  it('the published circular stays as published after later events in its month; a county reads it', async () => {
    const h5 = await hazardOf(e1, 'MAJOR');
    await hazardEvent(h5, 'REGISTERED', null, 'RECTIFYING', dec(29));
    const county = await h.key('county', c2);
    const res = await read(county);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'PUBLISHED', contentSha256: draft.contentSha256, figures: draft.figures, markdown: draft.markdown, html: draft.html });
    const list = await h.call<{ items: { month: string; status: string }[] }>('GET', `/v1/campaigns/${campaignId}/circulars`, county);
    expect(list.body.items).toMatchObject([{ month: MONTH, status: 'PUBLISHED' }]);
    // Frozen on the ledger itself: the table refuses to change a published row.
    await expect(h.db.update(campaignCirculars).set({ markdown: '改写' }).where(eq(campaignCirculars.campaignId, campaignId))).rejects.toThrow();
    expectProblem(await read(h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await read(h.keys.county), 404, 'NOT_FOUND');
  });

  it('a circular published while Temporal refused its mailing (mail.started false) is mailed by the reconciler, once', async () => {
    const november = `${YEAR}-11`;
    expect((await generate(h.keys.office, november)).status).toBe(201);
    // What the ledger holds after a publish whose mailing could not be started: published, no outbox row.
    expect(await publishDraft(h.db, campaignId, november, SYSTEM_ACTOR)).toMatchObject({ status: 'PUBLISHED' });
    const key = (unit: string) => `circular:${campaignId}:${november}:${unit}`;
    expect(h.sink!.messages.some((m) => m.headers.get('x-business-key') === key(c1))).toBe(false);

    expect(await reconcileCirculars(h.db, { client: h.env!.client, taskQueue: h.taskQueue }, { olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    h.track(circularMailWorkflowId(campaignId, november));
    for (const unit of [c1, c2, d1]) expect((await h.sink!.waitFor((m) => m.headers.get('x-business-key') === key(unit), 30_000)).subject).toContain('工作通报');
    // Mailed now (outbox rows under its keys): a later round does not pick it again.
    await eventually(async () => ((await findUnmailedCirculars(h.db, new Date(), 100)).some((r) => r.campaignId === campaignId) ? undefined : true), 30_000, 'the circular off the reconciler\'s list');
    expect(h.sink!.messages.filter((m) => m.headers.get('x-business-key') === key(c1))).toHaveLength(1);
  });
});
