// Keyset pagination, newest first: stable under concurrent inserts, no OFFSET scans.
// Timestamps are stored with millisecond precision (timestamptz(3)) so a cursor built from a
// JS Date matches the stored value exactly.
import { desc, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export interface Cursor {
  createdAt: string;
  id: string;
}

export interface Page<T> {
  items: T[];
  next: Cursor | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a client's id can be a uuid column's value at all (Postgres refuses anything else with an error, not an empty result). */
export const isUuid = (v: string): boolean => UUID_RE.test(v);

/** Cursors come back from clients: check every field, so a forged one is a 4xx, not a database error. */
export const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Cursor).createdAt === 'string' &&
  !Number.isNaN(Date.parse((v as Cursor).createdAt)) &&
  typeof (v as Cursor).id === 'string' &&
  UUID_RE.test((v as Cursor).id);

/**
 * Rows after the cursor, newest first. A row comparison, not `a < x or (a = x and b < y)`: Postgres
 * starts an index scan on (created_at, id) — alone or after equality columns — right at the cursor,
 * where the OR form reads and discards every newer row first (a deep page of a million rows took
 * hundreds of milliseconds).
 */
export function after(createdAt: PgColumn, id: PgColumn, cursor?: Cursor): SQL | undefined {
  if (!cursor) return undefined;
  return sql`(${createdAt}, ${id}) < (${new Date(cursor.createdAt).toISOString()}::timestamptz, ${cursor.id}::uuid)`;
}

export const newestFirst = (createdAt: PgColumn, id: PgColumn) => [desc(createdAt), desc(id)] as const;

/** Query limit + 1 rows and pass them here: the extra row tells whether a next page exists. */
export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt.toISOString(), id: last.id } : null };
}
