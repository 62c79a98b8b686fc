// Loading the roster (名册): an .xlsx file (the office's spreadsheet, the template's columns) is
// uploaded whole to POST /v1/enterprises/import with the upload's progress, and the sheet's refused
// rows come back by row number, column and header; a CSV or JSON file goes through
// POST /v1/enterprises/bulk in chunks, each chunk's rows counted as they come back.
// Re-importing is harmless (the API matches rows by credit code).
import { useState } from 'preact/hooks';
import { ApiError, post, upload, type FieldError } from '../api';
import { t, useLocale } from '../i18n';
import { Card, ErrorBox, Table } from '../ui';

const CHUNK = 500;

interface BulkResult {
  created: number;
  unchanged: number;
  updated: number;
  failed: number;
  rows: { index: number; status: string; creditCode?: string; errors?: FieldError[] }[];
}

/** POST /v1/enterprises/import's answer: rows by their number in the sheet, refusals by column. */
interface XlsxResult {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  rows: { row: number; status: string; creditCode?: string; errors?: CellError[] }[];
}

interface CellError {
  field: string;
  reason: string;
  column?: string | null;
  header?: string | null;
}

/** One refused row: its number (in the sheet, or in the CSV/JSON file's rows) and what was wrong, by column where known. */
interface Failure {
  row: number;
  creditCode?: string;
  errors: CellError[];
}

const isXlsx = (name: string) => name.toLowerCase().endsWith('.xlsx');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** One CSV line into fields: commas, and double quotes around a field that holds them. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/**
 * Rows from a file: JSON (an array of enterprises, or { enterprises: [...] }) as the API takes
 * them, or CSV with a header naming the fields (principalName, principalEmail, principalPhone for the principal).
 */
export function parseRoster(name: string, text: string): unknown[] {
  if (name.toLowerCase().endsWith('.json')) {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : ((v as { enterprises?: unknown[] }).enterprises ?? []);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = csvFields(lines[0] ?? '');
  return lines.slice(1).map((line) => {
    const f = Object.fromEntries(csvFields(line).map((v, i) => [head[i] ?? `col${i}`, v]));
    const row: Record<string, unknown> = { name: f.name, creditCode: f.creditCode, industry: f.industry, countyCode: f.countyCode, departmentCode: f.departmentCode };
    if (f.supervisionLevel) row.supervisionLevel = f.supervisionLevel;
    row.principal = { name: f.principalName, ...(f.principalEmail ? { email: f.principalEmail } : {}), ...(f.principalPhone ? { phone: f.principalPhone } : {}) };
    return row;
  });
}

export function Roster() {
  useLocale();
  const [rows, setRows] = useState<unknown[] | null>(null);
  const [sheet, setSheet] = useState<File | null>(null);
  const [file, setFile] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number; bytes: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [totals, setTotals] = useState<{ created: number; updated: number; unchanged: number; failed: number } | null>(null);
  const [failures, setFailures] = useState<Failure[]>([]);
  const [error, setError] = useState<ApiError | undefined>();

  const pick = async (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    setError(undefined);
    setProgress(null);
    setFailures([]);
    setTotals(null);
    setRows(null);
    setSheet(null);
    if (!f) return;
    setFile(f.name);
    if (isXlsx(f.name)) {
      setSheet(f);
      setProgress({ done: 0, total: f.size, bytes: true });
      return;
    }
    try {
      const parsed = parseRoster(f.name, await f.text());
      setRows(parsed);
      setProgress({ done: 0, total: parsed.length, bytes: false });
    } catch (err) {
      setError(new ApiError(0, err instanceof Error ? err.message : String(err)));
    }
  };

  /** The .xlsx in one upload: the server reads the sheet and answers for every row. */
  const runSheet = async (f: File) => {
    const r = await upload<XlsxResult>('/v1/enterprises/import', 'file', f, f.name, (sent, total) => setProgress({ done: sent, total, bytes: true }));
    setTotals({ created: r.created, updated: r.updated, unchanged: r.unchanged, failed: r.failed });
    setFailures(r.rows.filter((x) => x.status === 'FAILED').map((x) => ({ row: x.row, creditCode: x.creditCode, errors: x.errors ?? [] })));
    setProgress({ done: r.rows.length, total: r.rows.length, bytes: false });
  };

  /** CSV or JSON rows, 500 at a time, each chunk counted as it comes back. */
  const runRows = async (all: unknown[]) => {
    const sum = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    const bad: Failure[] = [];
    for (let from = 0; from < all.length; from += CHUNK) {
      const r = await post<BulkResult>('/v1/enterprises/bulk', { enterprises: all.slice(from, from + CHUNK) });
      for (const k of ['created', 'updated', 'unchanged', 'failed'] as const) sum[k] += r[k];
      for (const row of r.rows) if (row.status === 'FAILED') bad.push({ row: from + row.index + 1, creditCode: row.creditCode, errors: row.errors ?? [] });
      setTotals({ ...sum });
      setFailures([...bad]);
      setProgress({ done: Math.min(all.length, from + CHUNK), total: all.length, bytes: false });
    }
  };

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (sheet) await runSheet(sheet);
      else if (rows) await runRows(rows);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  };

  const ready = sheet !== null || (rows !== null && rows.length > 0);
  return (
    <div data-testid="roster">
      <h1>{t('roster')}</h1>
      <Card
        title={t('rosterImport')}
        actions={
          <a href="/v1/enterprises/import-template.xlsx" download data-testid="roster-template">
            {t('rosterTemplate')}
          </a>
        }
      >
        <p class="muted small">{t('rosterHelpXlsx')}</p>
        <p class="muted small">{t('rosterHelp')}</p>
        <div class="filters">
          <input type="file" accept=".xlsx,.csv,.json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv,application/json" onChange={(e) => void pick(e)} data-testid="roster-file" />
          <button type="button" class="primary" disabled={!ready || busy} onClick={() => void run()} data-testid="roster-import">
            {t('submit')}
          </button>
        </div>
        {progress && (
          <div class="progress-row">
            <progress max={progress.total} value={progress.done} data-testid="roster-progress" />
            <span data-testid="roster-progress-text">
              {file}: {progress.bytes ? `${kb(progress.done)} / ${kb(progress.total)}` : `${progress.done} / ${progress.total}`}
              {busy && progress.bytes && progress.done >= progress.total ? ` · ${t('rosterChecking')}` : ''}
            </span>
          </div>
        )}
        {totals && (
          <p data-testid="roster-totals">
            {t('created')} {totals.created} · {t('updated')} {totals.updated} · {t('unchanged')} {totals.unchanged} · <span class={totals.failed ? 'bad' : ''}>{t('failures')} {totals.failed}</span>
          </p>
        )}
        <ErrorBox error={error} />
        {failures.length > 0 && (
          <div class="refusals">
            <Table head={['row', 'column', 'header', 'creditCode', 'reason']} testid="roster-failures">
              {failures.flatMap((f) =>
                (f.errors.length > 0 ? f.errors : [{ field: 'row', reason: '—' }]).map((e, i) => (
                  <tr key={`${f.row}:${i}`} data-row={f.row}>
                    <td>{f.row}</td>
                    <td>{e.column ?? '—'}</td>
                    <td class="header">{e.header ?? <code>{e.field}</code>}</td>
                    <td>
                      <code>{f.creditCode ?? '—'}</code>
                    </td>
                    <td class="small reason">{e.reason}</td>
                  </tr>
                )),
              )}
            </Table>
          </div>
        )}
      </Card>
    </div>
  );
}
