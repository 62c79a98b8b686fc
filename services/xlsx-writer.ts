// Sheets written with exceljs's streaming writer: each row is committed as it is written (a page
// read from the ledger at a time), so a large workbook never sits in memory. The API sends them
// (api/xlsx.ts); every .xlsx the system writes goes through here.
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

export type WorkbookWriter = ExcelJS.stream.xlsx.WorkbookWriter;

export type Cell = string | number | boolean | null;

/** A sheet's columns: the header, and the cell of a row. */
export type Columns<T> = readonly { header: string; cell: (row: T) => Cell }[];

/** A workbook writer into `out`: no styles, inline strings (nothing kept back to write at the end). */
export function workbookWriter(out: Writable): WorkbookWriter {
  return new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
}

/** A sheet's rows as cells, worked out before anything is written (a bad row is an error, not a cut download). */
export interface RenderedSheet {
  name: string;
  header: string[];
  rows: Cell[][];
}

export function renderSheet<T>(name: string, columns: Columns<T>, rows: readonly T[]): RenderedSheet {
  return { name, header: columns.map((c) => c.header), rows: rows.map((r) => columns.map((c) => c.cell(r))) };
}

/** A sheet: the header row, then each row of each batch, committed as written. */
export async function writeRows(wb: WorkbookWriter, name: string, header: readonly string[], batches: AsyncIterable<readonly Cell[][]> | Iterable<readonly Cell[][]>): Promise<void> {
  const sheet = wb.addWorksheet(name);
  sheet.addRow([...header]).commit();
  for await (const rows of batches) for (const r of rows) sheet.addRow(r).commit();
  await sheet.commit();
}

/** A sheet of `columns` over rows read a batch at a time (a page of the ledger). */
export function writeSheet<T>(wb: WorkbookWriter, name: string, columns: Columns<T>, batches: AsyncIterable<readonly T[]> | Iterable<readonly T[]>): Promise<void> {
  async function* cells(): AsyncGenerator<Cell[][]> {
    for await (const rows of batches) yield rows.map((r) => columns.map((c) => c.cell(r)));
  }
  return writeRows(wb, name, columns.map((c) => c.header), cells());
}
