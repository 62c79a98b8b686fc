// Shared pieces of every page: data loading, errors, dates with their zone, tables, stat cards.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api';
import { isKey, t, type Key } from './i18n';
import { fmt } from './time';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** GETs the path (null: nothing to load yet) and again whenever it changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    get<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error: error instanceof ApiError ? error : new ApiError(0, String(error)), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function ErrorBox({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  const text = error.status === 403 ? t('forbidden') : error.status === 404 ? t('notFound') : error.message;
  return (
    <div class="error" role="alert" data-testid="error">
      <strong>{t('error')}</strong> {error.status ? `(${error.status}) ` : ''}
      {text}
      {error.errors.length > 0 && (
        <ul>
          {error.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {e.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Loading, error, or the content once the data is there. */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (loaded.data === undefined) return <p class="muted">{t('loading')}</p>;
  return <>{children(loaded.data)}</>;
}

export function When({ iso, zone, date }: { iso: string | null | undefined; zone: string; date?: boolean }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={`${iso} · ${zone}`}>
      {fmt(iso, zone, !date)}
    </time>
  );
}

export function Stat({ label, value, tone, testid, small }: { label: string; value: ComponentChildren; tone?: 'bad' | 'warn' | 'good'; testid?: string; small?: boolean }) {
  return (
    <div class={`stat ${tone ?? ''} ${small ? 'small-value' : ''}`} data-testid={testid}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

export function Card({ title, children, actions, testid }: { title: ComponentChildren; children: ComponentChildren; actions?: ComponentChildren; testid?: string }) {
  return (
    <section class="card" data-testid={testid}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function Table({ head, children, testid }: { head: (Key | string)[]; children: ComponentChildren; testid?: string }) {
  return (
    <div class="table-wrap">
      <table data-testid={testid}>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h}>{isKey(h) ? t(h) : h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Empty({ rows }: { rows: unknown[] }) {
  return rows.length === 0 ? <p class="muted">{t('noData')}</p> : null;
}

export function pct(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${Math.round(share * 1000) / 10}%`;
}

export function Badge({ value, tone }: { value: string; tone?: 'bad' | 'warn' | 'good' | 'info' }) {
  return <span class={`badge ${tone ?? ''}`}>{value}</span>;
}

/** Keyset paging: the cursors seen so far, so "first page" and "next page" work both ways. */
export function usePager(): { cursor: string | undefined; next(c: string | null): void; first(): void; page: number } {
  const [stack, setStack] = useState<string[]>([]);
  return {
    cursor: stack[stack.length - 1],
    page: stack.length + 1,
    next: (c) => c && setStack((s) => [...s, c]),
    first: () => setStack([]),
  };
}

export function Pager({ pager, nextCursor }: { pager: ReturnType<typeof usePager>; nextCursor: string | null | undefined }) {
  return (
    <div class="pager">
      <button type="button" disabled={pager.page === 1} onClick={pager.first}>
        {t('first')}
      </button>
      <span>{pager.page}</span>
      <button type="button" disabled={!nextCursor} onClick={() => pager.next(nextCursor ?? null)} data-testid="next-page">
        {t('next')}
      </button>
    </div>
  );
}
