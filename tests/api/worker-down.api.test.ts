// The API while no worker polls its task queue (a worker outage): reports are still taken and
// the ledger stays readable. Real app, real Postgres, shared Temporal dev server, no worker.
import { describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness';
import { reportBody } from '../support/fixtures';

// Commands wait 2 s here (10 s in production) before they answer 503.
const h = ApiHarness.forFile({ worker: false, commandTimeoutMs: 2_000 });

/** Resolves with the request's outcome, or 'timeout' after `ms` (the request itself keeps running). */
function within<T>(ms: number, work: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

describe('with the worker down', () => {
  it('registers a report (201) on the ledger; its workflow waits for a worker', async () => {
    const res = await h.call('POST', '/v1/hazards', h.keys.entA, reportBody());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.state).toBe('REGISTERED');
    h.track(res.body.workflowId);
    const list = await h.call<{ items: { id: string }[] }>('GET', '/v1/hazards', h.keys.entA);
    expect(list.body.items.map((x) => x.id)).toContain(res.body.id);
  });

  it('answers GET /v1/hazards/:id promptly from the ledger, with live: null', async () => {
    const created = await h.call('POST', '/v1/hazards', h.keys.entA, reportBody());
    expect(created.status).toBe(201);
    h.track(created.body.workflowId);
    const started = Date.now();
    const pending = h.call('GET', `/v1/hazards/${created.body.id}`, h.keys.entA);
    // Unanswered requests end when afterAll closes the Temporal connection.
    pending.catch(() => undefined);
    const res = await within(5_000, pending);
    expect(res, `GET /v1/hazards/:id still unanswered after ${Date.now() - started} ms`).not.toBe('timeout');
    if (res !== 'timeout') expect(res).toMatchObject({ status: 200, body: { hazard: { id: created.body.id, state: 'REGISTERED' }, live: null, timeline: [] } });
  });

  it('answers a command 503 problem JSON within its bound when no worker takes it, and changes nothing', async () => {
    const created = await h.call('POST', '/v1/hazards', h.keys.office, reportBody({ enterpriseId: h.entA.id }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    h.track(created.body.workflowId);
    const before = await h.ledgerOf(created.body.id);
    const pending = h.call('POST', `/v1/hazards/${created.body.id}/withdrawal`, h.keys.office, { reason: '重复登记' }, { 'idempotency-key': 'withdraw-once' });
    pending.catch(() => undefined);
    const res = await within(15_000, pending);
    expect(res, 'the command was still unanswered after 15 s').not.toBe('timeout');
    if (res === 'timeout') return;
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(await h.ledgerOf(created.body.id)).toEqual(before);
  });
});
