// The hazard API as a user drives it: the real app (api/app.ts with the production Fastify
// options) on a fresh Postgres database, the shared Temporal dev server and a real worker that
// writes the ledger and mails a real SMTP sink. Requests go through app.inject; nothing is mocked.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazards } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { resolvePolicy } from '../../domain/policy';
import type { HazardReport } from '../../services/hazard-report';
import { ApiHarness, eventually, type Enterprise, type Json, type ProblemBody, type Reply } from '../support/api-harness';
import { expectProblem } from '../support/problem';
import { reportBody, seedEnterprise, seedHazard, seedUnits, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: true });
beforeAll(() => h.start());
afterAll(() => h.close());

type Hazard = Record<string, Json> & { id: string; state: string; deadline: string; deadlineVersion: number };
type Detail = { hazard: Hazard; live: Record<string, Json> | null; timeline: { seq: number; type: string; fromState: string | null; toState: string; actor: { role: string }; data: Record<string, Json> }[] };

const COMMANDS = {
  listForSupervision: { path: 'list-for-supervision', body: {} },
  submitRectification: { path: 'rectification', body: { evidence: '已更换线路' } },
  decideVerification: { path: 'verification', body: { decision: 'ACCEPT' } },
  close: { path: 'close', body: {} },
  requestExtension: { path: 'extension-request', body: { requestedDeadline: '2100-06-30', reason: '设备到货延迟' } },
  decideExtension: { path: 'extension-decision', body: { decision: 'APPROVE' } },
  withdraw: { path: 'withdrawal', body: { reason: '误报' } },
} as const;


/** Report as `key`; keys other than an enterprise's report for `enterprise`. */
function report(key: string, over: Partial<HazardReport> = {}, headers: Record<string, string> = {}, enterprise?: Enterprise) {
  const body = { ...reportBody(over), ...(enterprise ? { enterpriseId: enterprise.id } : {}) };
  return h.call<Hazard>('POST', '/v1/hazards', key, body, headers);
}

const detail = (id: string, key = h.keys.admin) => h.call<Detail>('GET', `/v1/hazards/${id}`, key);
const command = (id: string, name: keyof typeof COMMANDS, key: string, body: object = COMMANDS[name].body) =>
  h.call<{ hazard: Hazard; live: Record<string, Json> | null }>('POST', `/v1/hazards/${id}/${COMMANDS[name].path}`, key, body);

/** Waits until the worker has moved the ledger row to `state` (and the workflow answers queries). */
function waitForState(id: string, state: string): Promise<Detail> {
  return eventually(async () => {
    const res = await detail(id);
    return res.body.hazard?.state === state && res.body.live !== null ? res.body : undefined;
  }, 15_000, `hazard ${id} in ${state}`);
}

async function reportRectifying(key: string, over: Partial<HazardReport> = {}, enterprise?: Enterprise): Promise<Hazard> {
  const res = await report(key, over, {}, enterprise);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await waitForState(res.body.id, 'RECTIFYING');
  return res.body;
}

/** Every page of a list, following nextCursor. */
async function walk(url: string, key: string): Promise<{ pages: Hazard[][]; ids: string[] }> {
  const pages: Hazard[][] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: Reply<{ items: Hazard[]; nextCursor: string | null }> = await h.call('GET', `${url}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`, key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
    if (pages.length > 100) throw new Error('pagination does not end');
  } while (cursor);
  return { pages, ids: pages.flat().map((x) => x.id) };
}

describe('authentication', () => {
  it('answers 401 problem JSON without a key, with an unknown key and with a malformed header', async () => {
    const before = await h.hazardCount();
    expectProblem(await h.call('GET', '/v1/hazards', null), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('GET', '/v1/hazards', 'hc_not-a-real-key'), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('GET', '/v1/hazards', null, undefined, { authorization: `Basic ${h.keys.admin}` }), 401, 'UNAUTHORIZED');
    // Authentication comes before anything else: a valid report without a key stores nothing.
    expectProblem(await h.call('POST', '/v1/hazards', null, { ...reportBody(), enterpriseId: h.entA.id }), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('POST', '/v1/hazards', 'hc_wrong', { ...reportBody(), enterpriseId: h.entA.id }), 401, 'UNAUTHORIZED');
    expect(await h.hazardCount()).toBe(before);
  });

  it('serves /health and the OpenAPI document without a key', async () => {
    const health = await h.call('GET', '/health', null);
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', database: true, temporal: true } });

    const docs = await h.call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', '/docs/json', null);
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toBe('3.1.0');
    expect(docs.body.paths['/v1/hazards']).toHaveProperty('post');
    expect(docs.body.paths['/v1/hazards']).toHaveProperty('get');
    expect(Object.keys(docs.body.paths)).toContain('/v1/hazards/{id}/verification');
  });
});

