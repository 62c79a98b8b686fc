// Hostile and unusual input at the edge, on the real app (api/app.ts), a fresh Postgres database,
// the shared Temporal dev server and a real worker: what a store cannot hold (U+0000, lone
// surrogates, endless nesting), control characters in one-line fields, oversized values, wrong
// types, unknown fields, SQL and header injection get a clear 4xx naming the field, and the ledger
// is unchanged; legitimate text in any script comes back exactly as sent. Also the limits: body
// size (413), media type (415), methods (405), rate limits per key (429 with Retry-After).
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app as hazardApi, fastifyOptions } from '../../api/app';
import { apiKeys, campaignTemplates, enterprises, hazards, selfInspections, supervisionFindings, units } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { ApiHarness, eventually, type Json, type ProblemBody, type Reply } from '../support/api-harness';
import { expectProblem } from '../support/problem';
import { creditCode, reportBody, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: true });
beforeAll(() => h.start());
afterAll(() => h.close());



/** A 4xx refusal of bad input (schema: 400, edge guard or domain: 422) naming exactly `fields`. */
function expectRefused(reply: Reply<unknown>, fields: string[]): ProblemBody {
  expect([400, 422], JSON.stringify(reply.body)).toContain(reply.status);
  return expectProblem(reply, reply.status, 'VALIDATION_FAILED', fields);
}

const tableCounts = async () => {
  const n = async (table: typeof hazards | typeof units | typeof enterprises | typeof apiKeys | typeof campaignTemplates) => (await h.db.select({ n: count() }).from(table))[0]!.n;
  return { hazards: await n(hazards), units: await n(units), enterprises: await n(enterprises), apiKeys: await n(apiKeys), templates: await n(campaignTemplates) };
};

/** Runs `act` and asserts that no row was added to the reference data or the ledger. */
async function changesNothing(act: () => Promise<void>): Promise<void> {
  const before = await tableCounts();
  await act();
  expect(await tableCounts()).toEqual(before);
}

const report = (over: Record<string, unknown>, key = h.keys.admin) => h.call('POST', '/v1/hazards', key, { ...reportBody(), enterpriseId: h.entA.id, ...over });

async function rectifyingHazard(): Promise<string> {
  const res = await report({});
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  await eventually(async () => {
    const d = await h.call('GET', `/v1/hazards/${id}`, h.keys.admin);
    return d.body.hazard?.state === 'RECTIFYING' && d.body.live !== null ? true : undefined;
  }, 15_000, 'hazard in RECTIFYING');
  return id;
}

