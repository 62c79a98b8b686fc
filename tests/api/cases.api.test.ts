// Accountability cases through the API as the office, reviewers and the parties drive them: keys
// for reviewers, opening a case by hand, the reviewer's decisions up and down the ladder, and the
// evidence bundle a third party can verify. The real app on a fresh Postgres database, the shared
// Temporal dev server and a real worker mailing a real SMTP sink; nothing is mocked.
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, caseEvents, cases, notifications } from '../../db/schema';
import { canonicalJson } from '../../domain/canonical-json';
import { resolveCaseLadder } from '../../domain/accountability';
import { openOrJoinCase, unitSubject } from '../../services/case.service';
import { verifyEvidence } from '../../cli/verify-evidence';
import { ApiHarness, eventually, type Json, type Reply } from '../support/api-harness';
import { reportBody, uniq } from '../support/fixtures';
import { workflowBundle } from '../support/hazard-worker';
import { expectProblem } from '../support/problem';
import { orderKey, wholeRecord } from '../support/record';

const h = ApiHarness.forFile({ worker: true });

type CaseBody = Record<string, Json> & { id: string; rung: string; status: string; lastSeq: number; subject: { kind: string; ref: string; countyCode: string | null; departmentCode: string | null } };
type Live = Record<string, Json> & { rung: string; status: string };
const FUTURE = '2099-06-30T02:00:00Z';
const PAST = '2001-01-01T00:00:00Z';

const sha256 = (v: unknown): string => createHash('sha256').update(canonicalJson(v)).digest('hex');

async function openCase(key: string, subject: { kind: 'UNIT' | 'ENTERPRISE'; ref: string }, headers: Record<string, string> = {}) {
  const res = await h.call<{ case: CaseBody; joined: boolean }>('POST', '/v1/cases', key, { subject, reason: '排查流于形式，约谈前先通报' }, headers);
  if (res.body?.case?.id) h.track(`case:${res.body.case.id}`);
  return res;
}

const decide = (id: string, key: string, body: object, headers: Record<string, string> = {}) =>
  h.call<{ case: CaseBody; live: Live }>('POST', `/v1/cases/${id}/decisions`, key, body, headers);

/** The case workflow is up and its opening step is on the ledger. */
async function opened(id: string): Promise<void> {
  await eventually(async () => {
    const res = await h.call<{ case: CaseBody; liveStatus: string }>('GET', `/v1/cases/${id}`, h.keys.admin);
    return res.body.liveStatus === 'LIVE' && res.body.case.lastSeq >= 1 ? true : undefined;
  }, 30_000, `case ${id} opened`);
}

async function ledgerOf(id: string) {
  const [row] = await h.db.select().from(cases).where(eq(cases.id, id));
  const events = await h.db.select().from(caseEvents).where(eq(caseEvents.caseId, id));
  return { row: row!, events };
}


