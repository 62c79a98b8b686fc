// Roster import (POST /v1/enterprises/bulk) through the real API, on a fresh Postgres database and the
// shared Temporal dev server (no worker: no hazard process runs here). Each row is validated on its
// own; valid rows are kept, invalid ones reported; re-importing is harmless and corrects the roster.
import { count, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterprises } from '../../db/schema';
import { ApiHarness, type Reply } from '../support/api-harness';
import { expectProblem } from '../support/problem';
import { creditCode, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: false });
beforeAll(() => h.start());
afterAll(() => h.close());

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

type RowStatus = 'CREATED' | 'UNCHANGED' | 'UPDATED' | 'FAILED';
interface BulkRow {
  index: number;
  status: RowStatus;
  id?: string;
  creditCode?: string;
  errors?: { field: string; reason: string }[];
}
interface BulkResult {
  created: number;
  unchanged: number;
  updated: number;
  failed: number;
  rows: BulkRow[];
}
interface EnterpriseView {
  id: string;
  name: string;
  creditCode: string;
  supervisionLevel: string;
  principal: { name: string; email: string | null; phone: string | null };
  contacts: unknown[];
  locale: string;
}

function withWrongCheckChar(code: string): string {
  const last = code[17]!;
  return code.slice(0, 17) + CHARSET[(CHARSET.indexOf(last) + 1) % CHARSET.length]!;
}

async function bulk(rows: unknown[], key: string = h.keys.admin): Promise<BulkResult> {
  const res = await h.call<BulkResult>('POST', '/v1/enterprises/bulk', key, { enterprises: rows });
  expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
  expect(res.body.rows.map((r) => r.index)).toEqual(rows.map((_, i) => i));
  const tally = (s: RowStatus) => res.body.rows.filter((r) => r.status === s).length;
  expect(res.body).toMatchObject({ created: tally('CREATED'), unchanged: tally('UNCHANGED'), updated: tally('UPDATED'), failed: tally('FAILED') });
  return res.body;
}


