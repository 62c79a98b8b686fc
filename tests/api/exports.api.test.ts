// The hazard ledger as .xlsx: the export opens, and its rows are the rows GET /v1/hazards lists to
// the same key under the same filters (every page), the overdue list among them. Real app, fresh
// Postgres, the shared Temporal dev server; the ledger rows are written as the API writes them.
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { hazards } from '../../db/schema';
import { ApiHarness } from '../support/api-harness';
import { reportBody, seedHazard } from '../support/fixtures';

const h = ApiHarness.forFile({ worker: false });

interface Listed {
  id: string;
  grade: string;
  state: string;
  overdue: boolean;
  deadline: string;
  fundsAmount: number;
  description: string;
  countyCode: string;
}

async function exported(query: string, key: string): Promise<unknown[][]> {
  const res = await h.app.inject({ method: 'GET', url: `/v1/hazards/export.xlsx?${query}`, headers: { authorization: `Bearer ${key}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

async function listed(query: string, key: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let cursor: string | null = null;
  do {
    const res: { body: { items: Listed[]; nextCursor: string | null } } = await h.call<{ items: Listed[]; nextCursor: string | null }>('GET', `/v1/hazards?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`, key);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

/** The export's columns that the list also has: id, county, grade, state, overdue, description, funds, deadline. */
const fromSheet = (r: unknown[]) => [r[0], r[3], r[6], r[8], r[9], r[11], r[14], r[16]];
const fromList = (l: Listed) => [l.id, l.countyCode, l.grade, l.state, l.overdue, l.description, l.fundsAmount, l.deadline];

describe('the hazard ledger as .xlsx', () => {
  it('opens, and its rows equal the list’s for the same key and filters, the overdue list included', async () => {
    const now = Date.now();
    const rows = [];
    for (const [i, grade] of (['MAJOR', 'GENERAL', 'GENERAL'] as const).entries()) rows.push(await seedHazard(h.db, h.entA, reportBody({ grade, description: `台账导出 ${i}`, fundsAmount: 1000 * (i + 1) }), now));
    await seedHazard(h.db, h.entB, reportBody({ description: '另一县区' }), now);
    await h.db.update(hazards).set({ overdue: true }).where(eq(hazards.id, rows[1]!.id));

    const all = await exported(`enterpriseId=${h.entA.id}`, h.keys.office);
    expect(all[0]!.slice(0, 3)).toEqual(['隐患编号', '企业名称', '企业ID']);
    expect(all.slice(1).map(fromSheet)).toEqual((await listed(`enterpriseId=${h.entA.id}`, h.keys.office)).map(fromList));
    expect(all.length - 1).toBe(3);
    expect(all[1]![1]).toBe(h.entA.name);

    const overdue = await exported('overdue=true', h.keys.county);
    expect(overdue.slice(1).map(fromSheet)).toEqual((await listed('overdue=true', h.keys.county)).map(fromList));
    expect(overdue.slice(1).map((r) => r[0])).toEqual([rows[1]!.id]);

    // A county's export is its own ledger: enterprise B's hazard is not in it.
    const county = await exported('', h.keys.county);
    expect(county.slice(1).map(fromSheet)).toEqual((await listed('', h.keys.county)).map(fromList));
    expect(county.slice(1).every((r) => r[3] === h.entA.countyCode)).toBe(true);
  });
});