describe('reviewer keys', () => {
  it('are created by the office with a county or department scope or none (city-wide), and any key may carry a mailbox', async () => {
    const county = await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('rev'), role: 'reviewer', scope: h.entA.countyCode, email: 'reviewer@county.test' });
    expect(county.status, JSON.stringify(county.body)).toBe(201);
    expect(county.body.key).toMatchObject({ role: 'reviewer', scope: h.entA.countyCode, email: 'reviewer@county.test' });
    const dept = await h.call('POST', '/v1/api-keys', h.keys.admin, { name: uniq('rev'), role: 'reviewer', scope: h.entA.departmentCode });
    expect(dept.status, JSON.stringify(dept.body)).toBe(201);
    expect(dept.body.key).toMatchObject({ scope: h.entA.departmentCode, email: null });
    const city = await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('rev'), role: 'reviewer' });
    expect(city.status, JSON.stringify(city.body)).toBe(201);
    expect(city.body.key.scope).toBeNull();
    const county2 = await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('ck'), role: 'county', scope: h.entA.countyCode, email: 'head@county.test' });
    expect(county2.body.key.email).toBe('head@county.test');

    // The mailbox is in the list and in the audit log.
    const list = await h.call<{ items: { id: string; email: string | null }[] }>('GET', '/v1/api-keys', h.keys.admin);
    expect(list.body.items.find((k) => k.id === county.body.key.id)?.email).toBe('reviewer@county.test');
    const [audit] = await h.db.select().from(auditLog).where(and(eq(auditLog.subjectId, county.body.key.id), eq(auditLog.action, 'api_key.created')));
    expect(audit?.data).toMatchObject({ role: 'reviewer', scope: h.entA.countyCode, email: 'reviewer@county.test' });

    // The new key works at once, and sees what its scope holds.
    expect((await h.call('GET', '/v1/cases', county.body.secret)).status).toBe(200);
  });

  it('refuses a reviewer scope that is no county or department, a bad mailbox, and reviewer keys made by others', async () => {
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('rev'), role: 'reviewer', scope: 'no-such-unit' }), 422, 'VALIDATION_FAILED', ['scope']);
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('rev'), role: 'reviewer', scope: h.entA.id }), 422, 'VALIDATION_FAILED', ['scope']);
    expect((await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('rev'), role: 'reviewer', email: 'not a mailbox' })).status).toBe(400);
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.admin, { name: uniq('k'), role: 'office', scope: h.entA.countyCode }), 422, 'VALIDATION_FAILED', ['scope']);
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.reviewerCity, { name: uniq('rev'), role: 'reviewer' }), 403, 'FORBIDDEN');
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.county, { name: uniq('rev'), role: 'reviewer' }), 403, 'FORBIDDEN');
  });
});

describe('opening a case by hand', () => {
  it('opens a case about an enterprise (201) in its county and department, and a second one for the same subject joins it (200)', async () => {
    const first = await openCase(h.keys.office, { kind: 'ENTERPRISE', ref: h.entB.id });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.joined).toBe(false);
    expect(first.body.case).toMatchObject({
      status: 'OPEN',
      rung: 'CIRCULAR',
      causeKind: 'MANUAL',
      subject: { kind: 'ENTERPRISE', ref: h.entB.id, countyCode: h.entB.countyCode, departmentCode: h.entB.departmentCode, name: h.entB.name },
      openedBy: { role: 'office' },
    });
    await opened(first.body.case.id);

    const second = await openCase(h.keys.admin, { kind: 'ENTERPRISE', ref: h.entB.id });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ joined: true, case: { id: first.body.case.id } });
    const detail = await eventually(async () => {
      const res = await h.call('GET', `/v1/cases/${first.body.case.id}`, h.keys.admin);
      return res.body.causes.length === 2 ? res.body : undefined;
    }, 20_000, 'the joined cause on the ledger');
    expect(detail.causes.map((c: Json) => c.kind)).toEqual(['MANUAL', 'MANUAL']);
    expect(detail.causesTotal).toBe(2);
    expect(detail.live.causes).toHaveLength(2);
  });

  it('opens a case about a unit in that unit’s own scope; the same Idempotency-Key gives the same case', async () => {
    const headers = { 'idempotency-key': uniq('open') };
    const res = await openCase(h.keys.admin, { kind: 'UNIT', ref: h.entA.countyCode }, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.case.subject).toMatchObject({ kind: 'UNIT', ref: h.entA.countyCode, countyCode: h.entA.countyCode, departmentCode: null });
    const again = await openCase(h.keys.admin, { kind: 'UNIT', ref: h.entA.countyCode }, headers);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.case.id).toBe(res.body.case.id);
    expect(await h.db.select().from(cases).where(and(eq(cases.subjectRef, h.entA.countyCode), eq(cases.causeKind, 'MANUAL')))).toHaveLength(1);
  });

  it('names the field when the subject or the campaign does not exist, and lets only the office open cases', async () => {
    expectProblem(await openCase(h.keys.admin, { kind: 'UNIT', ref: 'no-such-unit' }), 404, 'NOT_FOUND', ['subject.ref']);
    expectProblem(await openCase(h.keys.admin, { kind: 'ENTERPRISE', ref: '00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND', ['subject.ref']);
    // Not an id at all (found by schemathesis: it was a 500): no such enterprise either.
    expectProblem(await openCase(h.keys.admin, { kind: 'ENTERPRISE', ref: '0' }), 404, 'NOT_FOUND', ['subject.ref']);
    const withCampaign = await h.call('POST', '/v1/cases', h.keys.admin, { subject: { kind: 'ENTERPRISE', ref: h.entA.id }, reason: 'x', campaignId: '00000000-0000-4000-8000-000000000000' });
    expectProblem(withCampaign, 404, 'NOT_FOUND', ['campaignId']);
    expect((await h.call('POST', '/v1/cases', h.keys.admin, { subject: { kind: 'ENTERPRISE', ref: h.entA.id } })).status).toBe(400);
    for (const key of [h.keys.reviewerCity, h.keys.county, h.keys.department, h.keys.entA]) expectProblem(await openCase(key, { kind: 'ENTERPRISE', ref: h.entA.id }), 403, 'FORBIDDEN');
  });
});

