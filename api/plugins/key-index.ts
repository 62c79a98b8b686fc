// Every active API key's hash, in memory, refreshed incrementally from the database. A request's
// key is looked up here: a garbage token costs a hash and a map look-up, never a database round
// trip. Only a well-formed secret (checksum verified) unknown to the index may fall back to the
// database (a key created by another process since the last refresh), at a bounded rate, and a
// miss is remembered for one refresh interval without evicting anything else.
import type { Db } from '../../db/client';
import { findActiveKey, hashKey, isWellFormedSecret, keysChangedSince, type ApiKeyRow } from '../../db/reference.repo';
import type { Actor } from '../../domain/hazard';

interface Entry {
  actor: Actor;
  expiresAt: number | null;
}

export interface KeyIndexOptions {
  /** How often changes (new, revoked keys) are read from the database: the bound on revocation by another process. */
  refreshMs?: number;
  /** Changes are re-read with this overlap, so a transaction that committed late is not missed. */
  overlapMs?: number;
  /** A full reload every so often, whatever the incremental reads saw. */
  fullReloadMs?: number;
  /** Database fall-backs allowed per second (well-formed secrets the index does not know). */
  fallbacksPerSecond?: number;
}

const MAX_NEGATIVE = 10_000;

export class KeyIndex {
  readonly refreshMs: number;
  private readonly overlapMs: number;
  private readonly fullReloadMs: number;
  private readonly fallbacksPerSecond: number;
  private byHash = new Map<string, Entry>();
  private readonly misses = new Map<string, number>();
  private watermark: number | null = null;
  private lastFull = 0;
  private fallbackWindow = { second: 0, used: 0 };

  constructor(
    private readonly db: Db,
    opts: KeyIndexOptions = {},
  ) {
    this.refreshMs = opts.refreshMs ?? 2000;
    this.overlapMs = opts.overlapMs ?? 10_000;
    this.fullReloadMs = opts.fullReloadMs ?? 300_000;
    this.fallbacksPerSecond = opts.fallbacksPerSecond ?? 20;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Reads the keys changed since the last refresh (all of them at first and every fullReloadMs). */
  async refresh(): Promise<void> {
    const startedAt = Date.now();
    const full = this.watermark === null || startedAt - this.lastFull >= this.fullReloadMs;
    const rows = await keysChangedSince(this.db, full ? null : new Date(this.watermark! - this.overlapMs));
    if (full) {
      this.byHash = new Map();
      this.misses.clear();
      this.lastFull = startedAt;
    }
    for (const row of rows) this.apply(row);
    this.watermark = startedAt;
  }

  /** Records a key's current row: active keys are indexed, revoked ones dropped. */
  apply(row: ApiKeyRow): void {
    if (row.revokedAt) {
      this.byHash.delete(row.keyHash);
      return;
    }
    this.byHash.set(row.keyHash, { actor: { keyId: row.id, role: row.role, scope: row.scope, name: row.name }, expiresAt: row.expiresAt?.getTime() ?? null });
    this.misses.delete(row.keyHash);
  }

  /** The key's actor, or null when the secret is unknown, revoked or expired. */
  async resolve(secret: string, now = Date.now()): Promise<Actor | null> {
    const hash = hashKey(secret);
    const hit = this.byHash.get(hash);
    if (hit) return hit.expiresAt === null || hit.expiresAt > now ? hit.actor : null;
    if (!isWellFormedSecret(secret)) return null;
    const missUntil = this.misses.get(hash);
    if (missUntil !== undefined && missUntil > now) return null;
    if (!this.takeFallback(now)) return null;
    const row = await findActiveKey(this.db, hash, new Date(now));
    if (row) {
      this.apply(row);
      return this.byHash.get(hash)!.actor;
    }
    if (this.misses.size >= MAX_NEGATIVE) this.misses.delete(this.misses.keys().next().value!);
    this.misses.set(hash, now + this.refreshMs);
    return null;
  }

  private takeFallback(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (this.fallbackWindow.second !== second) this.fallbackWindow = { second, used: 0 };
    if (this.fallbackWindow.used >= this.fallbacksPerSecond) return false;
    this.fallbackWindow.used++;
    return true;
  }
}
