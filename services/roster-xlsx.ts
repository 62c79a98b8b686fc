// The roster as .xlsx: read with exceljs's streaming reader (rows as they are unzipped, never the
// whole workbook in memory) and the template written with its streaming writer.
import type { Readable, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FieldError } from '../domain/errors';
import { columnLetter, mapHeaders, ROSTER_COLUMNS, rowBody, type RosterColumn } from '../domain/roster-sheet';
import { workbookWriter } from './xlsx-writer';

export interface SheetRow {
  /** The row's number in the sheet (the header is row 1). */
  row: number;
  body: Record<string, unknown>;
}

export interface ReadRoster {
  /** Header problems (unknown, repeated or missing columns): the file is refused whole. */
  errors: FieldError[];
  rows: SheetRow[];
  columns: Map<number, RosterColumn & { header: string }>;
}

export class SheetTooLargeError extends Error {}

/** A cell's value as text or number: rich text, hyperlinks and formulas by what they show. */
function cellValue(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellValue(o.text);
    if (o.result !== undefined) return cellValue(o.result);
  }
  return String(v as string);
}

/** The first worksheet: its header row, then every row with a value, up to `maxRows`. */
export async function readRosterXlsx(input: Readable, opts: { maxRows: number; onRow?: (n: number) => void }): Promise<ReadRoster> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'emit' });
  const rows: SheetRow[] = [];
  let header: ReturnType<typeof mapHeaders> | null = null;
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = (row.values as unknown[]).slice(1).map(cellValue);
      if (!header) {
        header = mapHeaders(values.map((v) => (v === null ? null : String(v))));
        if (header.errors.length > 0) return { errors: header.errors, rows: [], columns: header.columns };
        continue;
      }
      if (values.every((v) => v === null || (typeof v === 'string' && v.trim() === ''))) continue;
      if (rows.length >= opts.maxRows) throw new SheetTooLargeError(`more than ${opts.maxRows} rows`);
      const cells = new Map<string, string | number | null>();
      for (const [n, col] of header.columns) cells.set(col.field, values[n - 1] ?? null);
      rows.push({ row: row.number, body: rowBody(cells) });
      opts.onRow?.(rows.length);
    }
    // Only the first worksheet is the roster; later ones (notes) are not read.
    break;
  }
  if (!header) return { errors: [{ field: 'file', reason: 'the first worksheet has no header row' }], rows: [], columns: new Map() };
  return { errors: [], rows, columns: header.columns };
}

/** The column of a field the import refused (principal → 主要负责人, location → 纬度), with its letter. */
export function columnOf(columns: ReadRoster['columns'], field: string): { column: string; header: string } | null {
  const entries = [...columns.entries()];
  const hit = entries.find(([, c]) => c.field === field) ?? entries.find(([, c]) => c.field.startsWith(`${field}.`)) ?? entries.find(([, c]) => field.startsWith(`${c.field}.`));
  return hit ? { column: columnLetter(hit[0]), header: hit[1].header } : null;
}

/** The template the office fills in: Chinese headers and an example row; a second sheet explains each column. */
export async function writeRosterTemplate(output: Writable): Promise<void> {
  const wb = workbookWriter(output);
  const sheet = wb.addWorksheet('企业名录');
  sheet.addRow(ROSTER_COLUMNS.map((c) => c.zh)).commit();
  sheet.addRow(['大同市示例化工有限公司', '91140200MA0XXXXXXX', '危险化学品', 'pingcheng', 'emergency', '县级', '王总', 'boss@example.cn', '13800000000', 'zh-CN', 40.08, 113.3]).commit();
  await sheet.commit();
  const notes = wb.addWorksheet('填写说明');
  notes.addRow(['表头（中文）', 'header (English)', '必填 / required', '说明']).commit();
  for (const c of ROSTER_COLUMNS) notes.addRow([c.zh, c.en, c.required ? '是 / yes' : '否 / no', c.noteZh]).commit();
  await notes.commit();
  await wb.commit();
}

export interface CellError {
  row: number;
  column: string | null;
  header: string | null;
  field: string;
  reason: string;
}

/**
 * The import's refusals of the row at `index` in sheet terms: its row number, the column letter and
 * header of the field, and a reason whose "(row i)" (a duplicate's first, by index) is the sheet's row.
 */
export function sheetErrors(read: ReadRoster, index: number, errors: FieldError[]): CellError[] {
  const row = read.rows[index]!.row;
  return errors.map((e) => {
    const field = e.field.replace(/^enterprises\[\d+\]\.?/, '');
    const col = columnOf(read.columns, field);
    const reason = e.reason.replace(/\(row (\d+)\)/, (whole, i: string) => (read.rows[Number(i)] ? `(row ${read.rows[Number(i)]!.row})` : whole));
    return { row, column: col?.column ?? null, header: col?.header ?? null, field: field === '' ? 'row' : field, reason };
  });
}
