// Reference data through the real API: units, enterprises and API keys, on a fresh Postgres
// database and the shared Temporal dev server (no worker needed: no hazard process runs here).
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, enterprises, units } from '../../db/schema';
import { ApiHarness, type Reply } from '../support/api-harness';
import { expectProblem } from '../support/problem';
import { creditCode, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: false });
beforeAll(() => h.start());
afterAll(() => h.close());

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';


const rows = async (table: typeof units | typeof enterprises | typeof apiKeys) => (await h.db.select({ n: count() }).from(table))[0]!.n;

/** A valid credit code with its check character replaced by another valid-looking one. */
function withWrongCheckChar(code: string): string {
  const last = code[17]!;
  return code.slice(0, 17) + CHARSET[(CHARSET.indexOf(last) + 1) % CHARSET.length]!;
}

describe('units', () => {
  it('registers a county and a department (201) and lists them by kind', async () => {
    const county = uniq('county');
    const dept = uniq('dept');
    const c = await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: county, name: '云冈区', email: `${county}@units.test`, contactName: '王科长' });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(c.body).toMatchObject({ kind: 'COUNTY', code: county, name: '云冈区', email: `${county}@units.test`, phone: null, contactName: '王科长' });
    expect(c.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const d = await h.call('POST', '/v1/units', h.keys.office, { kind: 'DEPARTMENT', code: dept, name: '市应急管理局' });
    expect(d.status).toBe(201);

    const counties = await h.call<{ items: { code: string }[] }>('GET', '/v1/units?kind=COUNTY', h.keys.entA);
    expect(counties.body.items.map((u) => u.code)).toContain(county);
    expect(counties.body.items.map((u) => u.code)).not.toContain(dept);
    expectProblem(await h.call('GET', '/v1/units?kind=CITY', h.keys.admin), 400, 'VALIDATION_FAILED', ['querystring.kind']);
  });

  it('refuses a duplicate code with 409 CONFLICT naming code, whatever the kind', async () => {
    const code = uniq('dup');
    expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code, name: '甲' })).status).toBe(201);
    const before = await rows(units);
    expectProblem(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code, name: '乙' }), 409, 'CONFLICT', ['code']);
    expectProblem(await h.call('POST', '/v1/units', h.keys.office, { kind: 'DEPARTMENT', code, name: '丙' }), 409, 'CONFLICT', ['code']);
    expect(await rows(units)).toBe(before);
  });

  it('refuses bad unit bodies and roles other than admin and office, creating nothing', async () => {
    const before = await rows(units);
    expectProblem(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: 'has space', name: '甲' }), 400, 'VALIDATION_FAILED', ['code']);
    expectProblem(await h.call('POST', '/v1/units', h.keys.admin, { code: uniq('c'), name: '甲' }), 400, 'VALIDATION_FAILED', ['kind']);
    expectProblem(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'VILLAGE', code: uniq('c'), name: '甲' }), 400, 'VALIDATION_FAILED', ['kind']);
    expectProblem(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: uniq('c'), name: '甲', mayor: '乙' }), 400, 'VALIDATION_FAILED', ['mayor']);
    for (const key of [h.keys.department, h.keys.county, h.keys.entA]) {
      expectProblem(await h.call('POST', '/v1/units', key, { kind: 'COUNTY', code: uniq('c'), name: '甲' }), 403, 'FORBIDDEN');
    }
    expectProblem(await h.call('POST', '/v1/units', null, { kind: 'COUNTY', code: uniq('c'), name: '甲' }), 401, 'UNAUTHORIZED');
    expect(await rows(units)).toBe(before);
  });
});

