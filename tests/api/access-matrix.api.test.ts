// Authorization, generated from the route table (tests/support/access-table.ts): for every route of
// the app and every role, a caller without the role gets 403, a caller with the role outside its
// scope gets 404, and an allowed caller gets neither. The app's actual routes are collected with an
// onRoute hook on an instance built from the same api/app.ts plugin: a route without a table entry
// (or an entry without a route) fails. Real Postgres, the shared Temporal dev server, a real worker.
import { inArray } from 'drizzle-orm';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app as hazardApi, fastifyOptions } from '../../api/app';
import { campaignCirculars, campaignParticipants, campaigns, campaignSnapshots, cases, duties, hazards, orders, spotCheckDraws } from '../../db/schema';
import { campaignFigures } from '../../db/campaigns.repo';
import { createApiKey } from '../../db/reference.repo';
import { webhookDeliveries } from '../../db/schema';
import { createUser, setUserActive, sha256 } from '../../db/users.repo';
import { hashPassword } from '../../services/passwords';
import { passwordResetTokens } from '../../db/schema';
import { ROLES, SYSTEM_ACTOR, type Role } from '../../domain/hazard';
import { ApiHarness, eventually, type ProblemBody } from '../support/api-harness';
import { ACCESS_TABLE, futureTemplate, MATRIX_PASSWORD, PUBLISHED_CIRCULAR_MONTH, rectificationOrder, routeKey, type MatrixContext, type RouteEntry, type Target } from '../support/access-table';
import { reportBody, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: true });
let ctx: MatrixContext;

const keyOf = (role: Role): string => (role === 'enterprise' ? h.keys.entA : h.keys[role]);

