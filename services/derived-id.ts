// UUIDs derived from business keys: the same key always names the same row, so a retried request
// or activity finds what its first attempt made instead of making a second.
import { createHash } from 'node:crypto';

/** A version-5-shaped UUID from the SHA-256 of the parts (as a JSON array). */
export function uuidFromKey(parts: readonly unknown[]): string {
  const h = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