describe('enterprises', () => {
  let countyCode: string;
  let departmentCode: string;
  beforeAll(async () => {
    countyCode = uniq('county');
    departmentCode = uniq('dept');
    expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: countyCode, name: '平城区' })).status).toBe(201);
    expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'DEPARTMENT', code: departmentCode, name: '市应急管理局' })).status).toBe(201);
  });
  const body = (over: Record<string, unknown> = {}) => ({
    name: `${uniq('恒安')} 化工有限公司`,
    creditCode: creditCode(),
    industry: 'HAZARDOUS_CHEMICALS',
    countyCode,
    departmentCode,
    principal: { name: '张主任', email: 'zhang@hengan.test', phone: '13800000000' },
    ...over,
  });

  it('registers an enterprise (201) with defaults, readable by id', async () => {
    const b = body({ contacts: [{ name: '安全员', title: '安全科', email: 'safety@hengan.test' }] });
    const res = await h.call('POST', '/v1/enterprises', h.keys.office, b);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name: b.name,
      creditCode: b.creditCode,
      industry: 'HAZARDOUS_CHEMICALS',
      countyCode,
      departmentCode,
      supervisionLevel: 'COUNTY',
      principal: { name: '张主任', email: 'zhang@hengan.test', phone: '13800000000' },
      contacts: [{ name: '安全员', title: '安全科', email: 'safety@hengan.test' }],
      locale: 'zh-CN',
    });
    const read = await h.call('GET', `/v1/enterprises/${res.body.id}`, h.keys.admin);
    expect(read).toMatchObject({ status: 200, body: { id: res.body.id, creditCode: b.creditCode } });
  });

  it('refuses a credit code whose check character is wrong: 422 naming creditCode, nothing stored', async () => {
    const before = await rows(enterprises);
    const res = await h.call('POST', '/v1/enterprises', h.keys.admin, body({ creditCode: withWrongCheckChar(creditCode()) }));
    expectProblem(res, 422, 'VALIDATION_FAILED', ['creditCode']);
    // Not the shape: the schema passes it, the check character fails it.
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, body({ creditCode: '91350100m000100y43' })), 400, 'VALIDATION_FAILED', ['creditCode']);
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, body({ creditCode: '9135010000010' })), 400, 'VALIDATION_FAILED', ['creditCode']);
    expect(await rows(enterprises)).toBe(before);
  });

  it('refuses unknown units: 422 naming countyCode / departmentCode, also when a code is of the other kind', async () => {
    const before = await rows(enterprises);
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, body({ countyCode: uniq('nowhere') })), 422, 'VALIDATION_FAILED', ['countyCode']);
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, body({ countyCode: departmentCode })), 422, 'VALIDATION_FAILED', ['countyCode']);
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, body({ departmentCode: countyCode })), 422, 'VALIDATION_FAILED', ['departmentCode']);
    expectProblem(
      await h.call('POST', '/v1/enterprises', h.keys.admin, body({ countyCode: uniq('x'), departmentCode: uniq('y'), creditCode: withWrongCheckChar(creditCode()) })),
      422,
      'VALIDATION_FAILED',
      ['countyCode', 'departmentCode', 'creditCode'],
    );
    expect(await rows(enterprises)).toBe(before);
  });

  it('refuses a second enterprise with the same credit code (409) and callers that are not admin or office (403)', async () => {
    const b = body();
    expect((await h.call('POST', '/v1/enterprises', h.keys.admin, b)).status).toBe(201);
    const before = await rows(enterprises);
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, { ...body(), creditCode: b.creditCode }), 409, 'CONFLICT', ['creditCode']);
    for (const key of [h.keys.department, h.keys.county, h.keys.entA]) expectProblem(await h.call('POST', '/v1/enterprises', key, body()), 403, 'FORBIDDEN');
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, { ...body(), industry: 'PIRACY' }), 400, 'VALIDATION_FAILED', ['industry']);
    expectProblem(await h.call('POST', '/v1/enterprises', h.keys.admin, { ...body(), principal: { name: '张', email: 'not-an-email' } }), 400, 'VALIDATION_FAILED', ['principal.email']);
    expect(await rows(enterprises)).toBe(before);
  });

  it('shows each caller only the enterprises in its scope', async () => {
    const own = await h.call<{ items: { id: string }[] }>('GET', '/v1/enterprises?limit=500', h.keys.entA);
    expect(own.body.items.map((e) => e.id)).toEqual([h.entA.id]);
    expect((await h.call('GET', `/v1/enterprises/${h.entA.id}`, h.keys.entA)).status).toBe(200);
    expectProblem(await h.call('GET', `/v1/enterprises/${h.entB.id}`, h.keys.entA), 404, 'NOT_FOUND');
    const dept = await h.call<{ items: { id: string; departmentCode: string }[] }>('GET', '/v1/enterprises?limit=500', h.keys.department);
    expect(dept.body.items.map((e) => e.id)).toContain(h.entA.id);
    expect(dept.body.items.every((e) => e.departmentCode === h.entA.departmentCode)).toBe(true);
    expectProblem(await h.call('GET', `/v1/enterprises/${h.entB.id}`, h.keys.county), 404, 'NOT_FOUND');
    expectProblem(await h.call('GET', '/v1/enterprises?cursor=nope', h.keys.admin), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });

  it('pages through the enterprises of a county with limit=1, without duplicates or gaps', async () => {
    const county = uniq('county');
    expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: county, name: '新荣区' })).status).toBe(201);
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await h.call('POST', '/v1/enterprises', h.keys.admin, body({ countyCode: county }))).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Reply<{ items: { id: string }[]; nextCursor: string | null }> = await h.call('GET', `/v1/enterprises?county=${county}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, h.keys.admin);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([...created].reverse());
  });
});

describe('API keys', () => {
  it('lets an admin create a key whose secret works, scoped as asked', async () => {
    const res = await h.call<{ key: Record<string, unknown>; secret: string }>('POST', '/v1/api-keys', h.keys.admin, { name: '恒安门户', role: 'enterprise', scope: h.entA.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.key).toMatchObject({ name: '恒安门户', role: 'enterprise', scope: h.entA.id, revokedAt: null });
    expect(res.body.secret.startsWith(String(res.body.key.keyPrefix))).toBe(true);
    expect(res.body.key).not.toHaveProperty('keyHash');
    expect(JSON.stringify(res.body.key)).not.toContain(res.body.secret);

    const mine = await h.call<{ items: { id: string }[] }>('GET', '/v1/enterprises', res.body.secret);
    expect(mine).toMatchObject({ status: 200, body: { items: [{ id: h.entA.id }] } });
    expect((await h.call('GET', '/v1/hazards', res.body.secret)).status).toBe(200);

    const office = await h.call<{ secret: string }>('POST', '/v1/api-keys', h.keys.admin, { name: '安委办', role: 'office' });
    expect(office.status).toBe(201);
    // The new office key may itself create scoped keys.
    const dept = await h.call<{ key: { role: string; scope: string } }>('POST', '/v1/api-keys', office.body.secret, { name: '应急局', role: 'department', scope: h.entA.departmentCode });
    expect(dept).toMatchObject({ status: 201, body: { key: { role: 'department', scope: h.entA.departmentCode } } });
  });

  it('refuses key creation to roles that may not create keys, and office creating admin or office keys (403)', async () => {
    const before = await rows(apiKeys);
    for (const key of [h.keys.entA, h.keys.department, h.keys.county]) {
      expectProblem(await h.call('POST', '/v1/api-keys', key, { name: 'x', role: 'enterprise', scope: h.entA.id }), 403, 'FORBIDDEN');
    }
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.office, { name: 'x', role: 'admin' }), 403, 'FORBIDDEN');
    expectProblem(await h.call('POST', '/v1/api-keys', h.keys.office, { name: 'x', role: 'office' }), 403, 'FORBIDDEN');
    expect(await rows(apiKeys)).toBe(before);
  });

  it('validates the scope against the role: 422 naming scope, nothing created', async () => {
    const before = await rows(apiKeys);
    const cases: [Record<string, unknown>, number, string[]][] = [
      [{ role: 'admin', scope: 'anything' }, 422, ['scope']],
      [{ role: 'office', scope: h.entA.countyCode }, 422, ['scope']],
      [{ role: 'department' }, 422, ['scope']],
      [{ role: 'department', scope: uniq('no-such-dept') }, 422, ['scope']],
      [{ role: 'department', scope: h.entA.countyCode }, 422, ['scope']],
      [{ role: 'county', scope: h.entA.departmentCode }, 422, ['scope']],
      [{ role: 'enterprise', scope: 'not-a-uuid' }, 422, ['scope']],
      [{ role: 'enterprise', scope: '00000000-0000-4000-8000-000000000000' }, 422, ['scope']],
      [{ role: 'enterprise', scope: '' }, 400, ['scope']],
      [{ role: 'superuser' }, 400, ['role']],
      [{ role: 'admin', colour: 'red' }, 400, ['colour']],
    ];
    for (const [over, status, fields] of cases) {
      expectProblem(await h.call('POST', '/v1/api-keys', h.keys.admin, { name: 'scoped key', ...over }), status, 'VALIDATION_FAILED', fields);
    }
    expect(await rows(apiKeys)).toBe(before);
  });

  it('lists keys without secrets to admin and office only; the office revokes the keys it may create, admin and office keys only an admin', async () => {
    const created = await h.call<{ key: { id: string }; secret: string }>('POST', '/v1/api-keys', h.keys.admin, { name: uniq('to-revoke'), role: 'county', scope: h.entA.countyCode });
    expect(created.status).toBe(201);
    const list = await h.call<{ items: Record<string, unknown>[] }>('GET', '/v1/api-keys', h.keys.office);
    expect(list.status).toBe(200);
    expect(list.body.items.map((k) => k.id)).toContain(created.body.key.id);
    for (const k of list.body.items) {
      expect(k).not.toHaveProperty('keyHash');
      expect(k).not.toHaveProperty('secret');
    }
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    expectProblem(await h.call('GET', '/v1/api-keys', h.keys.entA), 403, 'FORBIDDEN');

    const officeKey = await h.call<{ key: { id: string } }>('POST', '/v1/api-keys', h.keys.admin, { name: uniq('office'), role: 'office' });
    expectProblem(await h.call('DELETE', `/v1/api-keys/${officeKey.body.key.id}`, h.keys.office), 403, 'FORBIDDEN');
    expectProblem(await h.call('DELETE', `/v1/api-keys/${created.body.key.id}`, h.keys.county), 403, 'FORBIDDEN');
    const revoked = await h.app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.body.key.id}`, headers: { authorization: `Bearer ${h.keys.office}` } });
    expect(revoked.statusCode).toBe(204);
    expectProblem(await h.call('GET', '/v1/hazards', created.body.secret), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('DELETE', `/v1/api-keys/${created.body.key.id}`, h.keys.admin), 404, 'NOT_FOUND');
    const after = await h.call<{ items: { id: string; revokedAt: string | null }[] }>('GET', '/v1/api-keys', h.keys.admin);
    expect(after.body.items.find((k) => k.id === created.body.key.id)?.revokedAt).not.toBeNull();
  });
});
