// The ordered record (issue 8 §3) of a hazard and of an enterprise, as the regulators, reviewers
// and the enterprise read it: every ledger event once, oldest first, with the state before and
// after, the mail sent, and pages that neither skip nor repeat. The case's own record is checked
// with its decisions in cases.api.test.ts. The real app on a fresh Postgres database, the shared
// Temporal dev server and a real worker; nothing is mocked.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, notifications } from '../../db/schema';
import { ApiHarness, eventually } from '../support/api-harness';
import { reportBody } from '../support/fixtures';
import { expectProblem } from '../support/problem';
import { orderKey, wholeRecord } from '../support/record';

const h = ApiHarness.forFile({ worker: true });

describe('the record of a hazard and of an enterprise', () => {
  it('holds every hazard event and its mail, and the enterprise’s record holds its hazards and its cases, nothing of others', async () => {
    const reported = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.admin, { ...reportBody({ grade: 'MAJOR' }), enterpriseId: h.entA.id });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    const hazardId = reported.body.id;
    h.track(`hazard:${hazardId}`);
    // Reported to the department: the event and its mail.
    const mail = await eventually(async () => {
      const [m] = await h.db.select().from(notifications).where(and(eq(notifications.hazardId, hazardId), eq(notifications.kind, 'REPORTED_TO_REGULATOR')));
      return m;
    }, 20_000, 'the report to the department in the outbox');
    const { events } = await eventually(async () => {
      const l = await h.ledgerOf(hazardId);
      return l.events >= 2 ? l : undefined;
    }, 20_000, 'the hazard events');
    expect(events).toBeGreaterThanOrEqual(2);

    const full = await wholeRecord(h, `/v1/hazards/${hazardId}/record`, h.keys.department, 500);
    const hazardEntries = full.filter((e) => e.stream === 'hazard');
    expect(hazardEntries.map((e) => e.seq)).toEqual(hazardEntries.map((_, i) => i + 1));
    expect(hazardEntries[0]).toMatchObject({ type: 'REGISTERED', to: { state: 'REGISTERED' }, ref: hazardId, actor: { role: 'admin' } });
    expect(hazardEntries[1]).toMatchObject({ type: 'REPORTED_TO_REGULATOR', from: { state: 'REGISTERED' }, to: { state: 'REPORTED_TO_REGULATOR' }, actor: { keyId: 'system' } });
    expect(full.find((e) => e.stream === 'mail' && e.ref === mail.id)).toMatchObject({ type: 'REPORTED_TO_REGULATOR', actor: null, data: { businessKey: mail.businessKey } });
    expect(full.map(orderKey)).toEqual([...full.map(orderKey)].sort());
    // The enterprise does not read the mail to its regulator.
    const ownHazard = await wholeRecord(h, `/v1/hazards/${hazardId}/record`, h.keys.entA, 500);
    expect(ownHazard.some((e) => e.type === 'REPORTED_TO_REGULATOR' && e.stream === 'mail')).toBe(false);
    expect(ownHazard.filter((e) => e.stream === 'hazard')).toHaveLength(hazardEntries.length);
    expectProblem(await h.call('GET', `/v1/hazards/${hazardId}/record`, h.keys.entB), 404, 'NOT_FOUND');

    // A case about enterprise A, escalated once: its steps are on the enterprise's record too.
    const opened = await h.call<{ case: { id: string } }>('POST', '/v1/cases', h.keys.office, { subject: { kind: 'ENTERPRISE', ref: h.entA.id }, reason: '隐患整改不力' });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const caseId = opened.body.case.id;
    h.track(`case:${caseId}`);
    await eventually(async () => ((await h.call('GET', `/v1/cases/${caseId}`, h.keys.admin)).body.liveStatus === 'LIVE' ? true : undefined), 30_000, 'the case workflow');
    const escalated = await h.call('POST', `/v1/cases/${caseId}/decisions`, h.keys.reviewer, { kind: 'ESCALATE', reason: '约谈', summonsAt: '2099-06-30T02:00:00Z' });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);

    const ofA = await wholeRecord(h, `/v1/enterprises/${h.entA.id}/record`, h.keys.reviewer, 7);
    for (const limit of [1, 2, 500]) expect((await wholeRecord(h, `/v1/enterprises/${h.entA.id}/record`, h.keys.county, limit)).map(orderKey)).toEqual(ofA.map(orderKey));
    expect(ofA.map(orderKey)).toEqual([...ofA.map(orderKey)].sort());
    expect(new Set(ofA.map(orderKey)).size).toBe(ofA.length);
    const hazardRefs = new Set(ofA.filter((e) => e.stream === 'hazard').map((e) => e.ref));
    expect(hazardRefs.has(hazardId)).toBe(true);
    const caseRefs = new Set(ofA.filter((e) => e.stream === 'case').map((e) => e.ref));
    const casesOfA = (await h.db.select({ id: cases.id }).from(cases).where(eq(cases.subjectRef, h.entA.id))).map((c) => c.id);
    expect([...caseRefs].sort()).toEqual(casesOfA.sort());
    expect(casesOfA).toEqual([caseId]);
    expect(ofA.filter((e) => e.stream === 'case').map((e) => e.type)).toEqual(['OPENED', 'ESCALATED']);
    // The enterprise reads its own record, without the mail to its regulators and reviewers.
    const own = await wholeRecord(h, `/v1/enterprises/${h.entA.id}/record`, h.keys.entA, 500);
    expect(own.filter((e) => e.stream !== 'mail').map(orderKey)).toEqual(ofA.filter((e) => e.stream !== 'mail').map(orderKey));
    expect(own.some((e) => e.stream === 'mail' && (e.type === 'REPORTED_TO_REGULATOR' || String(e.type).startsWith('CASE_')))).toBe(false);
    const ofB = await wholeRecord(h, `/v1/enterprises/${h.entB.id}/record`, h.keys.admin, 500);
    expect(ofB.some((e) => hazardRefs.has(e.ref) || caseRefs.has(e.ref))).toBe(false);
    expectProblem(await h.call('GET', `/v1/enterprises/${h.entA.id}/record`, await h.key('reviewer', h.entB.departmentCode)), 404, 'NOT_FOUND');
  });
});
