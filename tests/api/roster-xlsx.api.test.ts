// The roster as .xlsx through the API: the template downloaded, filled in (Chinese headers) with
// good and bad rows, uploaded as multipart/form-data; per-row errors with row, column and reason,
// valid rows kept, the same file twice creates nothing twice; English headers too. Fixtures are
// generated here with exceljs. Real app, fresh Postgres, the shared Temporal dev server.
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { enterprises } from '../../db/schema';
import { ApiHarness } from '../support/api-harness';
import { creditCode, uniq } from '../support/fixtures';
import { expectProblem } from '../support/problem';

const h = ApiHarness.forFile({ worker: false });

/** A multipart/form-data body with one file part, as a browser's form sends it. */
function multipart(file: Buffer, field = 'file'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----hc${uniq('b')}`;
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="roster.xlsx"\r\ncontent-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`;
  return { payload: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(file: Buffer, key = h.keys.office, field = 'file') {
  const { payload, headers } = multipart(file, field);
  const res = await h.app.inject({ method: 'POST', url: '/v1/enterprises/import', payload, headers: { ...headers, authorization: `Bearer ${key}` } });
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) as Record<string, unknown> };
}

async function workbook(header: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名录');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

interface Row {
  row: number;
  status: string;
  id?: string;
  errors?: { row: number; column: string | null; header: string | null; field: string; reason: string }[];
}

describe('the roster from .xlsx', () => {
  it('round-trips the template: good rows stored, bad rows named by row, column and reason, the same file again changes nothing', async () => {
    const template = await h.app.inject({ method: 'GET', url: '/v1/enterprises/import-template.xlsx', headers: { authorization: `Bearer ${h.keys.office}` } });
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['企业名称', '统一社会信用代码', '行业', '县区代码', '监管部门代码', '监管层级', '主要负责人', '负责人邮箱', '负责人电话', '语言', '纬度', '经度']);

    const { countyCode, departmentCode } = h.entA;
    const [a, b] = [creditCode(), creditCode()];
    const rows = [
      [`${uniq('甲')}化工有限公司`, a, '危险化学品', countyCode, departmentCode, '市级', '王总', 'wang@example.test', '', '', 40.08, 113.3],
      [`${uniq('乙')}煤业有限公司`, b, 'COAL_MINE', countyCode, departmentCode, '', '李总', '', '', '', '', ''],
      [`${uniq('丙')}有限公司`, '', '危险化学品', countyCode, departmentCode, '', '张总', '', '', '', '', ''],
      [`${uniq('丁')}船舶有限公司`, creditCode(), '造船', countyCode, departmentCode, '', '赵总', '', '', '', '', ''],
      [`${uniq('戊')}化工有限公司`, a, '危险化学品', countyCode, departmentCode, '', '钱总', '', '', '', '', ''],
    ];
    sheet.spliceRows(2, 1, ...rows);
    const file = Buffer.from(await wb.xlsx.writeBuffer());

    const first = await upload(file);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ created: 2, updated: 0, unchanged: 0, failed: 3 });
    const byRow = new Map((first.body.rows as Row[]).map((r) => [r.row, r]));
    expect([2, 3].map((n) => byRow.get(n)!.status)).toEqual(['CREATED', 'CREATED']);
    expect(byRow.get(4)!.errors).toEqual([expect.objectContaining({ row: 4, column: 'B', header: '统一社会信用代码', field: 'creditCode', reason: expect.stringMatching(/required/) })]);
    expect(byRow.get(5)!.errors).toEqual([expect.objectContaining({ row: 5, column: 'C', header: '行业', field: 'industry' })]);
    expect(byRow.get(6)!.errors).toEqual([expect.objectContaining({ row: 6, column: 'B', field: 'creditCode', reason: 'duplicate credit code in this file (row 2)' })]);

    const stored = await h.call<{ supervisionLevel: string; industry: string; location: unknown }>('GET', `/v1/enterprises/${byRow.get(2)!.id}`, h.keys.office);
    expect(stored.body).toMatchObject({ industry: 'HAZARDOUS_CHEMICALS', supervisionLevel: 'CITY', location: { latitude: 40.08, longitude: 113.3 } });

    const again = await upload(file);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 3 });
  });

  it('reads English headers, and refuses a file whose header it does not know, storing nothing', async () => {
    const code = creditCode();
    const english = await workbook(['name', 'creditCode', 'industry', 'countyCode', 'departmentCode', 'principalName'], [[`${uniq('E')} Ltd`, code, 'Construction', h.entA.countyCode, h.entA.departmentCode, 'Wang']]);
    expect((await upload(english)).body).toMatchObject({ created: 1, failed: 0 });

    const typoCode = creditCode();
    const typo = await workbook(['name', 'creditCode', 'industry', 'countyCode', 'departmentCode', 'principalName', '备注x'], [[`${uniq('E')} Ltd`, typoCode, 'Construction', h.entA.countyCode, h.entA.departmentCode, 'Li', '']]);
    const refused = await upload(typo);
    expectProblem({ status: refused.status, headers: refused.headers, body: refused.body }, 422, 'VALIDATION_FAILED', ['file.header.G']);
    expect(await h.db.select().from(enterprises).where(eq(enterprises.creditCode, typoCode))).toEqual([]);
    expectProblem(await (async () => { const r = await upload(Buffer.from('not a workbook')); return { status: r.status, headers: r.headers, body: r.body }; })(), 422, 'VALIDATION_FAILED', ['file']);
    const denied = await upload(english, h.keys.department);
    expect(denied.status).toBe(403);
  });
});
