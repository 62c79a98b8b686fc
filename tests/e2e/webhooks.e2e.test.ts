// Enterprise portals end to end (issue 14) on the dev server with the production composition
// (startApi, runWorker), real Postgres, SMTP and HTTP: receivers in this test (node:http on port
// 0) verify every delivery with the `standardwebhooks` library, and the API is called through the
// typed client (client/). Retries are shortened by configuration, so a dead endpoint spends its
// budget within the test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHazardCampaignClient, type HazardCampaignClient } from '../../client';
import { createApiKey } from '../../db/reference.repo';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { until } from '../support/eventually';
import { creditCode, reportBody, uniq } from '../support/fixtures';

interface Received {
  id: string;
  type: string;
  subject: { stream: string; id: string; seq: number };
  verifiedWith: string[];
}

/** A portal's receiver: verifies each POST with its secrets, answers 500 for the first `failFirst`, and keeps what it acknowledged, in order. */
class Receiver {
  acked: Received[] = [];
  refused = 0;
  unverified = 0;
  secrets: Record<string, string> = {};
  constructor(public failFirst = 0) {}

  handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
    const verifiedWith = Object.entries(this.secrets).flatMap(([name, secret]) => {
      try {
        new Webhook(secret).verify(body, headers);
        return [name];
      } catch {
        return [];
      }
    });
    if (verifiedWith.length === 0) {
      this.unverified++;
      res.writeHead(400).end('bad signature');
      return;
    }
    if (this.refused < this.failFirst) {
      this.refused++;
      res.writeHead(500).end('not today');
      return;
    }
    const event = JSON.parse(body) as Received;
    expect(event.id).toBe(headers['webhook-id']);
    this.acked.push({ id: event.id, type: event.type, subject: event.subject, verifiedWith });
    res.writeHead(204).end();
  }
}

let stack: E2eStack;
let server: Server;
let base: string;
const receivers = new Map<string, Receiver>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receiver = receivers.get(req.url ?? '');
      // `/dead` never answers: the connection stays open until the attempt's deadline.
      if (req.url === '/dead') return;
      if (!receiver) return void res.writeHead(404).end();
      receiver.handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  stack = await startE2eStack({
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_RETRY_INITIAL_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '1000',
    WEBHOOK_RETRY_ATTEMPTS: '6',
    WEBHOOK_TIMEOUT_MS: '1500',
    WEBHOOK_POLL_MS: '2000',
    WEBHOOK_WAKE_MS: '200',
  });
});