describe('text Postgres cannot store is refused at the edge, on every route, naming the field', () => {
  it('refuses U+0000 in a hazard report (was a 500)', async () => {
    await changesNothing(async () => {
      expectRefused(await report({ description: '配电室\u0000线路老化' }), ['description']);
      expectRefused(await report({ responsible: { name: '李工', email: 'li@example.test' }, measures: 'a\u0000b' }), ['measures']);
    });
  });

  it('refuses a lone surrogate (JSON \\ud800) in text and in nested objects', async () => {
    await changesNothing(async () => {
      // The raw JSON escape: JSON.parse turns it into a lone surrogate, which jsonb refuses.
      const raw = await h.app.inject({
        method: 'POST',
        url: '/v1/hazards',
        headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ ...reportBody(), enterpriseId: h.entA.id }).replace('"李工"', '"\\ud800李工"'),
      });
      expectRefused({ status: raw.statusCode, headers: raw.headers, body: raw.json() }, ['responsible.name']);
      expectRefused(await report({ location: 'B区\udfff' }), ['location']);
    });
  });

  it('refuses U+0000 in a field name, showing the name escaped rather than echoing it', async () => {
    await changesNothing(async () => {
      const problem = expectRefused(await report({ 'description\u0000': 'x' }), ['description\\u0000']);
      expect(problem.errors!.every((e) => !e.field.includes('\u0000'))).toBe(true);
    });
  });

  it("refuses U+0000 in a command's evidence before the workflow sees it; the ledger row and its events are unchanged", async () => {
    const id = await rectifyingHazard();
    const before = await h.ledgerOf(id);
    expectRefused(await h.call('POST', `/v1/hazards/${id}/rectification`, h.keys.entA, { evidence: '已更换\u0000线路' }), ['evidence']);
    expectRefused(await h.call('POST', `/v1/hazards/${id}/rectification`, h.keys.entA, { evidence: '已更换线路', attachments: [{ name: 'photo\u0000.jpg' }] }), ['attachments[0].name']);
    expect(await h.ledgerOf(id)).toEqual(before);
  });

  it("refuses U+0000 in a duty's content and in untyped bodies (campaign templates, roster rows) before any look-up", async () => {
    await changesNothing(async () => {
      const duty = `/v1/campaigns/${randomUUID()}/duties/some-unit/plan`;
      expectRefused(await h.call('POST', duty, h.keys.admin, { text: '实施方案\u0000' }), ['text']);
      expectRefused(await h.call('POST', duty, h.keys.admin, { figures: { 'meetings\u0000': 3 } }), ['figures.meetings\\u0000']);
      const template = { ...demoTemplate(Date.now()), key: uniq('tpl'), name: '专项\u0000行动' };
      expectRefused(await h.call('POST', '/v1/campaign-templates', h.keys.admin, template), ['name']);
    });
  });

  it('refuses U+0000 in the query string and in headers', async () => {
    expectRefused(await h.call('GET', '/v1/hazards?county=a%00b', h.keys.admin), ['querystring.county']);
    const res = await h.call('POST', '/v1/hazards', h.keys.admin, { ...reportBody(), enterpriseId: h.entA.id }, { 'idempotency-key': 'key\u0000one' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('fails only the roster row that Postgres cannot store, keeping the rest of the file', async () => {
    const row = (name: string) => ({ name, creditCode: creditCode(), industry: 'HAZARDOUS_CHEMICALS', countyCode: h.entA.countyCode, departmentCode: h.entA.departmentCode, principal: { name: '张主任' } });
    const res = await h.call('POST', '/v1/enterprises/bulk', h.keys.admin, { enterprises: [row('恒安化工'), row('坏\ud800行'), row('空\u0000字符')] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ created: 1, failed: 2 });
    expect(res.body.rows[1].errors).toEqual([{ field: 'enterprises[1].name', reason: expect.stringMatching(/lone UTF-16 surrogate/) }]);
    expect(res.body.rows[2].errors).toEqual([{ field: 'enterprises[2].name', reason: expect.stringMatching(/NUL/) }]);
  });

  it('answers malformed percent-encoding in the URL with a 4xx, never a 5xx', async () => {
    for (const url of ['/v1/hazards?county=%FF', '/v1/hazards?county=%ED%A0%80', '/v1/hazards/%FF', '/v1/hazards?county=%', '/v1/units?kind=%00']) {
      const res = await h.call('GET', url, h.keys.admin);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
      if (res.status >= 400) expect(res.body.code, url).toBe(res.status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED');
    }
  });

  it('refuses JSON nested deeper than any shape the API takes, instead of overflowing a stack later', async () => {
    const deep = `${'['.repeat(5000)}"leaf"${']'.repeat(5000)}`;
    await changesNothing(async () => {
      const template = JSON.stringify({ ...demoTemplate(Date.now()), key: uniq('tpl'), workLines: 'DEEP' }).replace('"DEEP"', deep);
      const res = await h.app.inject({ method: 'POST', url: '/v1/campaign-templates', headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' }, payload: template });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
      expect(res.json().errors[0]).toMatchObject({ field: `workLines${'[0]'.repeat(31)}`, reason: 'nests deeper than 32 levels' });
    });
  });
});

describe('one-line fields refuse control characters (header injection into mail subjects)', () => {
  it('refuses CR/LF and other C0/C1 characters in names, codes and titles', async () => {
    await changesNothing(async () => {
      expectRefused(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: uniq('c'), name: '平城区\r\nBcc: victim@example.test' }), ['name']);
      expectRefused(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: uniq('c'), name: '平城区\u0085' }), ['name']);
      expectRefused(await report({ location: '车间\u001b[31m' }), ['location']);
      expectRefused(await report({ responsible: { name: '李工\nSubject: spoofed' } }), ['responsible.name']);
      expectRefused(
        await h.call('POST', '/v1/enterprises', h.keys.admin, {
          name: '大同化工\r\nX-Injected: 1',
          creditCode: creditCode(),
          industry: 'HAZARDOUS_CHEMICALS',
          countyCode: h.entA.countyCode,
          departmentCode: h.entA.departmentCode,
          principal: { name: '王总\t', email: 'boss@example.test' },
        }),
        ['name', 'principal.name'],
      );
      expectRefused(await h.call('POST', '/v1/api-keys', h.keys.admin, { name: 'ops\rkey', role: 'office' }), ['name']);
    });
  });

  it('refuses line breaks in the names that go into mail subjects: a campaign, its template', async () => {
    await changesNothing(async () => {
      const template = { ...demoTemplate(Date.now() + 7 * 86_400_000), key: uniq('tpl'), name: '专项行动\r\nBcc: all@example.test' };
      expectRefused(await h.call('POST', '/v1/campaign-templates', h.keys.admin, template), ['name']);
      const launch = { name: '专项\nX-Injected: 1', templateKey: 'demo', templateVersion: 1, counties: [], departments: [] };
      expectRefused(await h.call('POST', '/v1/campaigns', h.keys.admin, launch), ['name']);
    });
  });

  it('keeps tabs and line breaks in multi-line text, exactly', async () => {
    const description = '第一行\n第二行\r\n\t缩进的第三行';
    const res = await report({ description, measures: '1. 断电\n2. 更换线路' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ description, measures: '1. 断电\n2. 更换线路' });
  });
});

describe('legitimate text in any script round-trips unchanged', () => {
  const samples = {
    chinese: '重大事故隐患专项排查整治：二号罐区液位计失灵，𠀀𪚥（扩展区汉字）',
    emoji: '⚠️🔥 消防通道堵塞 👷‍♀️🏭',
    rtl: 'خطر حريق في المستودع — אזהרה',
    combining: 'Ångström ñ é (e\u0301) 한국어',
    sql: "'; DROP TABLE hazards; -- \" OR 1=1 /* */",
    markup: '<script>alert(1)</script> ${process.env} {{7*7}}',
  };

  it('stores and returns every field of a report byte for byte, on the ledger and through the API', async () => {
    for (const [what, text] of Object.entries(samples)) {
      const res = await report({ description: `${what}: ${text}`, location: text.slice(0, 100), measures: text, interimControls: text, responsible: { name: text.slice(0, 40), email: 'li@example.test' } });
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(201);
      const got = await h.call('GET', `/v1/hazards/${res.body.id}`, h.keys.admin);
      expect(got.body.hazard, what).toMatchObject({ description: `${what}: ${text}`, location: text.slice(0, 100), measures: text, interimControls: text, responsible: { name: text.slice(0, 40) } });
      const [row] = await h.db.select().from(hazards).where(eq(hazards.id, res.body.id as string));
      expect(row!.description, what).toBe(`${what}: ${text}`);
    }
  });

  it('keeps Chinese in unit and enterprise names and in a template', async () => {
    const code = uniq('cn');
    const unit = await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code, name: samples.chinese.slice(0, 30), contactName: '王小明' });
    expect(unit.status, JSON.stringify(unit.body)).toBe(201);
    expect(unit.body).toMatchObject({ name: samples.chinese.slice(0, 30), contactName: '王小明' });
    const template = { ...demoTemplate(Date.now()), key: uniq('tpl'), name: `${samples.chinese} ${samples.emoji}` };
    const saved = await h.call('POST', '/v1/campaign-templates', h.keys.admin, template);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const list = await h.call<{ items: { key: string; name: string }[] }>('GET', '/v1/campaign-templates', h.keys.admin);
    expect(list.body.items.find((t) => t.key === template.key)?.name).toBe(template.name);
  });

  it('keeps Chinese, emoji and RTL text through a campaign: its name, a supervision finding, a self-inspection note', async () => {
    const template = { ...demoTemplate(Date.now() + 7 * 86_400_000), key: uniq('tpl') };
    expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
    const name = `${samples.chinese.slice(0, 20)} ${samples.emoji} ${samples.rtl}`;
    const launched = await h.call('POST', '/v1/campaigns', h.keys.admin, { name, templateKey: template.key, templateVersion: template.version, counties: [h.entA.countyCode], departments: [h.entA.departmentCode] });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    const id = launched.body.id as string;
    try {
      expect((await h.call('GET', `/v1/campaigns/${id}`, h.keys.admin)).body.name).toBe(name);
      const finding = { team: '第一督导组 🚩 فريق', target: 'UNIT', unitCode: h.entA.countyCode, description: `${samples.chinese}\n${samples.rtl}\n${samples.sql}` };
      const filed = await h.call('POST', `/v1/campaigns/${id}/supervision-findings`, h.keys.admin, finding);
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      const [row] = await h.db.select().from(supervisionFindings).where(eq(supervisionFindings.id, filed.body.id as string));
      expect(row).toMatchObject({ team: finding.team, description: finding.description });
      const declared = await h.call('POST', `/v1/campaigns/${id}/self-inspections`, h.keys.entA, { problemsFound: 2, note: samples.combining });
      expect(declared.status, JSON.stringify(declared.body)).toBe(200);
      const [self] = await h.db.select().from(selfInspections).where(eq(selfInspections.campaignId, id));
      expect(self!.note).toBe(samples.combining);
    } finally {
      await h.env!.client.workflow.getHandle(`campaign:${id}`).terminate('test done').catch(() => undefined);
    }
  });

  it('treats SQL in a filter as a value, not as SQL', async () => {
    const res = await h.call('GET', `/v1/hazards?county=${encodeURIComponent("x' OR '1'='1")}`, h.keys.admin);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    const dept = await h.call('GET', `/v1/hazards?department=${encodeURIComponent('x OR 1=1')}`, h.keys.admin);
    expect(dept.status).toBe(200);
    expect(dept.body.items).toEqual([]);
  });
});

