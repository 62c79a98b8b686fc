// Reading the ordered record (GET /v1/{cases,hazards,enterprises}/{id}/record) the way a client does.
import { expect } from 'vitest';
import type { ApiHarness, Json, Reply } from './api-harness';

/** Every page of a record, following nextCursor. */
export async function wholeRecord(h: ApiHarness, url: string, key: string, limit: number): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1_000; pages++) {
    const res: Reply<{ items: Json[]; nextCursor: string | null }> = await h.call('GET', `${url}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('record did not end');
}

/** An entry's place in the record's order (at, stream, ref, seq), as text that sorts the same way. */
export const orderKey = (e: Json): string => [e.at, e.stream, e.ref, String(e.seq).padStart(10, '0')].join('|');