afterAll(async () => {
  await stack?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function seedEnterprise(api: HazardCampaignClient) {
  const county = uniq('county');
  const dept = uniq('dept');
  expect((await api.POST('/v1/units', { body: { kind: 'COUNTY', code: county, name: '平城区', email: `${county}@e2e.test` } })).response.status).toBe(201);
  expect((await api.POST('/v1/units', { body: { kind: 'DEPARTMENT', code: dept, name: '市应急管理局', email: `${dept}@e2e.test` } })).response.status).toBe(201);
  const ent = await api.POST('/v1/enterprises', {
    body: { name: `${county} 化工有限公司`, creditCode: creditCode(), industry: 'HAZARDOUS_CHEMICALS', countyCode: county, departmentCode: dept, principal: { name: '王总', email: `boss-${county}@e2e.test` } },
  });
  expect(ent.response.status).toBe(201);
  const id = ent.data!.id;
  const { secret } = await createApiKey(stack.db.db, { name: 'portal', role: 'enterprise', scope: id });
  return { id, key: secret, api: createHazardCampaignClient(stack.base, secret) };
}

/** Registers an endpoint at `path` of the test's server, its receiver keyed by the secret. */
async function register(api: HazardCampaignClient, path: string, body: { eventTypes?: string[]; contactEmail?: string } = {}) {
  const created = await api.POST('/v1/webhook-endpoints', { body: { url: `${base}${path}`, ...body } });
  expect(created.response.status).toBe(201);
  expect(created.data!.secret).toMatch(/^whsec_/);
  return created.data!;
}

describe('webhooks and the event feed, end to end', () => {
  it("delivers a hazard's steps signed, in order and once each through failures, rotation and a dead endpoint beside it; scoped like the API", async () => {
    const admin = createHazardCampaignClient(stack.base, stack.adminKey);
    const a = await seedEnterprise(admin);
    const b = await seedEnterprise(admin);

    const receiverA = new Receiver(3);
    receivers.set('/a', receiverA);
    const endpointA = await register(a.api, '/a', { eventTypes: ['hazard.*'] });
    receiverA.secrets.first = endpointA.secret;
    expect(endpointA.endpoint.owner).toMatchObject({ role: 'enterprise', scope: a.id });

    const receiverB = new Receiver();
    receivers.set('/b', receiverB);
    receiverB.secrets.first = (await register(b.api, '/b')).secret;

    // The office's endpoint sees everything and never answers: its retries must hold up nobody.
    const dead = await register(admin, '/dead', { contactEmail: 'dead-owner@e2e.test' });

    // A hazard with seconds-long timers: a reminder, then overdue.
    const deadline = new Date(Date.now() + 8_000).toISOString();
    const reported = await admin.POST('/v1/hazards', { body: reportBody({ enterpriseId: a.id, deadline, policy: { reminderOffsets: ['PT4S'], escalationAfter: 'P30D' } }) as never });
    expect(reported.response.status).toBe(201);
    const hazardId = (reported.data as { id: string }).id;
    const typesOf = (r: Receiver) => r.acked.filter((e) => e.subject.id === hazardId).map((e) => e.type);

    await until(async () => typesOf(receiverA), (t) => t.includes('hazard.OVERDUE'), 'the overdue event at A', 40_000);
    expect(receiverA.refused).toBe(3);

    // Rotate with an overlap: deliveries carry both signatures, each verifiable on its own.
    const rotated = await a.api.POST('/v1/webhook-endpoints/{id}/secret-rotation', { params: { path: { id: endpointA.endpoint.id } }, body: { overlapSeconds: 3600 } });
    expect(rotated.response.status).toBe(200);
    expect(rotated.data!.secret).not.toBe(endpointA.secret);
    receiverA.secrets.second = rotated.data!.secret;

    const headers = { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' };
    for (const [path, body] of [
      ['rectification', { evidence: '已更换线路' }],
      ['verification', { decision: 'ACCEPT' }],
      ['close', {}],
    ] as const) {
      expect((await fetch(`${stack.base}/v1/hazards/${hazardId}/${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).status).toBe(200);
    }
    await until(async () => typesOf(receiverA), (t) => t.includes('hazard.CLOSED'), 'the closure at A', 30_000);

    // In order, once each, every one verified.
    const mine = receiverA.acked.filter((e) => e.subject.id === hazardId);
    const seqs = mine.map((e) => e.subject.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
    expect(new Set(seqs).size).toBe(seqs.length);
    const types = typesOf(receiverA);
    for (const [earlier, later] of [
      ['hazard.REGISTERED', 'hazard.REMINDER_SENT'],
      ['hazard.REMINDER_SENT', 'hazard.OVERDUE'],
      ['hazard.OVERDUE', 'hazard.CLOSED'],
    ]) expect(types.indexOf(earlier!)).toBeLessThan(types.indexOf(later!));
    expect(receiverA.unverified).toBe(0);
    expect(mine.at(-1)!.verifiedWith.sort()).toEqual(['first', 'second']);

    // The feed lists the same events for A, in keyset pages.
    const fromFeed: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await a.api.GET('/v1/events', { params: { query: { types: 'hazard.*', limit: 2, ...(after ? { after } : {}) } } });
      expect(res.response.status).toBe(200);
      fromFeed.push(...res.data!.items.filter((e) => e.subject.id === hazardId).map((e) => e.id));
      if (res.data!.items.length === 0) break;
      after = res.data!.nextCursor;
    }
    expect(fromFeed).toEqual(mine.map((e) => e.id));

    // Scope: B's own hazard reaches B; nothing of A's ever did, by webhook or feed.
    const bHazard = await admin.POST('/v1/hazards', { body: reportBody({ enterpriseId: b.id }) as never });
    const bHazardId = (bHazard.data as { id: string }).id;
    await until(async () => receiverB.acked, (acked) => acked.some((e) => e.subject.id === bHazardId), "B's own event at B", 30_000);
    expect(receiverB.acked.filter((e) => e.subject.id === hazardId)).toEqual([]);
    const bFeed = await b.api.GET('/v1/events', { params: { query: { limit: 500 } } });
    expect(bFeed.data!.items.map((e) => e.subject.id)).not.toContain(hazardId);
    expect(bFeed.data!.items.map((e) => e.subject.id)).toContain(bHazardId);
    expect((await b.api.GET('/v1/webhook-endpoints/{id}', { params: { path: { id: endpointA.endpoint.id } } })).response.status).toBe(404);

    // The delivery log: the first event took four attempts; all delivered.
    const log = await a.api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointA.endpoint.id }, query: { limit: 100 } } });
    const logged = log.data!.items.filter((d) => mine.some((e) => e.id === d.eventId));
    expect(logged.map((d) => d.status)).toEqual(mine.map(() => 'DELIVERED'));
    expect(logged.at(-1)).toMatchObject({ attempts: 4, lastStatusCode: 204 });

    // A replay sends the same event again, with the same id.
    const closed = logged.find((d) => d.eventType === 'hazard.CLOSED')!;
    const replay = await a.api.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpointA.endpoint.id, deliveryId: closed.id } } });
    expect(replay.response.status).toBe(202);
    await until(async () => receiverA.acked.filter((e) => e.id === closed.eventId).length, (n) => n === 2, 'the replay at A', 20_000);

    // The dead endpoint spent its budget: FAILED on its log, disabled, its owner mailed.
    const disabledMail = await stack.sink.waitFor((m) => (m.subject ?? '').includes('Webhook 已停用') && JSON.stringify(m.to).includes('dead-owner@e2e.test'), 60_000);
    expect(disabledMail.text).toContain(dead.endpoint.id);
    const deadNow = await admin.GET('/v1/webhook-endpoints/{id}', { params: { path: { id: dead.endpoint.id } } });
    expect(deadNow.data).toMatchObject({ enabled: false });
    expect(deadNow.data!.disabledReason).toMatch(/retries spent/);
    const deadLog = await admin.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: dead.endpoint.id }, query: { status: 'FAILED' } } });
    expect(deadLog.data!.items).toHaveLength(1);
    expect(deadLog.data!.items[0]).toMatchObject({ attempts: 6 });
  });

  it('refuses what cannot be delivered to and a forged cursor with problem JSON naming the field, storing nothing', async () => {
    const office = createHazardCampaignClient(stack.base, stack.adminKey);
    const before = await office.GET('/v1/webhook-endpoints', { params: { query: { limit: 500 } } });
    const refused = await office.POST('/v1/webhook-endpoints', { body: { url: 'http://169.254.169.254/latest/meta-data' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ errors: [{ field: 'url' }] });
    const notHttp = await office.POST('/v1/webhook-endpoints', { body: { url: 'ftp://portal.example.cn/x' } });
    expect(notHttp.response.status).toBe(400);
    const after = await office.GET('/v1/webhook-endpoints', { params: { query: { limit: 500 } } });
    expect(after.data!.items.length).toBe(before.data!.items.length);
    const forged = await office.GET('/v1/events', { params: { query: { after: '99999999999999999999' } } });
    expect(forged.response.status).toBe(400);
  });
});