describe('oversized values, wrong types and unknown fields: a clear 4xx naming the field, nothing stored', () => {
  it('refuses a 21-digit template version when launching (was a 500: Postgres integer overflow)', async () => {
    await changesNothing(async () => {
      const body = { templateKey: 'demo', templateVersion: 123456789012345678901, counties: [], departments: [] };
      expectRefused(await h.call('POST', '/v1/campaigns', h.keys.admin, body), ['templateVersion']);
      expectRefused(await h.call('POST', '/v1/campaigns', h.keys.admin, { ...body, templateVersion: 2 ** 31 }), ['templateVersion']);
    });
  });

  it('refuses a template whose version a Postgres integer cannot hold (was a 500)', async () => {
    await changesNothing(async () => {
      const template = { ...demoTemplate(Date.now()), key: uniq('tpl'), version: 2 ** 40 };
      expectRefused(await h.call('POST', '/v1/campaign-templates', h.keys.admin, template), ['version']);
    });
  });

  it('refuses too long text, huge numbers, wrong types and unknown fields', async () => {
    await changesNothing(async () => {
      expectRefused(await report({ description: '隐'.repeat(2001) }), ['description']);
      expectRefused(await report({ fundsAmount: 1e300 }), ['fundsAmount']);
      // Rounds to 1,000,000,000,000.00: 13 integer digits, more than numeric(14, 2) holds.
      expectRefused(await report({ fundsAmount: 999_999_999_999.999 }), ['fundsAmount']);
      expectRefused(await report({ grade: 5 }), ['grade']);
      expectRefused(await report({ fundsAmount: '12000' }), ['fundsAmount']);
      expectRefused(await report({ isAdmin: true }), ['isAdmin']);
      expectRefused(await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: uniq('c'), name: 'x', extra: 1 }), ['extra']);
      expectRefused(await h.call('GET', '/v1/hazards?limit=100000000000000000000', h.keys.admin), ['querystring.limit']);
    });
  });

  it('answers 413 problem JSON for a body over the limit, and 415 for a body that is not JSON', async () => {
    await changesNothing(async () => {
      const big = await h.app.inject({
        method: 'POST',
        url: '/v1/units',
        headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ kind: 'COUNTY', code: uniq('c'), name: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expectProblem({ status: big.statusCode, headers: big.headers, body: big.json() }, 413, 'PAYLOAD_TOO_LARGE');
      const text = await h.app.inject({ method: 'POST', url: '/v1/units', headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'text/plain' }, payload: 'kind=COUNTY' });
      expectProblem({ status: text.statusCode, headers: text.headers, body: text.json() }, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it("answers a URL over Node's 16 KiB header limit with 431 problem JSON, not Fastify's own body (schemathesis found it on GET /v1/events)", async () => {
    // Node's HTTP parser refuses it before Fastify has a request, so over real HTTP, not inject.
    const server = Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();
    await server.register(hazardApi, { db: h.db, temporal: { client: h.env!.client, taskQueue: h.taskQueue } });
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const read = async (res: Response): Promise<Reply<unknown>> => ({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.json() });
      const auth = { authorization: `Bearer ${h.keys.entA}` };
      const longUrl = await fetch(`${base}/v1/events?types=${encodeURIComponent('😀'.repeat(2000))}&limit=1.5`, { headers: auth });
      expectProblem(await read(longUrl), 431, 'VALIDATION_FAILED', ['url']);
      const longHeader = await fetch(`${base}/v1/units`, { headers: { ...auth, 'x-padding': 'x'.repeat(20_000) } });
      expectProblem(await read(longHeader), 431, 'VALIDATION_FAILED', ['url']);
      // The server is still there for the next request.
      expect((await fetch(`${base}/v1/units`, { headers: { authorization: `Bearer ${h.keys.admin}` } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers broken JSON, prototype pollution and a JSON array body with 400 problem JSON', async () => {
    await changesNothing(async () => {
      for (const payload of ['{"kind": "COUNTY", "code": ', '{"__proto__": {"isAdmin": true}, "kind": "COUNTY", "code": "x", "name": "x"}', '[{"kind": "COUNTY"}]', '1e400']) {
        const res = await h.app.inject({ method: 'POST', url: '/v1/units', headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' }, payload });
        expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 400, 'VALIDATION_FAILED');
      }
    });
  });

  it('answers 405 with Allow for a method the path does not have', async () => {
    const res = await h.app.inject({ method: 'PATCH', url: '/v1/units', headers: { authorization: `Bearer ${h.keys.admin}` } });
    expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 405, 'METHOD_NOT_ALLOWED');
    expect(String(res.headers.allow).split(', ').sort()).toEqual(['GET', 'POST']);
  });
});

describe('every answer carries the media type the document declares', () => {
  it('replays a refusal under its Idempotency-Key as the same problem+json (schemathesis found application/json)', async () => {
    const id = await rectifyingHazard();
    const headers = { 'idempotency-key': uniq('close') };
    const first = await h.call('POST', `/v1/hazards/${id}/close`, h.keys.admin, { note: '提前销号' }, headers);
    const body = expectProblem(first, 409, 'ILLEGAL_TRANSITION');
    const again = await h.call('POST', `/v1/hazards/${id}/close`, h.keys.admin, { note: '提前销号' }, headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(expectProblem(again, 409, 'ILLEGAL_TRANSITION')).toEqual(body);
  });
});

describe('rate limits per API key', () => {
  type App = ReturnType<typeof makeApp>;
  const makeApp = () => Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();
  let limited: App;

  beforeAll(async () => {
    limited = makeApp();
    await limited.register(hazardApi, { db: h.db, temporal: { client: h.env!.client, taskQueue: h.taskQueue }, limits: { writesPerMinute: 4, mailPerMinute: 2 } });
    await limited.ready();
  });
  afterAll(() => limited.close());

  const post = async (url: string, key: string | null, body: object, headers: Record<string, string> = {}): Promise<Reply<Json>> => {
    const res = await limited.inject({ method: 'POST', url, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers }, payload: body });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  };

  it('answers 429 problem JSON with Retry-After once a key exceeds its mail-sending writes, other keys and reads unaffected', async () => {
    const key = await h.key('admin', null);
    const hazard = () => post('/v1/hazards', key, { ...reportBody(), enterpriseId: h.entA.id });
    expect((await hazard()).status).toBe(201);
    expect((await hazard()).status).toBe(201);
    const before = await h.hazardCount();
    const third = await hazard();
    expectProblem(third, 429, 'RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(await h.hazardCount()).toBe(before);
    // Writes that send no mail still have room; reads are not limited; another key has its own budget.
    expect((await post('/v1/units', key, { kind: 'COUNTY', code: uniq('c'), name: '限流测试县' })).status).toBe(201);
    expect((await limited.inject({ method: 'GET', url: '/v1/units', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
    expect((await post('/v1/hazards', h.keys.admin, { ...reportBody(), enterpriseId: h.entA.id })).status).toBe(201);
  });

  it('limits all writes of a key, and requests without a key by IP, whatever X-Forwarded-For says (trustProxy is off)', async () => {
    const key = await h.key('admin', null);
    for (let i = 0; i < 4; i++) expect((await post('/v1/units', key, { kind: 'DEPARTMENT', code: uniq('d'), name: `部门${i}` })).status).toBe(201);
    expectProblem(await post('/v1/units', key, { kind: 'DEPARTMENT', code: uniq('d'), name: '部门' }), 429, 'RATE_LIMITED');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/v1/units', null, { kind: 'COUNTY', code: uniq('c'), name: 'x' }, { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});