async function launch(templateKey: string, counties: string[], departments: string[]): Promise<string> {
  const res = await h.call<{ id: string }>('POST', '/v1/campaigns', h.keys.admin, { templateKey, templateVersion: 1, counties, departments });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function manualCase(enterpriseId: string): Promise<string> {
  const res = await h.call<{ case: { id: string } }>('POST', '/v1/cases', h.keys.admin, { subject: { kind: 'ENTERPRISE', ref: enterpriseId }, reason: 'access matrix' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.case.id;
}

async function order(enterpriseId: string): Promise<string> {
  const res = await h.call<{ id: string }>('POST', `/v1/enterprises/${enterpriseId}/orders`, h.keys.admin, rectificationOrder());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function majorHazard(enterpriseId: string): Promise<string> {
  const res = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.admin, reportBody({ enterpriseId, grade: 'MAJOR' }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}


/** A circular's figures with nothing in them: the shape a generated one has (its .xlsx export reads every table). */
const emptyCircularFigures = (campaignId: string) => ({
  campaignId,
  campaignName: 'matrix',
  month: PUBLISHED_CIRCULAR_MONTH,
  timeZone: 'Asia/Shanghai',
  from: '1999-12-31T16:00:00.000Z',
  to: '2000-01-31T16:00:00.000Z',
  asOf: '2000-01-31T15:59:59.999Z',
  counties: [],
  departments: [],
  hazards: { foundInMonth: 0, closedInMonth: 0, openAtEnd: 0, overdueAtEnd: 0 },
  missedDuties: [],
  overdueMajorHazards: [],
  findings: [],
  coverage: { selfInspection: { due: 0, filed: 0, filedLate: 0, missed: 0 }, byCounty: [], byDepartment: [] },
});
beforeAll(async () => {
  await h.start();
  const { entA, entB } = h;
  const template = futureTemplate();
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
  const [orderA, orderB] = [await order(entA.id), await order(entB.id)];
  const [hazardA, hazardB, campaignA, campaignB, caseA, caseB] = await Promise.all([
    majorHazard(entA.id),
    majorHazard(entB.id),
    launch(template.key, [entA.countyCode], [entA.departmentCode]),
    launch(template.key, [entB.countyCode], [entB.departmentCode]),
    manualCase(entA.id),
    manualCase(entB.id),
  ]);
  // The draw and the summary are written by the campaign workflow when their phases come; this
  // file's campaigns open in 10 minutes, so the rows the reads need are put on the ledger here.
  const roster = [entA, entB].map((e) => ({ enterpriseId: e.id, industry: e.industry, countyCode: e.countyCode, departmentCode: e.departmentCode, supervisionLevel: 'COUNTY' as const }));
  const strata = [{ key: 'HAZARDOUS_CHEMICALS', industry: 'HAZARDOUS_CHEMICALS', population: 2, required: 2, drawn: [entA.id, entB.id].sort() }];
  for (const campaignId of [campaignA, campaignB]) {
    await h.db.insert(spotCheckDraws).values({ campaignId, seed: uniq('seed'), rule: { minRatio: 1, strata: ['industry'], population: 'COUNTY_SUPERVISED' }, roster, strata, drawnAt: new Date() });
    await h.db.insert(campaignSnapshots).values({ campaignId, figures: JSON.parse(JSON.stringify(await campaignFigures(h.db, campaignId))) as Record<string, unknown>, takenAt: new Date() });
    await h.db.insert(campaignCirculars).values({ campaignId, month: PUBLISHED_CIRCULAR_MONTH, status: 'PUBLISHED', asOf: new Date(), figures: emptyCircularFigures(campaignId), markdown: '# 通报', html: '<h1>通报</h1>', contentSha256: '0'.repeat(64), generatedBy: SYSTEM_ACTOR, publishedBy: SYSTEM_ACTOR, publishedAt: new Date() });
  }
  // Duties can be submitted once each unit's obligation workflow has put them on the ledger; B's too,
  // so that an out-of-scope submission would reach a real obligation if the gate let it through.
  await eventually(async () => {
    const rows = await h.db.select({ holder: duties.holderCode }).from(duties).where(inArray(duties.campaignId, [campaignA, campaignB]));
    const holders = new Set(rows.map((r) => r.holder));
    return [entA.countyCode, entA.departmentCode, entB.countyCode, entB.departmentCode].every((u) => holders.has(u)) ? true : undefined;
  }, 30_000, 'the duties of campaigns A and B');
  // People's accounts: one per role in A's scope, and fresh ones for the probes that change an account.
  const passwordHash = await hashPassword(MATRIX_PASSWORD);
  const account = async (role: Role, scope: string | null) =>
    (await createUser(h.db, { name: `矩阵 ${role}`, email: `${uniq(role)}@matrix.test`, role, scope, passwordHash }))!;
  const scopes: Record<Role, string | null> = { admin: null, office: null, department: entA.departmentCode, county: entA.countyCode, enterprise: entA.id, reviewer: entA.countyCode };
  const users = {} as MatrixContext['users'];
  for (const r of ROLES) users[r] = await account(r, scopes[r]);
  ctx = {
    webhookEndpoint: async (role, t) => {
      const res = await h.call<{ endpoint: { id: string } }>('POST', '/v1/webhook-endpoints', t === 'in' ? keyOf(role) : h.keys.entB, { url: 'https://portal.example.test/hooks', eventTypes: ['order.NEVER_RECORDED'] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const [delivery] = await h.db.insert(webhookDeliveries).values({ endpointId: res.body.endpoint.id, eventSeq: 1, eventType: 'order.NEVER_RECORDED', status: 'DELIVERED', attempts: 1 }).returning();
      return { id: res.body.endpoint.id, deliveryId: delivery!.id };
    },
    users,
    freshUserId: async (opts = {}) => {
      const u = await account('county', entA.countyCode);
      if (opts.active === false) await setUserActive(h.db, u.id, false);
      return u.id;
    },
    signIn: async (role) => {
      const res = await h.call<{ csrfToken: string }>('POST', '/v1/auth/login', null, { email: users[role].email, password: MATRIX_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.body.csrfToken };
    },
    resetToken: async () => {
      const token = uniq('reset-token').replace(/[^A-Za-z0-9_-]/g, '');
      const u = await account('county', entA.countyCode);
      await h.db.insert(passwordResetTokens).values({ userId: u.id, tokenHash: sha256(token), expiresAt: new Date(Date.now() + 600_000) });
      return token;
    },
    entA,
    entB,
    hazardA,
    hazardB,
    orderA,
    orderB,
    campaignA,
    campaignB,
    caseA,
    caseB,
    template: { key: template.key, version: 1 },
    freshKeyId: async () => (await createApiKey(h.db, { name: uniq('revocable'), role: 'county', scope: entA.countyCode })).key.id,
  };
});

afterAll(async () => {
  try {
    const client = h.env?.client;
    if (client && h.handle) {
      const ids = (await h.db.select({ id: campaigns.id }).from(campaigns)).map((c) => c.id);
      const parts = ids.length > 0 ? await h.db.select().from(campaignParticipants).where(inArray(campaignParticipants.campaignId, ids)) : [];
      const workflowIds = [
        ...ids.map((id) => `campaign:${id}`),
        ...parts.map((p) => `obligation:${p.campaignId}:${p.unitCode}`),
        ...(await h.db.select({ id: hazards.id }).from(hazards)).map((r) => `hazard:${r.id}`),
        ...(await h.db.select({ id: orders.id }).from(orders)).map((r) => `order:${r.id}`),
        ...(await h.db.select({ id: cases.id }).from(cases)).map((r) => `case:${r.id}`),
      ];
      await Promise.allSettled(workflowIds.map((w) => client.workflow.getHandle(w).terminate('access-matrix cleanup')));
    }
  } finally {
    await h.close();
  }
});

/** The app's routes as Fastify registers them (HEAD twins, /health and /docs left out). */
async function appRoutes(): Promise<string[]> {
  const fastify = Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();
  const seen: string[] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD' || r.url === '/health' || r.url.startsWith('/docs')) continue;
      seen.push(routeKey(method, r.url));
    }
  });
  await fastify.register(hazardApi, { db: h.db, temporal: { client: h.env!.client, taskQueue: h.taskQueue } });
  await fastify.ready();
  await fastify.close();
  return [...new Set(seen)].sort();
}

async function call(entry: RouteEntry, role: Role, target: Target) {
  const probe = await entry.probe(ctx, target, role);
  return h.call<ProblemBody>(entry.method as 'GET' | 'POST' | 'DELETE', probe.url, keyOf(role), probe.body, probe.headers);
}

/** Passed the gate: neither refused (401/403) nor hidden (404), nor a malformed probe (400), nor a crash. */
function expectThrough(res: { status: number; body: unknown }, what: string): void {
  expect([400, 401, 403, 404], `${what}: ${res.status} ${JSON.stringify(res.body)}`).not.toContain(res.status);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
}

describe('the route table', () => {
  it('has an entry for every route of the app, and a route for every entry', async () => {
    const routes = await appRoutes();
    const table = ACCESS_TABLE.map((e) => routeKey(e.method, e.url)).sort();
    expect(new Set(table).size, 'duplicate entries in the table').toBe(table.length);
    expect(routes.filter((r) => !table.includes(r)), 'routes without an entry in tests/support/access-table.ts').toEqual([]);
    expect(table.filter((r) => !routes.includes(r)), 'entries without a route').toEqual([]);
    console.log(`access matrix: ${routes.length} routes × ${ROLES.length} roles = ${routes.length * ROLES.length} cells`);
  });
});

describe.each(ACCESS_TABLE.map((e) => [routeKey(e.method, e.url), e] as const))('%s', (_name, entry) => {
  for (const role of ROLES) {
    const access = entry.access[role];
    const title =
      access === 'deny' ? `refuses a ${role} key: 403` : access === 'scoped' ? `lets a ${role} key act in its scope, and hides what is outside it: 404` : `lets a ${role} key through`;
    it(title, async () => {
      if (access === 'deny') {
        const res = await call(entry, role, 'in');
        expect(res.status, JSON.stringify(res.body)).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
        return;
      }
      if (access === 'scoped') {
        const out = await call(entry, role, 'out');
        expect(out.status, `outside the scope: ${JSON.stringify(out.body)}`).toBe(404);
        expect(out.body.code).toBe('NOT_FOUND');
      }
      expectThrough(await call(entry, role, 'in'), `${role} in scope`);
    });
  }
});
