// One factory for both databases: real Postgres through `pg`, or embedded PGlite for the
// all-in-one start. Repositories take the returned `Db` (or a transaction) as first argument.
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** `postgres://…` connects with a pool; `pglite:<dir>` (or `pglite:` for memory) opens an embedded database. */
export async function createDb(url: string, opts: { poolSize?: number } = {}): Promise<DbHandle> {
  if (url.startsWith('pglite:')) {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const dir = url.slice('pglite:'.length);
    const client = dir ? new PGlite(dir) : new PGlite();
    await client.waitReady;
    return { db: drizzle({ client, schema }) as unknown as Db, kind: 'pglite', close: () => client.close() };
  }
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  // A database that is down or restarting must fail a request within seconds, never hang it:
  // connecting gives up after 5 s (a full pool waits as long for a free client).
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
  // When the server ends idle connections (a restart: 57P01 admin shutdown) the pool emits 'error';
  // unhandled, that EventEmitter error would crash the process. The pool drops the client and reconnects.
  pool.on('error', (err) => console.warn(`[db] idle connection lost: ${err.message}`));
  return { db: drizzle({ client: pool, schema }) as unknown as Db, kind: 'postgres', close: () => pool.end() };
}
