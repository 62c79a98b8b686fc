// API keys: expiry, the audit log of reference-data changes, the in-memory key index (garbage
// tokens never reach the database; revocation takes effect within the refresh interval), and the
// bootstrap admin key after its revocation. Real Postgres (queries counted through the drizzle
// logger of the app's own pool) and the shared Temporal dev server.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app as hazardApi, fastifyOptions } from '../../api/app';
import { startApi } from '../../api/server';
import { loadConfig } from '../../config';
import { recordAudit } from '../../db/audit.repo';
import { createDb, type Db } from '../../db/client';
import { createApiKey, ensureBootstrapAdmin, generateKeySecret, hashKey, isWellFormedSecret, revokeApiKey } from '../../db/reference.repo';
import * as schema from '../../db/schema';
import { apiKeys } from '../../db/schema';
import { ApiHarness, eventually, type Json } from '../support/api-harness';
import { creditCode, uniq } from '../support/fixtures';
import { injected } from '../support/injected';

const h = new ApiHarness({ worker: false });
beforeAll(() => h.start());
afterAll(() => h.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('key expiry', () => {
  it('accepts a key until its expiresAt and refuses it (401) from then on; an expiresAt in the past is 422', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const created = await h.call<{ key: { id: string; expiresAt: string }; secret: string }>('POST', '/v1/api-keys', h.keys.admin, { name: uniq('short'), role: 'county', scope: h.entA.countyCode, expiresAt });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.key.expiresAt).toBe(expiresAt);
    expect((await h.call('GET', '/v1/hazards', created.body.secret)).status).toBe(200);
    await sleep(Date.parse(expiresAt) - Date.now() + 50);
    const after = await h.call<Json>('GET', '/v1/hazards', created.body.secret);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('UNAUTHORIZED');

    const past = await h.call<Json>('POST', '/v1/api-keys', h.keys.admin, { name: uniq('past'), role: 'county', scope: h.entA.countyCode, expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([expect.objectContaining({ field: 'expiresAt' })]);
  });

  it('generates secrets with a checksum, and tells them from garbage', () => {
    const secret = generateKeySecret();
    expect(isWellFormedSecret(secret)).toBe(true);
    expect(isWellFormedSecret(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(isWellFormedSecret(`hc_${randomBytes(24).toString('base64url')}`)).toBe(false);
  });
});

describe('the audit log', () => {
  it('records key creation and revocation, units, enterprises and roster imports with the actor; admin and office read it in pages', async () => {
    const unitCode = uniq('audit-county');
    expect((await h.call('POST', '/v1/units', h.keys.office, { kind: 'COUNTY', code: unitCode, name: '审计区' })).status).toBe(201);
    const ent = await h.call<{ id: string }>('POST', '/v1/enterprises', h.keys.admin, {
      name: uniq('审计企业'),
      creditCode: creditCode(),
      industry: 'HAZARDOUS_CHEMICALS',
      countyCode: unitCode,
      departmentCode: h.entA.departmentCode,
      principal: { name: '赵总' },
    });
    expect(ent.status, JSON.stringify(ent.body)).toBe(201);
    const bulkCode = creditCode();
    const bulk = await h.call('POST', '/v1/enterprises/bulk', h.keys.office, {
      enterprises: [{ name: uniq('导入企业'), creditCode: bulkCode, industry: 'CONSTRUCTION', countyCode: unitCode, departmentCode: h.entA.departmentCode, principal: { name: '钱总' } }],
    });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    const key = await h.call<{ key: { id: string } }>('POST', '/v1/api-keys', h.keys.office, { name: uniq('audited'), role: 'county', scope: unitCode });
    expect(key.status).toBe(201);
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.body.key.id}`, headers: { authorization: `Bearer ${h.keys.admin}` } })).statusCode).toBe(204);

    // Newest first, one per page, walked with the cursor.
    const seen: Json[] = [];
    let url: string | null = '/v1/audit-log?limit=1';
    while (url && seen.length < 5) {
      const page: { status: number; body: Json } = await h.call<Json>('GET', url, h.keys.office);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      seen.push(...(page.body.items as Json[]));
      url = page.body.nextCursor ? `/v1/audit-log?limit=1&cursor=${page.body.nextCursor as string}` : null;
    }
    expect(seen.map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.created', 'roster.imported', 'enterprise.created', 'unit.created']);
    expect(new Set(seen.map((e) => e.id)).size).toBe(5);
    expect(seen[0]).toMatchObject({ subjectKind: 'api_key', subjectId: key.body.key.id, actor: { role: 'admin' } });
    expect(seen[1]).toMatchObject({ subjectId: key.body.key.id, actor: { role: 'office' }, data: { role: 'county', scope: unitCode } });
    expect(JSON.stringify(seen)).not.toMatch(/keyHash|key_hash/);
    expect(seen[2]).toMatchObject({ subjectKind: 'roster', actor: { role: 'office' }, data: { rows: 1 } });
    expect(seen[3]).toMatchObject({ subjectKind: 'enterprise', subjectId: ent.body.id, actor: { role: 'admin' } });
    expect(seen[4]).toMatchObject({ subjectKind: 'unit', subjectId: unitCode, actor: { role: 'office' } });

    const filtered = await h.call<Json>('GET', `/v1/audit-log?subjectKind=api_key&subjectId=${key.body.key.id}`, h.keys.admin);
    expect((filtered.body.items as Json[]).map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.created']);
    expect((await h.call('GET', '/v1/audit-log', h.keys.county)).status).toBe(403);
    expect((await h.call('GET', '/v1/audit-log?cursor=forged', h.keys.office)).status).toBe(422);
  });

  it('is append-only: the database refuses to update or delete an entry', async () => {
    await recordAudit(h.db, { actor: { keyId: 'test', role: 'admin', scope: null, name: 'test' }, action: 'unit.created', subjectKind: 'unit', subjectId: uniq('u') });
    const refusal = (work: Promise<unknown>) => work.then(() => 'accepted', (err: unknown) => String((err as { cause?: unknown }).cause ?? err));
    expect(await refusal(h.db.execute(sql`update audit_log set action = 'tampered'`))).toMatch(/append-only/);
    expect(await refusal(h.db.execute(sql`delete from audit_log`))).toMatch(/append-only/);
  });
});

describe('the in-memory key index', () => {
  /** The app on its own pool, every statement it sends counted. */
  async function countedApp(refreshMs: number) {
    const pool = new pg.Pool({ connectionString: h.database!.url, max: 4 });
    const counter = { queries: 0, statements: [] as string[] };
    const db = drizzle({ client: pool, schema, logger: { logQuery: (q: string) => { counter.queries++; counter.statements.push(q); } } }) as unknown as Db;
    const fastify = Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();
    await fastify.register(hazardApi, { db, temporal: { client: h.env!.client, taskQueue: h.taskQueue }, keys: { refreshMs } });
    await fastify.ready();
    const get = async (token: string) => (await fastify.inject({ method: 'GET', url: '/v1/units', headers: { authorization: `Bearer ${token}` } })).statusCode;
    return { counter, get, close: async () => { await fastify.close(); await pool.end(); } };
  }

  it('refuses 1,000 random tokens from memory: no database query, and a valid key keeps working without one', async () => {
    const app = await countedApp(60_000);
    try {
      const admin = await app.get(h.keys.admin); // loaded at start: no query needed
      expect(admin).toBe(200);
      const before = app.counter.queries;
      const garbage = Array.from({ length: 1000 }, (_, i) =>
        i % 3 === 0 ? randomBytes(32).toString('base64url') : i % 3 === 1 ? `hc_${randomBytes(24).toString('base64url')}` : `hc1_${randomBytes(24).toString('base64url')}${randomBytes(5).toString('base64url').slice(0, 6)}`,
      );
      const statuses = new Set<number>();
      for (const token of garbage) statuses.add(await app.get(token));
      expect([...statuses]).toEqual([401]);
      expect(app.counter.queries - before, app.counter.statements.slice(before, before + 3).join('\n')).toBe(0);
      // The index was not flushed: the valid key still answers from memory (the route itself reads units).
      const beforeValid = app.counter.queries;
      expect(await app.get(h.keys.admin)).toBe(200);
      expect(app.counter.statements.slice(beforeValid).filter((q) => q.includes('"api_keys"'))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('looks up a well-formed unknown secret at most once per refresh interval and at a bounded rate', async () => {
    const app = await countedApp(60_000);
    try {
      const keyLookups = () => app.counter.statements.filter((q) => q.includes('"api_keys"')).length;
      const start = keyLookups();
      const unknown = generateKeySecret();
      for (let i = 0; i < 50; i++) expect(await app.get(unknown)).toBe(401);
      expect(keyLookups() - start).toBe(1);
      const many = Array.from({ length: 200 }, () => generateKeySecret());
      const t0 = Date.now();
      for (const token of many) expect(await app.get(token)).toBe(401);
      const seconds = Math.ceil((Date.now() - t0) / 1000) + 1;
      expect(keyLookups() - start - 1).toBeLessThanOrEqual(20 * seconds);
    } finally {
      await app.close();
    }
  });

  it('knows a key another process created at once (checksummed) or within the refresh (older format), and a revocation elsewhere within the refresh interval', async () => {
    const refreshMs = 500;
    const app = await countedApp(refreshMs);
    try {
      // Created by "another process": straight into the database.
      const { key, secret } = await createApiKey(h.db, { name: uniq('elsewhere'), role: 'county', scope: h.entA.countyCode });
      expect(await app.get(secret)).toBe(200);
      const legacy = `hc_${randomBytes(24).toString('base64url')}`;
      await createApiKey(h.db, { name: uniq('legacy'), role: 'county', scope: h.entA.countyCode, secret: legacy });
      await eventually(async () => ((await app.get(legacy)) === 200 ? true : undefined), refreshMs * 4, 'the legacy key in the index');

      await revokeApiKey(h.db, key.id);
      const revokedAt = Date.now();
      await eventually(async () => ((await app.get(secret)) === 401 ? true : undefined), 5000, 'the revocation');
      const took = Date.now() - revokedAt;
      // Bound: one refresh interval, plus the refresh query and the poll step.
      expect(took).toBeLessThanOrEqual(refreshMs + 400);
    } finally {
      await app.close();
    }
  });

  it('refuses a key revoked through this API at once', async () => {
    const created = await h.call<{ key: { id: string }; secret: string }>('POST', '/v1/api-keys', h.keys.admin, { name: uniq('now'), role: 'county', scope: h.entA.countyCode });
    expect((await h.call('GET', '/v1/units', created.body.secret)).status).toBe(200);
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.body.key.id}`, headers: { authorization: `Bearer ${h.keys.admin}` } })).statusCode).toBe(204);
    expect((await h.call('GET', '/v1/units', created.body.secret)).status).toBe(401);
  });
});

