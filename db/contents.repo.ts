// Content written before a command and referred to by id from workflow payloads (db/schema/contents.ts).
import { inArray } from 'drizzle-orm';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { contents } from './schema';

export async function storeContent(db: Db, kind: string, body: Record<string, unknown>, createdBy: Actor): Promise<string> {
  const [row] = await db.insert(contents).values({ kind, body, bytes: Buffer.byteLength(JSON.stringify(body)), createdBy }).returning({ id: contents.id });
  return row!.id;
}

export async function contentBodies(db: Db, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: contents.id, body: contents.body }).from(contents).where(inArray(contents.id, unique));
  return new Map(rows.map((r) => [r.id, r.body]));
}

/**
 * Puts stored content back in place of its id: `{ contentId, ...summary }` becomes the stored
 * body plus the summary. A missing content row is an error (it was written before the command).
 */
export async function resolveContents<T>(db: Db, items: T[], refOf: (item: T) => Record<string, unknown> | null | undefined, put: (item: T, resolved: Record<string, unknown>) => T): Promise<T[]> {
  const ids = items.flatMap((i) => {
    const id = refOf(i)?.contentId;
    return typeof id === 'string' ? [id] : [];
  });
  if (ids.length === 0) return items;
  const bodies = await contentBodies(db, ids);
  return items.map((i) => {
    const ref = refOf(i);
    const id = ref?.contentId;
    if (typeof id !== 'string') return i;
    const body = bodies.get(id);
    if (!body) throw new Error(`content ${id} is not on the ledger`);
    return put(i, { ...ref, ...body });
  });
}