describe('a case on the ledger whose workflow does not answer', () => {
  it('is read from the ledger alone (liveStatus UNAVAILABLE); a decision is 503 and changes nothing; its evidence says the history is missing', async () => {
    // A row written by an opening that crashed before the start (the reconciler would start it).
    const id = randomUUID();
    const now = new Date();
    await h.db.insert(cases).values({
      id,
      workflowId: `case:${id}`,
      subjectKind: 'ENTERPRISE',
      subjectRef: h.entA.id,
      scopeCounty: h.entA.countyCode,
      scopeDepartment: h.entA.departmentCode,
      causeKind: 'CONCEALMENT',
      rung: 'CIRCULAR',
      status: 'OPEN',
      openedBy: { keyId: 'system', role: 'admin', scope: null, name: 'system' },
      openedAt: now,
      updatedAt: now,
    });
    const detail = await h.call('GET', `/v1/cases/${id}`, h.keys.reviewer);
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    expect(detail.body).toMatchObject({ case: { id, status: 'OPEN', rung: 'CIRCULAR' }, live: null, liveStatus: 'UNAVAILABLE' });
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'RESOLVE', reason: '误立' }), 503, 'UNAVAILABLE');
    expect((await ledgerOf(id)).row.lastSeq).toBe(0);
    const evidence = await h.call('GET', `/v1/cases/${id}/evidence`, h.keys.office);
    expect(evidence.body.histories).toEqual([{ workflowId: `case:${id}`, role: 'case', chain: 'missing', runs: [] }]);
    expect(evidence.body.manifest.complete).toBe(false);
    await h.db.delete(cases).where(eq(cases.id, id));
  });
});