/** Every enterprise of a county, paging through the list API `limit` at a time. */
async function listCounty(county: string, limit = 500): Promise<EnterpriseView[]> {
  const seen: EnterpriseView[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const res: Reply<{ items: EnterpriseView[]; nextCursor: string | null }> = await h.call('GET', `/v1/enterprises?county=${county}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, h.keys.admin);
    expect(res.status).toBe(200);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('too many pages');
}

const storedCount = async (codes: string[]) => (await h.db.select({ n: count() }).from(enterprises).where(inArray(enterprises.creditCode, codes)))[0]!.n;

let countyCode: string;
let departmentCode: string;
beforeAll(async () => {
  countyCode = uniq('county');
  departmentCode = uniq('dept');
  expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code: countyCode, name: '平城区' })).status).toBe(201);
  expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'DEPARTMENT', code: departmentCode, name: '市应急管理局' })).status).toBe(201);
});

const row = (over: Record<string, unknown> = {}): Record<string, unknown> & { name: string; creditCode: string; principal: Record<string, unknown> } => ({
  name: `${uniq('恒安')} 化工有限公司`,
  creditCode: creditCode(),
  industry: 'HAZARDOUS_CHEMICALS',
  countyCode,
  departmentCode,
  principal: { name: '张主任', email: 'zhang@hengan.test', phone: '13800000000' },
  ...over,
});

/** A county of its own, so listing it shows exactly what a test imported. */
async function freshCounty(): Promise<string> {
  const code = uniq('county');
  expect((await h.call('POST', '/v1/units', h.keys.admin, { kind: 'COUNTY', code, name: '新荣区' })).status).toBe(201);
  return code;
}

describe('POST /v1/enterprises/bulk', () => {
  it('keeps the valid rows and reports each invalid one with its index and fields', async () => {
    const good = [row(), row({ supervisionLevel: 'CITY', locale: 'en', contacts: [{ name: '安全员', title: '安全科' }] })];
    const noPrincipal: Record<string, unknown> = row();
    delete noPrincipal.principal;
    const input: unknown[] = [
      good[0],
      row({ creditCode: withWrongCheckChar(creditCode()) }),
      row({ countyCode: uniq('nowhere') }),
      row({ industry: 'PIRACY' }),
      noPrincipal,
      row({ mayor: '乙' }),
      good[1],
      'not an enterprise',
      row({ departmentCode: countyCode, principal: { name: '张', email: 'not-an-email' } }),
      row({ creditCode: '91350100m000100y43', contacts: [{ name: '李', fax: '123' }] }),
      // Valid JSON and schema, but Postgres text cannot hold U+0000: the row fails, not the batch.
      row({ contacts: [{ name: '安全员\u0000' }] }),
    ];
    const res = await bulk(input);
    expect(res).toMatchObject({ created: 2, unchanged: 0, updated: 0, failed: 9 });

    const fieldsOf = (i: number) => (res.rows[i]!.errors ?? []).map((e) => e.field).sort();
    expect(res.rows[0]).toMatchObject({ index: 0, status: 'CREATED', creditCode: good[0]!.creditCode });
    expect(res.rows[6]).toMatchObject({ index: 6, status: 'CREATED', creditCode: good[1]!.creditCode });
    expect(res.rows[1]).toMatchObject({ status: 'FAILED', creditCode: (input[1] as { creditCode: string }).creditCode, errors: [{ field: 'enterprises[1].creditCode', reason: expect.stringMatching(/check character/) }] });
    expect(res.rows[2]).toMatchObject({ status: 'FAILED', errors: [{ field: 'enterprises[2].countyCode', reason: expect.stringMatching(/no county/) }] });
    expect(res.rows[3]).toMatchObject({ status: 'FAILED', errors: [{ field: 'enterprises[3].industry', reason: expect.stringMatching(/^must be one of COAL_MINE/) }] });
    expect(res.rows[4]).toMatchObject({ status: 'FAILED', errors: [{ field: 'enterprises[4].principal', reason: 'is required' }] });
    expect(res.rows[5]).toMatchObject({ status: 'FAILED', errors: [{ field: 'enterprises[5].mayor', reason: 'is not a known field' }] });
    expect(res.rows[7]).toMatchObject({ status: 'FAILED', errors: [{ field: 'enterprises[7]', reason: 'must be an object' }] });
    expect(res.rows[7]).not.toHaveProperty('creditCode');
    expect(fieldsOf(8)).toEqual(['enterprises[8].departmentCode', 'enterprises[8].principal.email']);
    expect(fieldsOf(9)).toEqual(['enterprises[9].contacts[0].fax', 'enterprises[9].creditCode']);
    expect(res.rows[10]).toMatchObject({ status: 'FAILED', errors: [{ field: 'enterprises[10].contacts[0].name', reason: expect.stringMatching(/NUL/) }] });
    for (const r of res.rows.filter((x) => x.status === 'FAILED')) expect(r).not.toHaveProperty('id');

    // The valid rows are stored as sent, with the usual defaults; the invalid ones are not stored at all.
    const first = await h.call<EnterpriseView>('GET', `/v1/enterprises/${res.rows[0]!.id}`, h.keys.admin);
    expect(first.body).toMatchObject({ name: good[0]!.name, creditCode: good[0]!.creditCode, supervisionLevel: 'COUNTY', locale: 'zh-CN', contacts: [], principal: good[0]!.principal });
    const second = await h.call<EnterpriseView>('GET', `/v1/enterprises/${res.rows[6]!.id}`, h.keys.admin);
    expect(second.body).toMatchObject({ supervisionLevel: 'CITY', locale: 'en', contacts: [{ name: '安全员', title: '安全科' }], principal: { name: '张主任' } });
    const failedCodes = input.flatMap((r, i) => (i === 0 || i === 6 || typeof r !== 'object' ? [] : [(r as { creditCode: string }).creditCode]));
    expect(await storedCount(failedCodes)).toBe(0);
  });

  it('is idempotent: the same file twice creates nothing the second time', async () => {
    const county = await freshCounty();
    const input = Array.from({ length: 25 }, (_, i) => row({ countyCode: county, ...(i % 3 === 0 ? { contacts: [{ name: `联系人${i}`, email: `c${i}@hengan.test` }] } : {}) }));
    const once = await bulk(input);
    expect(once).toMatchObject({ created: 25, unchanged: 0, updated: 0, failed: 0 });
    const twice = await bulk(input);
    expect(twice).toMatchObject({ created: 0, unchanged: 25, updated: 0, failed: 0 });
    expect(twice.rows.map((r) => r.id)).toEqual(once.rows.map((r) => r.id));

    const listed = await listCounty(county);
    expect(listed).toHaveLength(25);
    expect(listed.map((e) => e.creditCode).sort()).toEqual(input.map((r) => r.creditCode).sort());
    expect(await storedCount(input.map((r) => r.creditCode))).toBe(25);
  });

  it('treats an enterprise registered one at a time like an imported one: same fields, UNCHANGED', async () => {
    const single = row();
    const created = await h.call<EnterpriseView>('POST', '/v1/enterprises', h.keys.office, single);
    expect(created.status).toBe(201);
    const res = await bulk([single], h.keys.office);
    expect(res.rows[0]).toMatchObject({ status: 'UNCHANGED', id: created.body.id, creditCode: single.creditCode });
  });

  it('corrects the roster: a row whose fields differ is UPDATED, the rest UNCHANGED', async () => {
    const county = await freshCounty();
    const input = Array.from({ length: 5 }, () => row({ countyCode: county }));
    const first = await bulk(input);
    expect(first.created).toBe(5);

    const corrected = [...input];
    corrected[1] = { ...input[1]!, name: '恒安化工（更名）有限公司', principal: { name: '王厂长', email: 'wang@hengan.test' } };
    corrected[3] = { ...input[3]!, supervisionLevel: 'CITY', contacts: [{ name: '新安全员', phone: '0352-1234567' }] };
    const res = await bulk(corrected);
    expect(res).toMatchObject({ created: 0, updated: 2, unchanged: 3, failed: 0 });
    expect(res.rows.map((r) => r.status)).toEqual(['UNCHANGED', 'UPDATED', 'UNCHANGED', 'UPDATED', 'UNCHANGED']);
    expect(res.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));

    const renamed = await h.call<EnterpriseView>('GET', `/v1/enterprises/${res.rows[1]!.id}`, h.keys.admin);
    expect(renamed.body).toMatchObject({ name: '恒安化工（更名）有限公司', principal: { name: '王厂长', email: 'wang@hengan.test', phone: null } });
    const city = await h.call<EnterpriseView>('GET', `/v1/enterprises/${res.rows[3]!.id}`, h.keys.admin);
    expect(city.body).toMatchObject({ supervisionLevel: 'CITY', contacts: [{ name: '新安全员', phone: '0352-1234567' }] });
    expect(await listCounty(county)).toHaveLength(5);

    // The corrected file again: nothing left to correct.
    expect(await bulk(corrected)).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
  });

  it('lets the first row with a credit code win and fails later rows with the same code', async () => {
    const a = row();
    const b = row();
    const res = await bulk([a, b, { ...a, name: '重复的企业' }, { ...a, countyCode: uniq('nowhere') }]);
    expect(res).toMatchObject({ created: 2, failed: 2 });
    expect(res.rows[0]).toMatchObject({ status: 'CREATED', creditCode: a.creditCode });
    expect(res.rows[2]).toMatchObject({ status: 'FAILED', creditCode: a.creditCode, errors: [{ field: 'enterprises[2].creditCode', reason: 'duplicate credit code in this file (row 0)' }] });
    expect(res.rows[3]!.errors).toEqual([
      { field: 'enterprises[3].creditCode', reason: 'duplicate credit code in this file (row 0)' },
      { field: 'enterprises[3].countyCode', reason: expect.stringMatching(/no county/) },
    ]);
    const stored = await h.call<EnterpriseView>('GET', `/v1/enterprises/${res.rows[0]!.id}`, h.keys.admin);
    expect(stored.body.name).toBe(a.name);
    expect(await storedCount([a.creditCode])).toBe(1);
  });

  it('refuses callers other than admin and office (403) and a malformed envelope (400), storing nothing', async () => {
    const input = [row(), row()];
    for (const key of [h.keys.county, h.keys.department, h.keys.entA]) {
      expectProblem(await h.call('POST', '/v1/enterprises/bulk', key, { enterprises: input }), 403, 'FORBIDDEN');
    }
    expectProblem(await h.call('POST', '/v1/enterprises/bulk', null, { enterprises: input }), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('POST', '/v1/enterprises/bulk', h.keys.admin, input), 400, 'VALIDATION_FAILED');
    expectProblem(await h.call('POST', '/v1/enterprises/bulk', h.keys.admin, { enterprises: input, dryRun: true }), 400, 'VALIDATION_FAILED', ['dryRun']);
    expectProblem(await h.call('POST', '/v1/enterprises/bulk', h.keys.admin, { enterprises: Array.from({ length: 10_001 }, () => ({})) }), 400, 'VALIDATION_FAILED', ['enterprises']);
    expect(await storedCount(input.map((r) => r.creditCode))).toBe(0);
    // An empty file is a no-op, not an error.
    expect(await bulk([])).toEqual({ created: 0, unchanged: 0, updated: 0, failed: 0, rows: [] });
  });

  it('gives two concurrent imports of the same file one row per credit code', async () => {
    const county = await freshCounty();
    const input = Array.from({ length: 300 }, () => row({ countyCode: county }));
    const [x, y] = await Promise.all([bulk(input), bulk([...input].reverse())]);
    expect(x.created + y.created).toBe(300);
    expect(x.unchanged + y.unchanged).toBe(300);
    expect(x.failed + y.failed + x.updated + y.updated).toBe(0);
    expect(await listCounty(county)).toHaveLength(300);
  });

  it('imports 2,000 rows, all listable page by page', async () => {
    const county = await freshCounty();
    const input = Array.from({ length: 2000 }, (_, i) => row({ countyCode: county, industry: i % 2 ? 'CONSTRUCTION' : 'HAZARDOUS_CHEMICALS' }));
    const res = await bulk(input);
    expect(res).toMatchObject({ created: 2000, failed: 0 });
    const listed = await listCounty(county, 500);
    expect(listed).toHaveLength(2000);
    expect(new Set(listed.map((e) => e.id)).size).toBe(2000);
    expect(new Set(listed.map((e) => e.id))).toEqual(new Set(res.rows.map((r) => r.id)));
  });

  it('loads 10,000 rows in batches (time logged, not asserted)', async () => {
    const county = await freshCounty();
    const input = Array.from({ length: 10_000 }, (_, i) => row({ countyCode: county, ...(i % 4 === 0 ? { contacts: [{ name: '安全员', phone: '13900000000', title: '安全科' }] } : {}) }));
    const timed = async (label: string, rows: unknown[]) => {
      const started = performance.now();
      const res = await bulk(rows);
      console.log(`roster import, 10,000 rows, ${label}: ${Math.round(performance.now() - started)} ms (created ${res.created}, updated ${res.updated}, unchanged ${res.unchanged})`);
      return res;
    };
    expect(await timed('new', input)).toMatchObject({ created: 10_000, failed: 0 });
    expect(await timed('same again', input)).toMatchObject({ unchanged: 10_000 });
    expect(await timed('every row renamed', input.map((r) => ({ ...r, name: `${r.name}（改）` })))).toMatchObject({ updated: 10_000 });
    expect(await storedCount(input.map((r) => r.creditCode))).toBe(10_000);
  });
});