describe('report validation', () => {
  // Policies are for the office and regulators (an enterprise setting one gets 403): their checks run as the office.
  type Case = { name: string; body: () => Record<string, unknown>; status: number; fields: string[]; office?: boolean };
  const valid = () => ({ ...reportBody() }) as Record<string, unknown>;
  const cases: Case[] = [
    { name: 'an empty body', body: () => ({}), status: 400, fields: ['grade', 'description', 'location', 'responsible', 'measures', 'fundsAmount', 'deadline', 'interimControls'] },
    {
      name: 'missing deadline and measures',
      body: () => {
        const body = valid();
        delete body.deadline;
        delete body.measures;
        return body;
      },
      status: 400,
      fields: ['deadline', 'measures'],
    },
    { name: 'an unknown field', body: () => ({ ...valid(), colour: 'red' }), status: 400, fields: ['colour'] },
    { name: 'an unknown nested field', body: () => ({ ...valid(), responsible: { name: '李工', age: 40 } }), status: 400, fields: ['responsible.age'] },
    { name: 'an unknown grade', body: () => ({ ...valid(), grade: 'SEVERE' }), status: 400, fields: ['grade'] },
    { name: 'an unknown source', body: () => ({ ...valid(), source: 'RUMOUR' }), status: 400, fields: ['source'] },
    { name: 'a negative fundsAmount', body: () => ({ ...valid(), fundsAmount: -1 }), status: 400, fields: ['fundsAmount'] },
    { name: 'a deadline in the past', body: () => ({ ...valid(), deadline: '2020-01-01' }), status: 422, fields: ['deadline'] },
    { name: 'a deadline instant in the past', body: () => ({ ...valid(), deadline: '2020-01-01T08:00:00+08:00' }), status: 422, fields: ['deadline'] },
    { name: 'an unparsable deadline', body: () => ({ ...valid(), deadline: 'next friday, maybe' }), status: 422, fields: ['deadline'] },
    { name: 'a date that does not exist', body: () => ({ ...valid(), deadline: '2099-02-30' }), status: 422, fields: ['deadline'] },
    { name: 'a blank description', body: () => ({ ...valid(), description: '   ' }), status: 422, fields: ['description'] },
    { name: 'a bad reminder offset', body: () => ({ ...valid(), policy: { reminderOffsets: ['P3D', 'P3X'] } }), status: 422, fields: ['policy.reminderOffsets[1]'], office: true },
    { name: 'a first reminder offset that is no duration', body: () => ({ ...valid(), policy: { reminderOffsets: ['3 days'] } }), status: 400, fields: ['policy.reminderOffsets[0]'] },
    { name: 'a bad escalation step', body: () => ({ ...valid(), policy: { escalationAfter: 'P1DT' } }), status: 422, fields: ['policy.escalationAfter'], office: true },
    { name: 'an unknown policy field', body: () => ({ ...valid(), policy: { quietHours: true } }), status: 400, fields: ['policy.quietHours'] },
  ];

  it.each(cases)('refuses $name with $status naming the fields, and stores nothing', async ({ body, status, fields, office }) => {
    const before = await h.hazardCount();
    const res = await h.call<ProblemBody>('POST', '/v1/hazards', office ? h.keys.office : h.keys.entA, office ? { ...body(), enterpriseId: h.entA.id } : body(), { 'idempotency-key': uniq('bad') });
    expectProblem(res, status, 'VALIDATION_FAILED', fields);
    for (const e of res.body.errors ?? []) expect(e.reason.length).toBeGreaterThan(0);
    expect(await h.hazardCount()).toBe(before);
  });

  it('refuses a body that is not JSON with a 400 problem, and stores nothing', async () => {
    const before = await h.hazardCount();
    const res = await h.app.inject({ method: 'POST', url: '/v1/hazards', headers: { authorization: `Bearer ${h.keys.entA}`, 'content-type': 'application/json' }, payload: '{"grade": "GENERAL",' });
    expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 400, 'VALIDATION_FAILED');
    expect(await h.hazardCount()).toBe(before);
  });

  it('refuses an Idempotency-Key longer than 200 characters naming the header', async () => {
    const before = await h.hazardCount();
    expectProblem(await report(h.keys.entA, {}, { 'idempotency-key': 'k'.repeat(201) }), 400, 'VALIDATION_FAILED', ['headers.idempotency-key']);
    expect(await h.hazardCount()).toBe(before);
  });

  it('refuses a deadline it cannot schedule (9999-12-31) with 422 naming deadline, not a server error', async () => {
    const before = await h.hazardCount();
    expectProblem(await report(h.keys.entA, { deadline: '9999-12-31' }), 422, 'VALIDATION_FAILED', ['deadline']);
    expect(await h.hazardCount()).toBe(before);
  });

  it('stores the largest fundsAmount the published schema allows, and refuses a larger one naming the field', async () => {
    const res = await report(h.keys.entA, { fundsAmount: 999_999_999_999 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.fundsAmount).toBe(999_999_999_999);
    expectProblem(await report(h.keys.entA, { fundsAmount: 1e12 }), 400, 'VALIDATION_FAILED', ['fundsAmount']);
  });

  it('refuses a policy whose escalation step the workflow cannot schedule, instead of registering a hazard whose process fails', async () => {
    const before = await h.hazardCount();
    const res = await report(h.keys.office, { policy: { escalationAfter: 'P300000Y' } }, {}, h.entA);
    try {
      expectProblem(res, 422, 'VALIDATION_FAILED', ['policy.escalationAfter']);
      expect(await h.hazardCount()).toBe(before);
    } finally {
      // Accepted anyway: stop its workflow, whose every task fails, so it does not linger on the shared server.
      if (res.status === 201) await h.env!.client.workflow.getHandle(`hazard:${res.body.id}`).terminate('test cleanup').catch(() => undefined);
    }
  });

  it('refuses an unknown time zone naming timeZone, and stores nothing', async () => {
    const before = await h.hazardCount();
    const res = await h.call<ProblemBody>('POST', '/v1/hazards', h.keys.entA, { ...reportBody(), timeZone: 'Mars/Olympus_Mons' });
    expectProblem(res, 422, 'VALIDATION_FAILED');
    expect(res.body.errors?.map((e) => e.field)).toContain('timeZone');
    expect(await h.hazardCount()).toBe(before);
  });

  it('blames only timeZone, not the well-formed deadline, when the time zone is unknown', async () => {
    const res = await h.call<ProblemBody>('POST', '/v1/hazards', h.keys.entA, { ...reportBody({ deadline: '2099-12-31' }), timeZone: 'Mars/Olympus_Mons' });
    expectProblem(res, 422, 'VALIDATION_FAILED', ['timeZone']);
  });

  it('needs enterpriseId from a regulator, and an enterprise within the caller\'s scope', async () => {
    const before = await h.hazardCount();
    expectProblem(await report(h.keys.office), 422, 'VALIDATION_FAILED', ['enterpriseId']);
    // An enterprise that does not exist, or not for the caller, is 404 naming the field.
    expectProblem(await report(h.keys.office, {}, {}, { ...h.entA, id: '00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND', ['enterpriseId']);
    // An enterprise reports for itself only; a county only for enterprises in its territory.
    expectProblem(await report(h.keys.entA, {}, {}, h.entB), 404, 'NOT_FOUND', ['enterpriseId']);
    expectProblem(await report(h.keys.county, {}, {}, h.entB), 404, 'NOT_FOUND', ['enterpriseId']);
    expectProblem(await report(h.keys.office, {}, {}, { ...h.entA, id: 'not-a-uuid' }), 400, 'VALIDATION_FAILED', ['enterpriseId']);
    expect(await h.hazardCount()).toBe(before);
  });

  it('answers 400 naming params.id for a non-uuid id, on reads and on commands', async () => {
    expectProblem(await h.call('GET', '/v1/hazards/not-a-uuid', h.keys.admin), 400, 'VALIDATION_FAILED', ['params.id']);
    expectProblem(await h.call('POST', '/v1/hazards/42/close', h.keys.admin, {}), 400, 'VALIDATION_FAILED', ['params.id']);
    expectProblem(await h.call('GET', '/v1/hazards/00000000-0000-4000-8000-000000000000', h.keys.admin), 404, 'NOT_FOUND');
  });

  it('refuses bad list queries: unknown parameter, bad enum, limit out of range', async () => {
    expectProblem(await h.call('GET', '/v1/hazards?colour=red', h.keys.admin), 400, 'VALIDATION_FAILED', ['querystring.colour']);
    expectProblem(await h.call('GET', '/v1/hazards?status=DONE', h.keys.admin), 400, 'VALIDATION_FAILED', ['querystring.status']);
    expectProblem(await h.call('GET', '/v1/hazards?limit=0', h.keys.admin), 400, 'VALIDATION_FAILED', ['querystring.limit']);
    expectProblem(await h.call('GET', '/v1/hazards?limit=501', h.keys.admin), 400, 'VALIDATION_FAILED', ['querystring.limit']);
  });

  it('refuses a cursor it never issued with 422 naming querystring.cursor', async () => {
    expectProblem(await h.call('GET', '/v1/hazards?cursor=garbage', h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
    const wrongShape = Buffer.from(JSON.stringify({ page: 2 })).toString('base64url');
    expectProblem(await h.call('GET', `/v1/hazards?cursor=${wrongShape}`, h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
    expectProblem(await h.call('GET', `/v1/notifications?cursor=garbage`, h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });

  it('refuses a well-formed cursor whose id is not a hazard id with 422, not a server error', async () => {
    const forged = Buffer.from(JSON.stringify({ createdAt: '2030-01-01T00:00:00.000Z', id: 'x' })).toString('base64url');
    expectProblem(await h.call('GET', `/v1/hazards?cursor=${forged}`, h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });
});

describe('reporting', () => {
  it('registers a general hazard (201, the ledger row) and its workflow starts rectification', async () => {
    const res = await report(h.keys.entA, { deadline: '2099-12-31' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const hz = res.body;
    expect(hz).toMatchObject({
      enterpriseId: h.entA.id,
      countyCode: h.entA.countyCode,
      departmentCode: h.entA.departmentCode,
      industry: h.entA.industry,
      grade: 'GENERAL',
      source: 'SELF_INSPECTION',
      workflowId: `hazard:${hz.id}`,
      // A date alone is the end of that day in Asia/Shanghai (UTC+8).
      deadline: '2099-12-31T15:59:59.999Z',
      deadlineVersion: 1,
      timeZone: 'Asia/Shanghai',
      fundsAmount: 12000,
      overdue: false,
      escalated: false,
      closedAt: null,
      pendingExtension: null,
      policy: { reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P7D', sendTime: '09:00' },
      principal: { name: h.entA.principalName, email: h.entA.principalEmail },
    });
    expect(res.headers['idempotent-replayed']).toBeUndefined();

    const d = await waitForState(hz.id, 'RECTIFYING');
    expect(d.live).toMatchObject({ state: 'RECTIFYING', deadline: '2099-12-31T15:59:59.999Z', deadlineVersion: 1 });
    expect(d.timeline.map((e) => e.type)).toEqual(['REGISTERED', 'RECTIFICATION_STARTED']);
    expect(d.timeline[0]).toMatchObject({ seq: 1, fromState: 'REGISTERED', toState: 'REGISTERED', actor: { role: 'enterprise' } });
    expect(d.timeline[1]).toMatchObject({ seq: 2, fromState: 'REGISTERED', toState: 'RECTIFYING' });
  });

  it('reports a major hazard to the regulator and the county and starts its rectification at once: the row, the timeline and the mail', async () => {
    const res = await report(h.keys.entA, { grade: 'MAJOR' });
    expect(res.status).toBe(201);
    expect(res.body.policy).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '09:00' });
    const d = await waitForState(res.body.id, 'RECTIFYING');
    expect(d.timeline.map((e) => e.type)).toEqual(['REGISTERED', 'REPORTED_TO_REGULATOR', 'RECTIFICATION_STARTED']);
    const mail = await h.sink!.waitFor((m) => m.headers.get('x-hazard-id') === res.body.id && m.headers.get('x-notification-kind') === 'REPORTED_TO_REGULATOR');
    expect(JSON.stringify(mail.to)).toContain(`${h.entA.departmentCode}@dept.test`);
    // 属地: the county where the enterprise sits is told as well as its department.
    expect(JSON.stringify(mail.to)).toContain(`${h.entA.countyCode}@county.test`);
  });

  it('reads deadlines in the hazard\'s zone: local date-time, instant with offset, another zone', async () => {
    const local = await report(h.keys.entA, { deadline: '2099-06-01T18:30' });
    expect(local.body.deadline).toBe('2099-06-01T10:30:00.000Z');
    const instant = await report(h.keys.entA, { deadline: '2099-06-01T18:30:00Z' });
    expect(instant.body.deadline).toBe('2099-06-01T18:30:00.000Z');
    const berlin = await report(h.keys.entA, { deadline: '2099-01-15', timeZone: 'Europe/Berlin' });
    expect(berlin.body).toMatchObject({ deadline: '2099-01-15T22:59:59.999Z', timeZone: 'Europe/Berlin' });
    for (const r of [local, instant, berlin]) expect(r.status).toBe(201);
  });

  it('keeps a hazard-level policy override and reports for an enterprise when a regulator calls', async () => {
    const res = await report(h.keys.department, { policy: { reminderOffsets: ['P10D'], sendTime: '08:30' }, source: 'SPOT_CHECK' }, {}, h.entA);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ enterpriseId: h.entA.id, source: 'SPOT_CHECK', policy: { reminderOffsets: ['P10D'], escalationAfter: 'P7D', sendTime: '08:30' } });
    await waitForState(res.body.id, 'RECTIFYING');
  });
});

describe('idempotent reporting', () => {
  it('replays the same key and body: 200, the same hazard, idempotent-replayed, never two rows', async () => {
    const key = uniq('idem');
    const body = reportBody({ description: uniq('重复提交') });
    const before = await h.hazardCount();
    const first = await h.call<Hazard>('POST', '/v1/hazards', h.keys.entA, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // Same content, keys in another order: the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await h.call<Hazard>('POST', '/v1/hazards', h.keys.entA, reordered, { 'idempotency-key': key });
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(await h.hazardCount()).toBe(before + 1);
    await waitForState(first.body.id, 'RECTIFYING');
  });

  it('replays across the organisation\'s keys: a rotated enterprise key gets the same hazard', async () => {
    const key = uniq('idem');
    const body = reportBody();
    const first = await h.call<Hazard>('POST', '/v1/hazards', h.keys.entA, body, { 'idempotency-key': key });
    const rotated = await h.key('enterprise', h.entA.id);
    const again = await h.call<Hazard>('POST', '/v1/hazards', rotated, body, { 'idempotency-key': key });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing stored', async () => {
    const key = uniq('idem');
    const first = await h.call<Hazard>('POST', '/v1/hazards', h.keys.entA, reportBody({ fundsAmount: 1000 }), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const before = await h.hazardCount();
    const ledgerBefore = await h.ledgerOf(first.body.id);
    const res = await h.call<ProblemBody>('POST', '/v1/hazards', h.keys.entA, reportBody({ fundsAmount: 2000 }), { 'idempotency-key': key });
    expectProblem(res, 422, 'IDEMPOTENCY_KEY_REUSED', ['Idempotency-Key']);
    expect(await h.hazardCount()).toBe(before);
    expect((await h.ledgerOf(first.body.id)).row?.fundsAmount).toBe(ledgerBefore.row?.fundsAmount);
  });

  it('keys are per organisation: another enterprise may use the same key', async () => {
    const key = uniq('idem');
    const a = await h.call<Hazard>('POST', '/v1/hazards', h.keys.entA, reportBody(), { 'idempotency-key': key });
    const b = await h.call<Hazard>('POST', '/v1/hazards', h.keys.entB, reportBody(), { 'idempotency-key': key });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(b.body.enterpriseId).toBe(h.entB.id);
  });

  it('creates exactly one hazard when the same keyed report arrives 5 times at once', async () => {
    const key = uniq('idem-race');
    const body = reportBody({ description: uniq('并发') });
    const before = await h.hazardCount();
    const replies = await Promise.all(Array.from({ length: 5 }, () => h.call<Hazard>('POST', '/v1/hazards', h.keys.entA, body, { 'idempotency-key': key })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await h.hazardCount()).toBe(before + 1);
    const rows = await h.db.select({ id: hazards.id }).from(hazards).where(eq(hazards.idempotencyKey, key));
    expect(rows).toHaveLength(1);
    // One workflow: the timeline has a single registration.
    const d = await waitForState(replies[0]!.body.id, 'RECTIFYING');
    expect(d.timeline.filter((e) => e.type === 'REGISTERED')).toHaveLength(1);
  });
});

describe('commands', () => {
  it('answers 409 ILLEGAL_TRANSITION for a command the state does not allow, and the ledger is unchanged', async () => {
    const hz = await reportRectifying(h.keys.entA);
    const before = await h.ledgerOf(hz.id);
    expectProblem(await command(hz.id, 'close', h.keys.entA), 409, 'ILLEGAL_TRANSITION');
    expectProblem(await command(hz.id, 'decideVerification', h.keys.entA), 409, 'ILLEGAL_TRANSITION');
    expect(await h.ledgerOf(hz.id)).toEqual(before);
    expect((await detail(hz.id)).body.live).toMatchObject({ state: 'RECTIFYING' });
  });

  it('accepts a submission once; a second submission is 409 and changes nothing', async () => {
    const hz = await reportRectifying(h.keys.entA);
    const first = await command(hz.id, 'submitRectification', h.keys.entA);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.hazard.state).toBe('SUBMITTED');
    expect(first.body.live).toMatchObject({ state: 'SUBMITTED' });
    const before = await h.ledgerOf(hz.id);
    expectProblem(await command(hz.id, 'submitRectification', h.keys.entA), 409, 'ILLEGAL_TRANSITION');
    expect(await h.ledgerOf(hz.id)).toEqual(before);
  });

  it('takes one of several simultaneous submissions; the others get 409 from the workflow, one event on the ledger', async () => {
    const hz = await reportRectifying(h.keys.entA);
    const replies = await Promise.all([1, 2, 3].map((n) => command(hz.id, 'submitRectification', h.keys.entA, { evidence: `证据 ${n}` })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    for (const r of replies.filter((x) => x.status === 409)) expectProblem(r, 409, 'ILLEGAL_TRANSITION');
    const d = await detail(hz.id);
    expect(d.body.timeline.filter((e) => e.type === 'RECTIFICATION_SUBMITTED')).toHaveLength(1);
    expect(d.body.hazard.state).toBe('SUBMITTED');
  });

  it('answers 403 when the role may not act: an enterprise verifying its own major hazard, a department submitting', async () => {
    const major = await report(h.keys.entA, { grade: 'MAJOR' });
    await waitForState(major.body.id, 'RECTIFYING');
    const before = await h.ledgerOf(major.body.id);
    expectProblem(await command(major.body.id, 'decideVerification', h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await command(major.body.id, 'close', h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await command(major.body.id, 'listForSupervision', h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await command(major.body.id, 'withdraw', h.keys.department), 403, 'FORBIDDEN');
    expect(await h.ledgerOf(major.body.id)).toEqual(before);

    const general = await reportRectifying(h.keys.entA);
    expectProblem(await command(general.id, 'submitRectification', h.keys.department), 403, 'FORBIDDEN');
    expectProblem(await command(general.id, 'listForSupervision', h.keys.department), 403, 'FORBIDDEN');
  });

  it('lists a major hazard for supervision beside its rectification, once: the department acts, the state stays', async () => {
    const major = await report(h.keys.entA, { grade: 'MAJOR' });
    await waitForState(major.body.id, 'RECTIFYING');
    const res = await command(major.body.id, 'listForSupervision', h.keys.department, { note: '市应急局挂牌督办' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.hazard.state).toBe('RECTIFYING');
    const d = await detail(major.body.id);
    expect(d.body.timeline.map((e) => e.type)).toEqual(['REGISTERED', 'REPORTED_TO_REGULATOR', 'RECTIFICATION_STARTED', 'LISTED_FOR_SUPERVISION']);
    expect(d.body.timeline[3]).toMatchObject({ actor: { role: 'department' }, data: { note: '市应急局挂牌督办' } });
    expectProblem(await command(major.body.id, 'listForSupervision', h.keys.department, { note: '再次挂牌' }), 409, 'ILLEGAL_TRANSITION');
  });

  it('needs a reason to reject a verification: 422 naming reason, state stays SUBMITTED', async () => {
    const hz = await reportRectifying(h.keys.entA);
    expect((await command(hz.id, 'submitRectification', h.keys.entA)).status).toBe(200);
    const before = await h.ledgerOf(hz.id);
    expectProblem(await command(hz.id, 'decideVerification', h.keys.entA, { decision: 'REJECT' }), 422, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await command(hz.id, 'decideVerification', h.keys.entA, { decision: 'REJECT', reason: '' }), 400, 'VALIDATION_FAILED', ['reason']);
    expectProblem(await command(hz.id, 'decideVerification', h.keys.entA, { decision: 'MAYBE' }), 400, 'VALIDATION_FAILED', ['decision']);
    expect(await h.ledgerOf(hz.id)).toEqual(before);
    expect(before.row?.state).toBe('SUBMITTED');
  });

  it('handles an extension: request (200), a second request (409 EXTENSION_PENDING), approval moves the deadline to version 2', async () => {
    const hz = await reportRectifying(h.keys.entA, { deadline: '2099-12-31' });
    expectProblem(await command(hz.id, 'decideExtension', h.keys.department), 409, 'NO_EXTENSION_PENDING');
    // The requested deadline must be later than the current one.
    expectProblem(await command(hz.id, 'requestExtension', h.keys.entA, { requestedDeadline: '2099-06-30', reason: '太早' }), 422, 'VALIDATION_FAILED', ['requestedDeadline']);
    expectProblem(await command(hz.id, 'requestExtension', h.keys.entA, { requestedDeadline: '2100-02-30', reason: '不存在的日期' }), 422, 'VALIDATION_FAILED', ['requestedDeadline']);

    const requested = await command(hz.id, 'requestExtension', h.keys.entA, { requestedDeadline: '2100-06-30', reason: '设备到货延迟' });
    expect(requested.status, JSON.stringify(requested.body)).toBe(200);
    expect(requested.body.hazard.pendingExtension).toMatchObject({ requestedDeadline: '2100-06-30T15:59:59.999Z', reason: '设备到货延迟', requestedBy: { role: 'enterprise' } });
    expect(requested.body.hazard.deadlineVersion).toBe(1);

    const before = await h.ledgerOf(hz.id);
    expectProblem(await command(hz.id, 'requestExtension', h.keys.entA, { requestedDeadline: '2100-09-30', reason: '再延' }), 409, 'EXTENSION_PENDING');
    expect(await h.ledgerOf(hz.id)).toEqual(before);
    // An enterprise does not approve its own extension.
    expectProblem(await command(hz.id, 'decideExtension', h.keys.entA), 403, 'FORBIDDEN');

    const approved = await command(hz.id, 'decideExtension', h.keys.department, { decision: 'APPROVE' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.hazard).toMatchObject({ deadline: '2100-06-30T15:59:59.999Z', deadlineVersion: 2, pendingExtension: null, state: 'RECTIFYING' });
    expect(approved.body.live).toMatchObject({ deadline: '2100-06-30T15:59:59.999Z', deadlineVersion: 2, extensions: 1 });
    const [row] = await h.db.select().from(hazards).where(eq(hazards.id, hz.id));
    expect(row).toMatchObject({ deadlineVersion: 2, pendingExtension: null });
    expect(row!.deadline.toISOString()).toBe('2100-06-30T15:59:59.999Z');

    const d = await detail(hz.id);
    expect(d.body.timeline.map((e) => e.type)).toEqual(['REGISTERED', 'RECTIFICATION_STARTED', 'EXTENSION_REQUESTED', 'EXTENSION_APPROVED']);
    expect(d.body.timeline[3]!.data).toMatchObject({ previousDeadline: '2099-12-31T15:59:59.999Z', deadline: '2100-06-30T15:59:59.999Z' });
    const mail = await h.sink!.waitFor((m) => m.headers.get('x-hazard-id') === hz.id && m.headers.get('x-notification-kind') === 'EXTENSION_DECIDED');
    expect(mail.subject).toContain('延期批准');
  });

  it('refuses an extension with a reason (the deadline stays), or approves it with another deadline read in the hazard\'s zone', async () => {
    const hz = await reportRectifying(h.keys.entA, { deadline: '2099-12-31' });
    expect((await command(hz.id, 'requestExtension', h.keys.entA, { requestedDeadline: '2100-06-30', reason: '设备到货延迟' })).status).toBe(200);
    expectProblem(await command(hz.id, 'decideExtension', h.keys.county, { decision: 'REFUSE' }), 422, 'VALIDATION_FAILED', ['reason']);
    const refused = await command(hz.id, 'decideExtension', h.keys.county, { decision: 'REFUSE', reason: '理由不充分' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body.hazard).toMatchObject({ deadline: '2099-12-31T15:59:59.999Z', deadlineVersion: 1, pendingExtension: null });

    expect((await command(hz.id, 'requestExtension', h.keys.entA, { requestedDeadline: '2100-06-30', reason: '再次申请' })).status).toBe(200);
    const approved = await command(hz.id, 'decideExtension', h.keys.office, { decision: 'APPROVE', deadline: '2100-03-31T12:00' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.hazard).toMatchObject({ deadline: '2100-03-31T04:00:00.000Z', deadlineVersion: 2, pendingExtension: null });
    const d = await detail(hz.id);
    expect(d.body.timeline.map((e) => e.type).slice(2)).toEqual(['EXTENSION_REQUESTED', 'EXTENSION_REFUSED', 'EXTENSION_REQUESTED', 'EXTENSION_APPROVED']);
  });

  it('withdraws a hazard (office): WITHDRAWN with closedAt, and later commands are refused', async () => {
    const hz = await reportRectifying(h.keys.entA);
    expectProblem(await command(hz.id, 'withdraw', h.keys.office, { reason: '   ' }), 422, 'VALIDATION_FAILED', ['reason']);
    const res = await command(hz.id, 'withdraw', h.keys.office, { reason: '重复登记' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.hazard.state).toBe('WITHDRAWN');
    expect(res.body.hazard.closedAt).not.toBeNull();
    const before = await h.ledgerOf(hz.id);
    expectProblem(await command(hz.id, 'submitRectification', h.keys.entA), 409, 'ILLEGAL_TRANSITION');
    expectProblem(await command(hz.id, 'withdraw', h.keys.office), 409, 'ILLEGAL_TRANSITION');
    expect(await h.ledgerOf(hz.id)).toEqual(before);
  });

  it('refuses unknown fields in a command body', async () => {
    const hz = await reportRectifying(h.keys.entA);
    expectProblem(await command(hz.id, 'submitRectification', h.keys.entA, { evidence: 'x', photos: 3 }), 400, 'VALIDATION_FAILED', ['photos']);
    expectProblem(
      await command(hz.id, 'submitRectification', h.keys.entA, { evidence: 'x', attachments: [{ name: 'a.jpg', sha256: 'nothex' }] }),
      400,
      'VALIDATION_FAILED',
      ['attachments[0].sha256'],
    );
  });
});

describe('scope', () => {
  let a: Hazard;
  let b: Hazard;
  beforeAll(async () => {
    a = await reportRectifying(h.keys.entA, { description: uniq('A 的隐患') });
    b = await reportRectifying(h.keys.entB, { description: uniq('B 的隐患') });
  });

  it('hides enterprise A\'s hazard from enterprise B: 404 on GET and on every command, the ledger unchanged', async () => {
    expectProblem(await detail(a.id, h.keys.entB), 404, 'NOT_FOUND');
    const before = await h.ledgerOf(a.id);
    for (const name of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
      const problem = expectProblem(await command(a.id, name, h.keys.entB), 404, 'NOT_FOUND');
      // The same answer as for a hazard that does not exist: nothing leaks.
      expect(problem.detail).toBe('hazard not found');
    }
    expect(await h.ledgerOf(a.id)).toEqual(before);
    const outbox = await h.call<{ items: unknown[] }>('GET', `/v1/notifications?hazardId=${a.id}`, h.keys.entB);
    expect(outbox).toMatchObject({ status: 200, body: { items: [] } });
  });

  it('lists only the caller\'s own hazards for an enterprise, even when it filters for another', async () => {
    const listB = await walk('/v1/hazards?limit=100', h.keys.entB);
    expect(listB.ids).toContain(b.id);
    expect(listB.ids).not.toContain(a.id);
    expect(listB.pages.flat().every((x) => x.enterpriseId === h.entB.id)).toBe(true);
    const filtered = await h.call<{ items: Hazard[] }>('GET', `/v1/hazards?enterpriseId=${h.entA.id}`, h.keys.entB);
    expect(filtered).toMatchObject({ status: 200, body: { items: [] } });
  });

  it('keeps accountability reviews from enterprises (403) and lets regulators read them', async () => {
    expectProblem(await h.call('GET', '/v1/accountability-reviews', h.keys.entA), 403, 'FORBIDDEN');
    expect((await h.call('GET', '/v1/accountability-reviews', h.keys.department)).status).toBe(200);
  });

  it('shows a department and a county only their own hazards', async () => {
    for (const [key, field, code] of [
      [h.keys.department, 'departmentCode', h.entA.departmentCode],
      [h.keys.county, 'countyCode', h.entA.countyCode],
    ] as const) {
      const list = await walk('/v1/hazards?limit=100', key);
      expect(list.ids).toContain(a.id);
      expect(list.ids).not.toContain(b.id);
      expect(list.pages.flat().every((x) => x[field] === code)).toBe(true);
      expect((await detail(a.id, key)).status).toBe(200);
      expectProblem(await detail(b.id, key), 404, 'NOT_FOUND');
    }
    const office = await walk('/v1/hazards?limit=500', h.keys.office);
    expect(office.ids).toEqual(expect.arrayContaining([a.id, b.id]));
  });
});

describe('the policies of the campaign a hazard is found in', () => {
  it('takes the campaign template\'s policy for its grade, a regulator\'s override on top; outside the campaign the default holds', async () => {
    // A county of its own, with a campaign whose template sets the general hazards' policy.
    const ent = await seedEnterprise(h.db);
    const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('policies'), hazardPolicies: { GENERAL: { reminderOffsets: ['P2D'], escalationAfter: 'P3D' } } };
    expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
    const launched = await h.call<{ id: string; workflowId: string }>('POST', '/v1/campaigns', h.keys.admin, { templateKey: template.key, templateVersion: 1, counties: [ent.countyCode], departments: [ent.departmentCode] });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    h.track(launched.body.workflowId);

    const inCampaign = await report(h.keys.admin, { grade: 'GENERAL' }, {}, ent);
    expect(inCampaign.status, JSON.stringify(inCampaign.body)).toBe(201);
    expect(inCampaign.body.policy).toEqual({ ...resolvePolicy('GENERAL'), reminderOffsets: ['P2D'], escalationAfter: 'P3D' });
    const campaignOf = async (id: string) => (await h.db.select({ campaignId: hazards.campaignId }).from(hazards).where(eq(hazards.id, id)))[0]?.campaignId;
    expect(await campaignOf(inCampaign.body.id)).toBe(launched.body.id);
    // The workflow runs on the policy the ledger shows: its next event is the template's P2D reminder.
    const live = (await waitForState(inCampaign.body.id, 'RECTIFYING')).live as { policy?: unknown; nextEvent: { key: string } | null };
    expect(live.nextEvent?.key).toContain('P2D');

    const overridden = await report(h.keys.admin, { grade: 'GENERAL', policy: { escalationAfter: 'P1D' } }, {}, ent);
    expect(overridden.body.policy).toEqual({ ...resolvePolicy('GENERAL'), reminderOffsets: ['P2D'], escalationAfter: 'P1D' });
    const major = await report(h.keys.admin, { grade: 'MAJOR' }, {}, ent);
    expect(major.body.policy).toEqual(resolvePolicy('MAJOR'));
    const outside = await report(h.keys.admin, { grade: 'GENERAL' }, {}, await seedEnterprise(h.db));
    expect(outside.body.policy).toEqual(resolvePolicy('GENERAL'));
    expect(await campaignOf(outside.body.id)).toBeNull();
    for (const r of [inCampaign, overridden, major, outside]) h.track(r.body.workflowId);
  });
});

describe('filters and pagination', () => {
  let d: Enterprise;
  let e: Enterprise;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // A county of their own, so other tests' hazards never show up in these lists.
    d = await seedEnterprise(h.db);
    const other = await seedUnits(h.db);
    e = await seedEnterprise(h.db, { countyCode: d.countyCode, departmentCode: other.departmentCode, industry: 'CONSTRUCTION' });
    const make = async (name: string, ent: Enterprise, over: Partial<HazardReport>) => {
      const res = await report(h.keys.office, over, {}, ent);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids[name] = res.body.id;
    };
    await make('dGeneral', d, {});
    await make('dMajor', d, { grade: 'MAJOR' });
    await make('dFire', d, { industry: 'FIRE_SAFETY' });
    await make('eGeneral', e, {});
    // Due in two seconds: the worker marks it overdue.
    await make('eOverdue', e, { deadline: new Date(Date.now() + 2000).toISOString() });
    for (const n of ['dGeneral', 'dMajor', 'dFire', 'eGeneral', 'eOverdue']) await waitForState(ids[n]!, 'RECTIFYING');
    await eventually(async () => ((await detail(ids.eOverdue!)).body.hazard.overdue ? true : undefined), 15_000, 'overdue');
  });

  const list = async (query: string) => {
    const res = await h.call<{ items: Hazard[] }>('GET', `/v1/hazards?${query}&limit=500`, h.keys.office);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items.map((x) => x.id).sort();
  };
  const named = (...names: string[]) => names.map((n) => ids[n]!).sort();

  it('filters by county, grade, status, overdue, enterprise, department and industry', async () => {
    expect(await list(`county=${d.countyCode}`)).toEqual(named('dGeneral', 'dMajor', 'dFire', 'eGeneral', 'eOverdue'));
    expect(await list(`county=${d.countyCode}&grade=MAJOR`)).toEqual(named('dMajor'));
    expect(await list(`county=${d.countyCode}&grade=GENERAL`)).toEqual(named('dGeneral', 'dFire', 'eGeneral', 'eOverdue'));
    expect(await list(`county=${d.countyCode}&status=REPORTED_TO_REGULATOR`)).toEqual([]);
    expect(await list(`county=${d.countyCode}&status=RECTIFYING`)).toEqual(named('dGeneral', 'dMajor', 'dFire', 'eGeneral', 'eOverdue'));
    expect(await list(`county=${d.countyCode}&status=CLOSED`)).toEqual([]);
    expect(await list(`county=${d.countyCode}&overdue=true`)).toEqual(named('eOverdue'));
    expect(await list(`county=${d.countyCode}&overdue=false`)).toEqual(named('dGeneral', 'dMajor', 'dFire', 'eGeneral'));
    expect(await list(`enterpriseId=${d.id}`)).toEqual(named('dGeneral', 'dMajor', 'dFire'));
    expect(await list(`enterpriseId=${e.id}&overdue=false`)).toEqual(named('eGeneral'));
    expect(await list(`department=${e.departmentCode}`)).toEqual(named('eGeneral', 'eOverdue'));
    expect(await list(`department=${d.departmentCode}&county=${d.countyCode}`)).toEqual(named('dGeneral', 'dMajor', 'dFire'));
    expect(await list(`county=${d.countyCode}&industry=FIRE_SAFETY`)).toEqual(named('dFire'));
    expect(await list(`county=${d.countyCode}&industry=CONSTRUCTION`)).toEqual(named('eGeneral', 'eOverdue'));
    expect(await list(`county=${d.countyCode}&industry=HAZARDOUS_CHEMICALS`)).toEqual(named('dGeneral', 'dMajor'));
  });

  it('walks every page with limit=2, newest first, without duplicates or gaps', async () => {
    const { pages, ids: walked } = await walk(`/v1/hazards?county=${d.countyCode}&limit=2`, h.keys.office);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(walked).size).toBe(walked.length);
    expect([...walked].sort()).toEqual(named('dGeneral', 'dMajor', 'dFire', 'eGeneral', 'eOverdue'));
    const created = pages.flat().map((x) => Date.parse(x.createdAt));
    expect(created).toEqual([...created].sort((x, y) => y - x));
    // Reported one after the other: newest first is the reverse of the report order.
    expect(walked).toEqual(['eOverdue', 'eGeneral', 'dFire', 'dMajor', 'dGeneral'].map((n) => ids[n]));
  });

  it('ends without an empty page when the last page is full', async () => {
    const { pages } = await walk(`/v1/hazards?enterpriseId=${d.id}&limit=3`, h.keys.office);
    expect(pages.map((p) => p.length)).toEqual([3]);
    const two = await walk(`/v1/hazards?department=${e.departmentCode}&limit=1`, h.keys.office);
    expect(two.pages.map((p) => p.length)).toEqual([1, 1]);
  });

  it('walks every page when hazards were registered within the same millisecond', async () => {
    // Postgres keeps microseconds; two reports landing in one millisecond (parallel portals) must both be listed.
    const f = await seedEnterprise(h.db);
    const rows = [];
    for (let i = 0; i < 4; i++) rows.push(await seedHazard(h.db, f, reportBody(), Date.now()));
    for (const [i, row] of rows.entries()) {
      await h.db.execute(sql`update hazards set created_at = '2030-05-01T00:00:00.123000Z'::timestamptz + ${`${(i + 1) * 100} microseconds`}::interval where id = ${row.id}`);
    }
    const { ids: walked } = await walk(`/v1/hazards?enterpriseId=${f.id}&limit=1`, h.keys.office);
    expect(new Set(walked).size).toBe(walked.length);
    expect([...walked].sort()).toEqual(rows.map((r) => r.id).sort());
  });
});

describe('the whole rectification loop through the API', () => {
  it('report → submit → reject with a reason (mailed) → submit → accept → close; timeline and outbox complete', async () => {
    const hz = await reportRectifying(h.keys.entA, { description: uniq('配电室线路老化') });
    const owner = h.keys.entA;

    const submitted = await command(hz.id, 'submitRectification', owner, {
      evidence: '已更换线路',
      attachments: [{ name: 'photo-1.jpg', contentType: 'image/jpeg', size: 2048, sha256: 'a'.repeat(64), url: 'https://files.example.test/photo-1.jpg' }],
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.hazard.state).toBe('SUBMITTED');

    const rejected = await command(hz.id, 'decideVerification', owner, { decision: 'REJECT', reason: '漏电保护未安装' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body.hazard.state).toBe('RECTIFYING');
    expect(rejected.body.live).toMatchObject({ state: 'RECTIFYING', rejections: 1 });
    const mail = await h.sink!.waitFor((m) => m.headers.get('x-hazard-id') === hz.id && m.headers.get('x-notification-kind') === 'REJECTED');
    expect(mail.text).toContain('漏电保护未安装');
    expect(JSON.stringify(mail.to)).toContain(String(hz.responsible.email));

    expect((await command(hz.id, 'submitRectification', owner, { evidence: '已加装漏电保护' })).body.hazard.state).toBe('SUBMITTED');
    const accepted = await command(hz.id, 'decideVerification', owner, { decision: 'ACCEPT' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.hazard.state).toBe('VERIFIED');
    const closed = await command(hz.id, 'close', owner, { note: '销号' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.hazard.state).toBe('CLOSED');
    expect(closed.body.hazard.closedAt).not.toBeNull();

    const [row] = await h.db.select().from(hazards).where(eq(hazards.id, hz.id));
    expect(row).toMatchObject({ state: 'CLOSED' });
    expect(row!.closedAt).toBeInstanceOf(Date);

    const d = await detail(hz.id, owner);
    expect(d.status).toBe(200);
    expect(d.body.hazard).toMatchObject({ state: 'CLOSED', closedAt: row!.closedAt!.toISOString() });
    expect(d.body.timeline.map((e) => e.type)).toEqual([
      'REGISTERED',
      'RECTIFICATION_STARTED',
      'RECTIFICATION_SUBMITTED',
      'VERIFICATION_REJECTED',
      'RECTIFICATION_SUBMITTED',
      'VERIFICATION_ACCEPTED',
      'CLOSED',
    ]);
    expect(d.body.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(d.body.timeline[2]!.data).toMatchObject({ evidence: '已更换线路', attachments: [{ name: 'photo-1.jpg', contentType: 'image/jpeg', size: 2048 }] });
    expect(d.body.timeline[3]!.data).toMatchObject({ reason: '漏电保护未安装', rejection: 1 });
    expect(d.body.timeline.at(-1)).toMatchObject({ fromState: 'VERIFIED', toState: 'CLOSED', actor: { role: 'enterprise' }, data: { note: '销号' } });

    // A closed hazard takes no more commands.
    expectProblem(await command(hz.id, 'close', owner), 409, 'ILLEGAL_TRANSITION');

    const outbox = await h.call<{ items: { hazardId: string; kind: string; status: string; recipients: string[]; sentAt: string | null; bodyText: string }[] }>('GET', `/v1/notifications?hazardId=${hz.id}`, owner);
    expect(outbox.status).toBe(200);
    expect(outbox.body.items).toHaveLength(1);
    expect(outbox.body.items[0]).toMatchObject({ hazardId: hz.id, kind: 'REJECTED', status: 'SENT' });
    expect(outbox.body.items[0]!.sentAt).not.toBeNull();
    expect(outbox.body.items[0]!.bodyText).toContain('漏电保护未安装');
    // Another enterprise sees none of it.
    expect((await h.call('GET', `/v1/notifications?hazardId=${hz.id}`, h.keys.entB)).body.items).toEqual([]);
  });
});
