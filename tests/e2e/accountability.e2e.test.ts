// The plan's teeth end to end on the real dev server: the API and worker processes as production
// composes them, real Postgres, real SMTP, real HTTP, policies in seconds. A hazard nobody
// rectifies escalates; a case opens against its supervising department on the campaign's ladder;
// the reviewer in scope is asked, reminded, and the office head told when the review ends
// undecided; the reviewer decides through the API; every step reaches a mailbox.
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTemplate } from '../../domain/campaign';
import type { SmtpSink } from '../support';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { creditCode, reportBody, uniq } from '../support/fixtures';

let stack: E2eStack;
let sink: SmtpSink;
let adminKey: string;
let call: E2eStack['call'];

beforeAll(async () => {
  stack = await startE2eStack();
  ({ sink, adminKey } = stack);
  call = stack.call.bind(stack);
});

afterAll(async () => {
  await stack?.close();
});

interface CaseView {
  id: string;
  workflowId: string;
  rung: string;
  status: string;
  overdue: boolean;
  causeKind: string;
}

const kindOf = (m: ParsedMail) => m.headers.get('x-notification-kind');
const forCase = (id: string, kind: string, rung?: string) => (m: ParsedMail) =>
  m.headers.get('x-case-id') === id && kindOf(m) === kind && (rung === undefined || m.headers.get('x-case-rung') === rung);
const recipients = (m: ParsedMail) => [m.to].flat().flatMap((a) => a?.value.map((v) => v.address) ?? []);

