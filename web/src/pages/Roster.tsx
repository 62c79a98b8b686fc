// Loading the roster (名册) from a CSV or JSON file through POST /v1/enterprises/bulk, in chunks,
// with progress: each chunk's rows counted as they come back, failed rows listed with their fields.
// Re-importing is harmless (the API matches rows by credit code).
import { useState } from 'preact/hooks';
import { ApiError, post, type FieldError } from '../api';
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
  const [file, setFile] = useState('');
  const [done, setDone] = useState(0);
  const [busy, setBusy] = useState(false);
  const [totals, setTotals] = useState({ created: 0, updated: 0, unchanged: 0, failed: 0 });
  const [failures, setFailures] = useState<{ row: number; creditCode?: string; errors: FieldError[] }[]>([]);
  const [error, setError] = useState<ApiError | undefined>();

  const pick = async (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    setError(undefined);
    setDone(0);
    setFailures([]);
    setTotals({ created: 0, updated: 0, unchanged: 0, failed: 0 });
    if (!f) return;
    setFile(f.name);
    try {
      setRows(parseRoster(f.name, await f.text()));
    } catch (err) {
      setRows(null);
      setError(new ApiError(0, err instanceof Error ? err.message : String(err)));
    }
  };

  const run = async () => {
    if (!rows) return;
    setBusy(true);
    setError(undefined);
    const sum = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    const bad: typeof failures = [];
    try {
      for (let from = 0; from < rows.length; from += CHUNK) {
        const r = await post<BulkResult>('/v1/enterprises/bulk', { enterprises: rows.slice(from, from + CHUNK) });
        for (const k of ['created', 'updated', 'unchanged', 'failed'] as const) sum[k] += r[k];
        for (const row of r.rows) if (row.status === 'FAILED') bad.push({ row: from + row.index + 1, creditCode: row.creditCode, errors: row.errors ?? [] });
        setTotals({ ...sum });
        setFailures([...bad]);
        setDone(Math.min(rows.length, from + CHUNK));
      }
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="roster">
      <h1>{t('roster')}</h1>
      <Card title={t('rosterImport')}>
        <p class="muted small">{t('rosterHelp')}</p>
        <div class="filters">
          <input type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => void pick(e)} data-testid="roster-file" />
          <button type="button" class="primary" disabled={!rows || rows.length === 0 || busy} onClick={() => void run()} data-testid="roster-import">
            {t('submit')}
          </button>
        </div>
        {rows && (
          <div class="progress-row">
            <progress max={rows.length} value={done} data-testid="roster-progress" />
            <span data-testid="roster-progress-text">
              {file}: {done} / {rows.length}
            </span>
          </div>
        )}
        {done > 0 && (
          <p data-testid="roster-totals">
            {t('created')} {totals.created} · {t('updated')} {totals.updated} · {t('unchanged')} {totals.unchanged} · <span class={totals.failed ? 'bad' : ''}>{t('failures')} {totals.failed}</span>
          </p>
        )}
        <ErrorBox error={error} />
        {failures.length > 0 && (
          <Table head={['row', 'id', 'reason']} testid="roster-failures">
            {failures.map((f) => (
              <tr key={f.row}>
                <td>{f.row}</td>
                <td>
                  <code>{f.creditCode ?? '—'}</code>
                </td>
                <td class="small">{f.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