describe('the ladder: a reviewer decides a case rung by rung', () => {
  let id: string;
  let reviewerB: string;

  it('refuses deciders without the role (403) and reviewers outside the case’s scope (404), changing nothing', async () => {
    const res = await openCase(h.keys.office, { kind: 'ENTERPRISE', ref: h.entA.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    id = res.body.case.id;
    await opened(id);
    reviewerB = await h.key('reviewer', h.entB.countyCode);
    const before = await ledgerOf(id);
    const hold = { kind: 'HOLD', reason: '等待调查', until: FUTURE };
    for (const key of [h.keys.county, h.keys.department, h.keys.entA]) expectProblem(await decide(id, key, hold), 403, 'FORBIDDEN');
    expectProblem(await decide(id, reviewerB, hold), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', `/v1/cases/${id}`, reviewerB), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', `/v1/cases/${id}/record`, reviewerB), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', `/v1/cases/${id}/evidence`, reviewerB), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', `/v1/cases/${id}/evidence`, h.keys.county), 403, 'FORBIDDEN');
    const after = await ledgerOf(id);
    expect(after.row.lastSeq).toBe(before.row.lastSeq);
    expect(after.events).toHaveLength(before.events.length);
  });

  it('refuses bad fields with 422 naming them, and skipping rungs with 409, changing nothing', async () => {
    const before = await ledgerOf(id);
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'RESOLVE' }), 422, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'RESOLVE', reason: '   ' }), 422, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: '约谈' }), 422, 'VALIDATION_FAILED', ['summonsAt']);
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: '约谈', summonsAt: PAST }), 422, 'VALIDATION_FAILED', ['summonsAt']);
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'HOLD', reason: '等待', until: PAST }), 422, 'VALIDATION_FAILED', ['until']);
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: '直接移送', to: 'REFERRAL', referralTo: 'POLICE' }), 409, 'ILLEGAL_TRANSITION');
    expect((await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: 'x', to: 'NOWHERE' })).status).toBe(400);
    const live = await h.call('GET', `/v1/cases/${id}`, h.keys.admin);
    expect(live.body.live).toMatchObject({ rung: 'CIRCULAR', status: 'OPEN', seq: before.row.lastSeq });
    expect((await ledgerOf(id)).events).toHaveLength(before.events.length);
  });

  it('escalates one rung at a time with what each rung needs (an enterprise has no 免职 rung), answers a retried decision from its first result, and refuses to climb past the top', async () => {
    const key = { 'idempotency-key': uniq('decide') };
    const summons = await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: '通报后仍未整改，约谈', summonsAt: FUTURE }, key);
    expect(summons.status, JSON.stringify(summons.body)).toBe(200);
    expect(summons.body.live).toMatchObject({ rung: 'SUMMONS', status: 'OPEN', summonsAt: new Date(FUTURE).toISOString(), window: 2 });
    expect(summons.body.case).toMatchObject({ rung: 'SUMMONS', summonsAt: new Date(FUTURE).toISOString() });
    const retried = await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: '通报后仍未整改，约谈', summonsAt: FUTURE }, key);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body.live.rung).toBe('SUMMONS');

    expectProblem(await decide(id, h.keys.reviewer, { kind: 'ESCALATE', reason: '移送' }), 422, 'VALIDATION_FAILED', ['referralTo']);
    const referral = await decide(id, h.keys.reviewerCity, { kind: 'ESCALATE', reason: '移送纪委监委', referralTo: 'DISCIPLINE_COMMISSION' });
    expect(referral.body.live, JSON.stringify(referral.body)).toMatchObject({ rung: 'REFERRAL', referralTo: 'DISCIPLINE_COMMISSION' });
    expectProblem(await decide(id, h.keys.office, { kind: 'ESCALATE', reason: '免职', to: 'DISMISSAL' }), 409, 'ILLEGAL_TRANSITION');
    const judicial = await decide(id, h.keys.office, { kind: 'ESCALATE', reason: '移交司法', expose: true });
    expect(judicial.body.live, JSON.stringify(judicial.body)).toMatchObject({ rung: 'JUDICIAL', exposed: true });
    expectProblem(await decide(id, h.keys.admin, { kind: 'ESCALATE', reason: '再升一级' }), 409, 'ILLEGAL_TRANSITION');

    const row = await eventually(async () => {
      const r = (await ledgerOf(id)).row;
      return r.rung === 'JUDICIAL' ? r : undefined;
    }, 15_000, 'the ledger row on JUDICIAL');
    expect(row).toMatchObject({ exposed: true, referralTo: 'DISCIPLINE_COMMISSION', status: 'OPEN' });
  });

  it('holds and resolves; a resolved case takes no decision (409)', async () => {
    const held = await decide(id, h.keys.reviewer, { kind: 'HOLD', reason: '等待司法机关结论', until: FUTURE });
    expect(held.body.live).toMatchObject({ status: 'HELD', heldUntil: new Date(FUTURE).toISOString(), reviewDueAt: null });
    const resolved = await decide(id, h.keys.reviewer, { kind: 'RESOLVE', reason: '已依法处理' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.live.status).toBe('RESOLVED');
    await eventually(async () => ((await ledgerOf(id)).row.status === 'RESOLVED' ? true : undefined), 15_000, 'the ledger row RESOLVED');
    expectProblem(await decide(id, h.keys.reviewer, { kind: 'RESOLVE', reason: '再次' }), 409, 'ILLEGAL_TRANSITION');
    expectProblem(await decide(id, h.keys.admin, { kind: 'HOLD', reason: '再次', until: FUTURE }), 409, 'ILLEGAL_TRANSITION');
    // The workflow has finished: nothing is left in flight (every mail settled).
    await h.env!.client.workflow.getHandle(`case:${id}`).result();
  });

  it('lists the cases each key may see, with filters and keyset pages', async () => {
    const list = async (key: string, query = '') => (await h.call<{ items: CaseBody[] }>('GET', `/v1/cases?limit=500${query}`, key)).body.items;
    const all = await list(h.keys.admin);
    const aboutA = all.filter((c) => c.subject.ref === h.entA.id);
    expect(aboutA.map((c) => c.id)).toContain(id);
    const mine = (items: CaseBody[]) => items.map((c) => c.id).sort();
    // A county reviewer: the cases in its county (about enterprise A, about the county itself), nothing of B's.
    const inCountyA = all.filter((c) => c.subject.countyCode === h.entA.countyCode || c.subject.ref === h.entA.countyCode);
    expect(mine(await list(h.keys.reviewer))).toEqual(mine(inCountyA));
    expect(mine(await list(reviewerB))).toEqual(mine(all.filter((c) => c.subject.countyCode === h.entB.countyCode)));
    expect(mine(await list(h.keys.reviewerCity))).toEqual(mine(all));
    expect(mine(await list(h.keys.entA))).toEqual(mine(aboutA));
    expect(mine(await list(h.keys.department))).toEqual(mine(all.filter((c) => c.subject.departmentCode === h.entA.departmentCode || c.subject.ref === h.entA.departmentCode)));

    expect(mine(await list(h.keys.admin, '&status=RESOLVED'))).toEqual([id]);
    expect(mine(await list(h.keys.admin, '&rung=JUDICIAL'))).toEqual([id]);
    expect(mine(await list(h.keys.admin, `&subjectKind=UNIT`)).length).toBeGreaterThan(0);
    expect(mine(await list(h.keys.admin, `&subjectRef=${h.entA.id}`))).toEqual(mine(aboutA));
    expect(mine(await list(h.keys.admin, '&causeKind=MANUAL'))).toEqual(mine(all.filter((c) => c.causeKind === 'MANUAL')));
    expect(await list(h.keys.admin, '&causeKind=DUTY_MISSED')).toEqual([]);
    expect(await list(h.keys.admin, '&overdue=true')).toEqual([]);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Reply<{ items: CaseBody[]; nextCursor: string | null }> = await h.call('GET', `/v1/cases?limit=1${cursor ? `&cursor=${cursor}` : ''}`, h.keys.admin);
      paged.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.map((c) => c.id));
    expectProblem(await h.call('GET', '/v1/cases?cursor=bm90LWEtY3Vyc29y', h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });

  it('keeps the whole record of the case in order: every event once, its state before and after, its mail; pages without gaps or repeats', async () => {
    const { events } = await ledgerOf(id);
    const mails = await h.db.select().from(notifications).where(like(notifications.businessKey, `case:${id}:%`));
    expect(mails.length).toBeGreaterThanOrEqual(4); // asked at opening and on each of the three rungs above
    const whole = await wholeRecord(h, `/v1/cases/${id}/record`, h.keys.reviewer, 500);
    expect(whole).toHaveLength(events.length + mails.length);
    expect(whole.map(orderKey)).toEqual([...whole.map(orderKey)].sort());
    const caseEntries = whole.filter((e) => e.stream === 'case');
    expect(caseEntries.map((e) => e.seq)).toEqual(events.map((e) => e.seq).sort((a, b) => a - b));
    expect(caseEntries.map((e) => e.seq)).toEqual(caseEntries.map((_, i) => i + 1));
    expect(caseEntries.map((e) => e.type)).toEqual(['OPENED', 'ESCALATED', 'ESCALATED', 'ESCALATED', 'HELD', 'RESOLVED']);
    expect(caseEntries[0]).toMatchObject({ from: null, to: { status: 'OPEN', rung: 'CIRCULAR' }, actor: { role: 'office' } });
    expect(caseEntries[1]).toMatchObject({ from: { rung: 'CIRCULAR' }, to: { rung: 'SUMMONS' }, actor: { role: 'reviewer' }, data: { reason: '通报后仍未整改，约谈' } });
    expect(caseEntries[5]).toMatchObject({ from: { status: 'HELD', rung: 'JUDICIAL' }, to: { status: 'RESOLVED', rung: 'JUDICIAL' } });
    expect(whole.filter((e) => e.stream === 'mail').map((e) => e.data.businessKey).sort()).toEqual(mails.map((m) => m.businessKey).sort());

    for (const limit of [1, 2, 3]) expect((await wholeRecord(h, `/v1/cases/${id}/record`, h.keys.admin, limit)).map(orderKey)).toEqual(whole.map(orderKey));
    // The enterprise reads the events of its case, not the reviewers' mail.
    const forEnterprise = await wholeRecord(h, `/v1/cases/${id}/record`, h.keys.entA, 500);
    expect(forEnterprise.map(orderKey)).toEqual(caseEntries.map(orderKey));
    expectProblem(await h.call('GET', `/v1/cases/${id}/record?cursor=bm90LWEtY3Vyc29y`, h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });
});

describe('the evidence bundle', () => {
  type Bundle = {
    manifest: Json;
    case: Json;
    causes: Json[];
    record: Json[];
    mails: Json[];
    histories: { workflowId: string; role: string; chain: string; runs: { runId: string; history: { events: Json[] } }[] }[];
  };

  it('carries the case workflow’s history with its decisions and timers, each linked hazard’s, and digests a third party can recompute', async () => {
    // A case on a short ladder (a reminder and the overdue notice within seconds), caused by a real hazard.
    const reported = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.admin, { ...reportBody({ grade: 'MAJOR' }), enterpriseId: h.entA.id });
    const hazardId = reported.body.id;
    h.track(`hazard:${hazardId}`);
    const t = { client: h.env!.client, taskQueue: h.taskQueue };
    const ladder = resolveCaseLadder({ rungs: { CIRCULAR: { reviewTime: 'PT4S', reminderOffsets: ['PT2S'] } } });
    const { caseId } = await openOrJoinCase(h.db, t, {
      subject: unitSubject(h.entA.departmentCode, { name: '应急管理局', kind: 'DEPARTMENT' }),
      cause: { kind: 'HAZARD_ESCALATION', refId: `${hazardId}:v1`, note: '逾期未整改' },
      campaignId: null,
      openedBy: { keyId: 'system', role: 'admin', scope: null, name: 'system' },
      timeZone: 'Asia/Shanghai',
      ladder,
    });
    h.track(`case:${caseId}`);
    await eventually(async () => ((await ledgerOf(caseId)).events.some((e) => e.type === 'REVIEW_OVERDUE') ? true : undefined), 30_000, 'the review window to end');
    // A department's case: a county reviewer does not see it, a city-wide one does.
    expectProblem(await decide(caseId, h.keys.reviewer, { kind: 'ESCALATE', reason: '逾期未决，约谈', summonsAt: FUTURE }), 404, 'NOT_FOUND');
    const escalated = await decide(caseId, h.keys.reviewerCity, { kind: 'ESCALATE', reason: '逾期未决，约谈', summonsAt: FUTURE });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);

    const res = await h.call<Bundle>('GET', `/v1/cases/${caseId}/evidence`, h.keys.reviewerCity);
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(String(res.headers['content-disposition'])).toContain(`case-${caseId}-evidence.json`);
    const b = res.body;

    // Digests: each part and the whole, recomputed from the bundle as received.
    const { manifest, ...parts } = b;
    expect(manifest.sha256).toBe(sha256(parts));
    for (const name of ['case', 'causes', 'record', 'mails', 'histories'] as const) expect(manifest.parts[name], name).toBe(sha256(parts[name]));
    for (const run of manifest.runs) {
      const h2 = b.histories.find((x) => x.workflowId === run.workflowId)!.runs.find((r) => r.runId === run.runId)!;
      expect(run.sha256).toBe(sha256(h2.history));
      expect(run.events).toBe(h2.history.events.length);
    }
    // A changed byte anywhere changes the whole.
    const tampered = structuredClone(parts);
    tampered.record[0].at = new Date(Date.parse(tampered.record[0].at) + 1).toISOString();
    expect(sha256(tampered)).not.toBe(manifest.sha256);
    expect(manifest).toMatchObject({ caseId, format: 'hazard-campaign/case-evidence/v1', temporal: { namespace: 'default' }, complete: true, generatedBy: { role: 'reviewer' } });

    // The ledger part: the row, the cause, the ordered record with the timer steps and the decision.
    expect(b.case).toMatchObject({ id: caseId, rung: 'SUMMONS' });
    expect(b.causes).toMatchObject([{ kind: 'HAZARD_ESCALATION', refId: `${hazardId}:v1` }]);
    const types = b.record.filter((e) => e.stream === 'case').map((e) => e.type);
    expect(types).toEqual(['OPENED', 'REVIEW_REMINDER_SENT', 'REVIEW_OVERDUE', 'ESCALATED']);
    expect(b.mails.map((m) => m.businessKey).sort()).toEqual(b.record.filter((e) => e.stream === 'mail').map((e) => e.data.businessKey).sort());

    // The histories: the case's own and the linked hazard's, each a complete chain.
    expect(b.histories.map((x) => [x.workflowId, x.role, x.chain])).toEqual([
      [`case:${caseId}`, 'case', 'complete'],
      [`hazard:${hazardId}`, 'hazard', 'complete'],
    ]);
    const events = b.histories[0]!.runs.at(-1)!.history.events;
    const ofType = (t: string) => events.filter((e) => e.eventType === t);
    expect(ofType('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(1);
    expect(ofType('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(1);
    expect(ofType('EVENT_TYPE_TIMER_FIRED').length).toBeGreaterThanOrEqual(2);
    // What a third party runs (cli/verify-evidence.ts): digests, the ledger against the history
    // (every step at a workflow task's time, timer steps after their timers), a replay of every run.
    const verified = await verifyEvidence(b, await workflowBundle());
    expect(verified.findings.filter((f) => !f.ok)).toEqual([]);
    expect(verified.findings.filter((f) => f.check.startsWith('replay'))).toHaveLength(2);
    expect(verified.findings.filter((f) => / follows its timer/.test(f.check))).toHaveLength(2);
    const forged = structuredClone(b);
    forged.record.find((e) => e.type === 'ESCALATED')!.data.reason = '无';
    expect((await verifyEvidence(forged, await workflowBundle())).findings.filter((f) => !f.ok).map((f) => f.check)).toEqual(['the whole (every part but the manifest)', 'part record']);
    // The command line the README gives, on the bundle as a file.
    const file = join(mkdtempSync(join(tmpdir(), 'evidence-')), 'case.json');
    writeFileSync(file, JSON.stringify(b));
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'cli/verify-evidence.ts', file], { encoding: 'utf8', timeout: 120_000 });
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain('every check holds');

    // The export is on the audit log with the digest handed out.
    const [audit] = await h.db.select().from(auditLog).where(and(eq(auditLog.subjectId, caseId), eq(auditLog.action, 'case.evidence_exported')));
    expect(audit?.data).toMatchObject({ sha256: manifest.sha256 });
  });

  it('says so when a linked workflow is not in Temporal', async () => {
    const t = { client: h.env!.client, taskQueue: h.taskQueue };
    const ghost = '00000000-0000-4000-8000-00000000beef';
    const { caseId } = await openOrJoinCase(h.db, t, {
      subject: unitSubject(h.entB.departmentCode, { name: '应急管理局', kind: 'DEPARTMENT' }),
      cause: { kind: 'HAZARD_ESCALATION', refId: `${ghost}:v1` },
      campaignId: null,
      openedBy: { keyId: 'system', role: 'admin', scope: null, name: 'system' },
      timeZone: 'Asia/Shanghai',
    });
    h.track(`case:${caseId}`);
    await opened(caseId);
    const b = (await h.call<Bundle>('GET', `/v1/cases/${caseId}/evidence`, h.keys.office)).body;
    expect(b.histories.map((x) => [x.workflowId, x.chain, x.runs.length])).toEqual([
      [`case:${caseId}`, 'complete', 1],
      [`hazard:${ghost}`, 'missing', 0],
    ]);
    expect(b.manifest.complete).toBe(false);
  });
});