describe('a hazard left unrectified, end to end through its accountability case', () => {
  it('opens a case against the department, reminds the reviewer, tells the office head, and takes the reviewer\'s decisions through the API', async () => {
    const county = uniq('county');
    const dept = uniq('dept');
    expect((await call('POST', '/v1/units', adminKey, { kind: 'COUNTY', code: county, name: '平城区', email: `${county}@e2e.test` })).status).toBe(201);
    expect((await call('POST', '/v1/units', adminKey, { kind: 'DEPARTMENT', code: dept, name: '市住建局', email: `${dept}@e2e.test` })).status).toBe(201);
    const ent = await call<{ id: string }>('POST', '/v1/enterprises', adminKey, {
      name: '平城建筑有限公司',
      creditCode: creditCode(),
      industry: 'CONSTRUCTION',
      countyCode: county,
      departmentCode: dept,
      principal: { name: '钱总', email: `boss-${county}@e2e.test` },
    });
    expect(ent.status).toBe(201);
    // The department's reviewer, with a mailbox: the right reviewer for cases about the department.
    const reviewerEmail = `reviewer-${dept}@e2e.test`;
    const reviewer = await call<{ secret: string }>('POST', '/v1/api-keys', adminKey, { name: uniq('reviewer'), role: 'reviewer', scope: dept, email: reviewerEmail });
    expect(reviewer.status, JSON.stringify(reviewer.body)).toBe(201);
    const reviewerKey = reviewer.body.secret;

    // A campaign over the county whose ladder runs in seconds (template data, as the office would set a demo).
    const template = {
      ...demoTemplate(Date.now() + 10 * 60_000),
      key: uniq('teeth'),
      caseLadder: { allowSkip: false, rungs: { CIRCULAR: { reviewTime: 'PT12S', reminderOffsets: ['PT6S'] }, SUMMONS: { reviewTime: 'PT1H', reminderOffsets: [] } } },
    };
    expect((await call('POST', '/v1/campaign-templates', adminKey, template)).status).toBe(201);
    const campaign = await call<{ id: string }>('POST', '/v1/campaigns', adminKey, { templateKey: template.key, templateVersion: 1, counties: [county], departments: [dept] });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);

    const reported = await call<{ id: string }>('POST', '/v1/hazards', adminKey, {
      ...reportBody({ enterpriseId: ent.body.id, grade: 'GENERAL', deadline: new Date(Date.now() + 4_000).toISOString(), policy: { reminderOffsets: [], escalationAfter: 'PT2S' } }),
    });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    const hazardId = reported.body.id;

    // Overdue, then escalated: the escalation mail asks for enforcement and the case opens.
    await sink.waitFor((m) => m.headers.get('x-hazard-id') === hazardId && kindOf(m) === 'ESCALATED', 30_000);
    const opened = await expect
      .poll(async () => (await call<{ items: CaseView[] }>('GET', `/v1/cases?subjectRef=${dept}`, reviewerKey)).body.items, { timeout: 20_000 })
      .toHaveLength(1)
      .then(async () => (await call<{ items: CaseView[] }>('GET', `/v1/cases?subjectRef=${dept}`, reviewerKey)).body.items[0]!);
    expect(opened).toMatchObject({ rung: 'CIRCULAR', status: 'OPEN', causeKind: 'HAZARD_ESCALATION' });
    const caseId = opened.id;

    // Asked, reminded 6 s before the review ends, then the office head told when it ends undecided.
    const asked = await sink.waitFor(forCase(caseId, 'CASE_REVIEW_REQUESTED', 'CIRCULAR'), 20_000);
    expect(recipients(asked)).toContain(reviewerEmail);
    const reminded = await sink.waitFor(forCase(caseId, 'CASE_REVIEW_REMINDER'), 30_000);
    expect(recipients(reminded)).toContain(reviewerEmail);
    const overdue = await sink.waitFor(forCase(caseId, 'CASE_REVIEW_OVERDUE'), 30_000);
    expect(recipients(overdue)).toEqual(expect.arrayContaining(['office@e2e.test', reviewerEmail]));
    await expect.poll(async () => (await call<{ case: CaseView }>('GET', `/v1/cases/${caseId}`, reviewerKey)).body.case.overdue, { timeout: 10_000 }).toBe(true);

    // The reviewer decides: skipping a rung is refused, the summons (约谈) is ordered with its date.
    const skip = await call<{ code: string }>('POST', `/v1/cases/${caseId}/decisions`, reviewerKey, { kind: 'ESCALATE', to: 'REFERRAL', referralTo: 'DISCIPLINE_COMMISSION', reason: '跨级' });
    expect(skip.status).toBe(409);
    const summonsAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const escalated = await call<{ case: CaseView }>('POST', `/v1/cases/${caseId}/decisions`, reviewerKey, { kind: 'ESCALATE', summonsAt, reason: '隐患逾期未改，约谈部门负责人' });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    expect(escalated.body.case).toMatchObject({ rung: 'SUMMONS', status: 'OPEN', overdue: false });
    const summoned = await sink.waitFor(forCase(caseId, 'CASE_REVIEW_REQUESTED', 'SUMMONS'), 20_000);
    expect(summoned.text).toContain('约谈');

    // The hazard is rectified and closed: the case records it and stays for the reviewer.
    for (const [path, body] of [
      ['rectification', { evidence: '已整改完毕' }],
      ['verification', { decision: 'ACCEPT' }],
      ['close', {}],
    ] as const) {
      const res = await call('POST', `/v1/hazards/${hazardId}/${path}`, adminKey, body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    await expect
      .poll(async () => (await call<{ causes: { resolvedAt: string | null }[] }>('GET', `/v1/cases/${caseId}`, reviewerKey)).body.causes.every((c) => c.resolvedAt !== null), { timeout: 20_000 })
      .toBe(true);
    expect((await call<{ case: CaseView }>('GET', `/v1/cases/${caseId}`, reviewerKey)).body.case.status).toBe('OPEN');

    const resolved = await call<{ case: CaseView }>('POST', `/v1/cases/${caseId}/decisions`, reviewerKey, { kind: 'RESOLVE', reason: '已约谈，隐患已销号' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.case.status).toBe('RESOLVED');

    // The ordered record of the case, and the evidence bundle carrying both workflows' histories.
    const record = await call<{ items: { type: string; stream: string }[] }>('GET', `/v1/cases/${caseId}/record?limit=100`, reviewerKey);
    expect(record.body.items.filter((e) => e.stream === 'case').map((e) => e.type)).toEqual(['OPENED', 'REVIEW_REMINDER_SENT', 'REVIEW_OVERDUE', 'ESCALATED', 'CAUSE_RESOLVED', 'RESOLVED']);
    const evidence = await call<{ manifest: { runs: { workflowId: string }[] } }>('GET', `/v1/cases/${caseId}/evidence`, reviewerKey);
    expect(evidence.status).toBe(200);
    expect(evidence.body.manifest.runs.map((r) => r.workflowId)).toEqual(expect.arrayContaining([opened.workflowId, `hazard:${hazardId}`]));
  });
});