describe('the bootstrap admin key', () => {
  it('stays revoked once revoked, and the next start goes on (with a warning) instead of failing on the unique hash', async () => {
    const configured = `bootstrap-${randomBytes(12).toString('hex')}`;
    expect(await ensureBootstrapAdmin(h.db, configured)).toMatchObject({ created: true });
    expect(await ensureBootstrapAdmin(h.db, configured)).toMatchObject({ created: false });
    const [row] = await h.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashKey(configured)));
    await revokeApiKey(h.db, row!.id);
    expect(await ensureBootstrapAdmin(h.db, configured)).toEqual({ secret: null, created: false, revoked: true });

    // The API's own start with that configuration: it comes up, and the revoked key stays refused.
    const config = loadConfig({ DATABASE_URL: h.database!.url, TEMPORAL_ADDRESS: injected('temporalAddress'), PORT: '0', BOOTSTRAP_ADMIN_KEY: configured, LOG_LEVEL: 'silent', RECONCILE_INTERVAL_SECONDS: '0' });
    const handle = await createDb(config.databaseUrl);
    try {
      const api = await startApi(config, handle);
      try {
        expect(api.bootstrapKeyRevoked).toBe(true);
        const res = await api.fastify.inject({ method: 'GET', url: '/v1/units', headers: { authorization: `Bearer ${configured}` } });
        expect(res.statusCode).toBe(401);
        expect((await api.fastify.inject({ method: 'GET', url: '/v1/units', headers: { authorization: `Bearer ${h.keys.admin}` } })).statusCode).toBe(200);
      } finally {
        await api.close();
      }
    } finally {
      await handle.close();
    }
    const rows = await h.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashKey(configured)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.revokedAt).not.toBeNull();
  });
});
