// Reference data: API keys, units, enterprises.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, getTableName, gt, gte, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { EnforcementStatus } from '../domain/enforcement';
import type { DeactivationKind } from '../domain/enterprise';
import { SYSTEM_ACTOR, type Actor, type Role } from '../domain/hazard';
import { recordAudit } from './audit.repo';
import { moveOpenHazards, type HazardsMoved } from './hazard-moves.repo';
import type { Db } from './client';
import { after, isUuid, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { scopedTo } from './scope';
import { apiKeys, enterprises, units } from './schema';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type EnterpriseRow = typeof enterprises.$inferSelect;
export type UnitRow = typeof units.$inferSelect;

export const hashKey = (secret: string): string => createHash('sha256').update(secret).digest('hex');

// Secrets generated since key expiry landed carry a checksum (`hc1_` + 32 random + 6 check
// characters), so a malformed or random token is refused from memory without a database look-up.
// Older secrets (`hc_…`) and configured bootstrap keys keep working through the in-memory index.
const SECRET_PREFIX = 'hc1_';
const SECRET_RE = /^hc1_([A-Za-z0-9_-]{32})([A-Za-z0-9_-]{6})$/;
const checksumOf = (random: string): string => createHash('sha256').update(`${SECRET_PREFIX}${random}`).digest('base64url').slice(0, 6);
export const generateKeySecret = (): string => {
  const random = randomBytes(24).toString('base64url');
  return `${SECRET_PREFIX}${random}${checksumOf(random)}`;
};
/** True for a secret this code generated (checksum verified); false for anything else, old-format keys included. */
export function isWellFormedSecret(secret: string): boolean {
  const m = SECRET_RE.exec(secret);
  return m !== null && checksumOf(m[1]!) === m[2];
}

/** Active: not revoked and not expired at `now`. */
export async function findActiveKey(db: Db, hash: string, now = new Date()): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))));
  return row;
}

/** Keys changed (created, revoked) at or after `since`; every key when `since` is null. */
export async function keysChangedSince(db: Db, since: Date | null): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(since ? gte(apiKeys.updatedAt, since) : undefined);
}

type NewKey = { name: string; role: Role; scope: string | null; email?: string | null; secret?: string; expiresAt?: Date | null };

/** Stores only the hash; the secret is returned to show once. */
export async function createApiKey(db: Db, input: NewKey): Promise<{ key: ApiKeyRow; secret: string }>;
/** With `ifAbsent`: null when a key with this secret exists (two processes ensuring the same key at once). */
export async function createApiKey(db: Db, input: NewKey & { ifAbsent: true }): Promise<{ key: ApiKeyRow; secret: string } | null>;
export async function createApiKey(db: Db, input: NewKey & { ifAbsent?: boolean }): Promise<{ key: ApiKeyRow; secret: string } | null> {
  const secret = input.secret ?? generateKeySecret();
  const insert = db.insert(apiKeys).values({ name: input.name, role: input.role, scope: input.scope, email: input.email ?? null, keyHash: hashKey(secret), keyPrefix: secret.slice(0, 7), expiresAt: input.expiresAt ?? null });
  const [key] = await (input.ifAbsent ? insert.onConflictDoNothing({ target: apiKeys.keyHash }) : insert).returning();
  return key ? { key, secret } : null;
}

export async function getApiKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt));
}

export async function revokeApiKey(db: Db, id: string): Promise<ApiKeyRow | null> {
  const now = new Date();
  const [row] = await db.update(apiKeys).set({ revokedAt: now, updatedAt: now }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning();
  return row ?? null;
}

export type BootstrapOutcome = { secret: string | null; created: boolean; revoked?: boolean };

/**
 * The first admin key. With a configured secret it is ensured to exist (idempotent), unless it was
 * revoked: a revoked key stays revoked (the start goes on; the caller warns). Without one, a key is
 * generated only if no admin key exists yet, and returned to print once.
 */
export async function ensureBootstrapAdmin(db: Db, configured: string | null): Promise<BootstrapOutcome> {
  if (configured) {
    const [existing] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashKey(configured)));
    if (existing?.revokedAt) return { secret: null, created: false, revoked: true };
    if (existing) return { secret: configured, created: false };
    // Two processes starting at once: the loser's insert hits the unique hash and finds the winner's row.
    const created = await createApiKey(db, { ...BOOTSTRAP, secret: configured, ifAbsent: true });
    if (created) await auditBootstrap(db, created.key);
    return { secret: configured, created: created !== null };
  }
  const [admin] = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))).limit(1);
  if (admin) return { secret: null, created: false };
  const { key, secret } = await createApiKey(db, BOOTSTRAP);
  await auditBootstrap(db, key);
  return { secret, created: true };
}

const BOOTSTRAP = { name: 'bootstrap admin', role: 'admin', scope: null } as const;
const auditBootstrap = (db: Db, key: ApiKeyRow) =>
  recordAudit(db, { actor: SYSTEM_ACTOR, action: 'api_key.created', subjectKind: 'api_key', subjectId: key.id, data: { name: key.name, role: key.role, bootstrap: true } });

export async function createUnit(db: Db, input: typeof units.$inferInsert): Promise<UnitRow | null> {
  const [row] = await db.insert(units).values(input).onConflictDoNothing({ target: units.code }).returning();
  return row ?? null;
}

export async function listUnits(db: Db, kind?: 'COUNTY' | 'DEPARTMENT'): Promise<UnitRow[]> {
  return db.select().from(units).where(kind ? eq(units.kind, kind) : undefined).orderBy(asc(units.code));
}

export async function unitsByCode(db: Db, codes: string[]): Promise<UnitRow[]> {
  return codes.length === 0 ? [] : db.select().from(units).where(inArray(units.code, codes));
}

export async function createEnterprise(db: Db, input: typeof enterprises.$inferInsert): Promise<EnterpriseRow | null> {
  const [row] = await db.insert(enterprises).values(input).onConflictDoNothing({ target: enterprises.creditCode }).returning();
  return row ?? null;
}

/** Set by deactivation and reactivation only (never by an import): a roster row is active until the office says otherwise. */
type DeactivationColumn = 'deactivatedAt' | 'deactivatedOn' | 'deactivationKind' | 'deactivationReason' | 'deactivatedBy';
/** One roster row as stored: every field explicit, defaults already applied. The enforcement flag is not the roster's: orders set it (db/orders.repo.ts). */
export type EnterpriseFields = Required<Omit<typeof enterprises.$inferInsert, 'id' | 'createdAt' | 'enforcementStatus' | DeactivationColumn>>;
export type UpsertOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED';

/** The roster fields an import may correct; a row whose fields all match is left alone. */
const ROSTER_COLUMNS = [
  ['name', enterprises.name],
  ['industry', enterprises.industry],
  ['countyCode', enterprises.countyCode],
  ['departmentCode', enterprises.departmentCode],
  ['supervisionLevel', enterprises.supervisionLevel],
  ['principalName', enterprises.principalName],
  ['principalEmail', enterprises.principalEmail],
  ['principalPhone', enterprises.principalPhone],
  ['contacts', enterprises.contacts],
  ['locale', enterprises.locale],
  ['latitude', enterprises.latitude],
  ['longitude', enterprises.longitude],
] as const;
const IMPORTED_COLUMNS = [['creditCode', enterprises.creditCode] as const, ...ROSTER_COLUMNS];
const col = (c: { name: string }): SQL => sql`${sql.identifier(c.name)}`;
const list = (parts: SQL[]): SQL => sql.join(parts, sql`, `);

/** The statement that writes one chunk: one array parameter per column, whatever the chunk size. */
function upsertChunk(chunk: EnterpriseFields[]): SQL {
  const t = sql.identifier(getTableName(enterprises));
  const arrays = IMPORTED_COLUMNS.map(([key]) => {
    const values = key === 'contacts' ? chunk.map((r) => JSON.stringify(r.contacts)) : chunk.map((r) => r[key]);
    return key === 'latitude' || key === 'longitude' ? sql`${sql.param(values)}::float8[]` : sql`${sql.param(values)}::text[]`;
  });
  const selected = IMPORTED_COLUMNS.map(([, c]) => (c === enterprises.contacts ? sql`input.${col(c)}::jsonb` : sql`input.${col(c)}`));
  const current = list(ROSTER_COLUMNS.map(([, c]) => sql`${t}.${col(c)}`));
  const proposed = list(ROSTER_COLUMNS.map(([, c]) => sql`excluded.${col(c)}`));
  return sql`
    insert into ${t} (${list(IMPORTED_COLUMNS.map(([, c]) => col(c)))})
    select ${list(selected)}
      from unnest(${list(arrays)}) with ordinality as input(${list(IMPORTED_COLUMNS.map(([, c]) => col(c)))}, ord)
     order by input.ord
    on conflict (${col(enterprises.creditCode)}) do update set ${list(ROSTER_COLUMNS.map(([, c]) => sql`${col(c)} = excluded.${col(c)}`))}
     where (${current}) is distinct from (${proposed})
    returning ${col(enterprises.id)} as id, ${col(enterprises.creditCode)} as credit_code, (xmax = 0) as inserted`;
}

/**
 * Inserts or corrects many enterprises by credit code, in one transaction, `chunkSize` rows per
 * statement: new codes are CREATED, existing ones with any differing field UPDATED, identical ones
 * UNCHANGED (not written: the update only runs where something differs). Credit codes must be unique
 * within `rows`. Rows are written in credit-code order so concurrent imports lock rows in the same
 * order and cannot deadlock each other. An enterprise moved to another county or department takes
 * its open hazards along in the same transaction (see hazard-moves.repo.ts): `moved` lists them.
 */
export async function upsertEnterprises(
  db: Db,
  rows: EnterpriseFields[],
  opts: { chunkSize?: number; actor?: Actor } = {},
): Promise<{ written: Map<string, { id: string; outcome: UpsertOutcome }>; moved: HazardsMoved[] }> {
  const chunkSize = opts.chunkSize ?? 1000;
  const result = new Map<string, { id: string; outcome: UpsertOutcome }>();
  const moved: HazardsMoved[] = [];
  if (rows.length === 0) return { written: result, moved };
  const sorted = [...rows].sort((a, b) => (a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0));
  await db.transaction(async (tx) => {
    for (let i = 0; i < sorted.length; i += chunkSize) {
      const chunk = sorted.slice(i, i + chunkSize);
      // Where each known enterprise stood before this import, locked until the hazards have followed.
      const before = await tx
        .select({ id: enterprises.id, creditCode: enterprises.creditCode, countyCode: enterprises.countyCode, departmentCode: enterprises.departmentCode })
        .from(enterprises)
        .where(sql`${enterprises.creditCode} = any(${sql.param(chunk.map((r) => r.creditCode))}::text[])`)
        .orderBy(asc(enterprises.creditCode))
        .for('update');
      // node-postgres and PGlite both answer raw statements with { rows }.
      const written = ((await tx.execute(upsertChunk(chunk))) as unknown as { rows: { id: string; credit_code: string; inserted: boolean }[] }).rows;
      // xmax is 0 only on a freshly inserted row version; an updated one carries the updating transaction.
      for (const w of written) result.set(w.credit_code, { id: w.id, outcome: w.inserted ? 'CREATED' : 'UPDATED' });
      for (const b of before) if (!result.has(b.creditCode)) result.set(b.creditCode, { id: b.id, outcome: 'UNCHANGED' });
      // A row another import inserted since `before` was read, identical to ours, was not written either.
      const untouched = chunk.map((r) => r.creditCode).filter((code) => !result.has(code));
      if (untouched.length > 0) {
        const existing = await tx
          .select({ id: enterprises.id, creditCode: enterprises.creditCode })
          .from(enterprises)
          .where(sql`${enterprises.creditCode} = any(${sql.param(untouched)}::text[])`);
        for (const e of existing) result.set(e.creditCode, { id: e.id, outcome: 'UNCHANGED' });
      }
      const byCode = new Map(chunk.map((r) => [r.creditCode, r]));
      const moves = before.flatMap((b) => {
        const now = byCode.get(b.creditCode)!;
        return now.countyCode === b.countyCode && now.departmentCode === b.departmentCode
          ? []
          : [{ enterpriseId: b.id, from: { countyCode: b.countyCode, departmentCode: b.departmentCode }, to: { countyCode: now.countyCode, departmentCode: now.departmentCode } }];
      });
      if (moves.length > 0) moved.push(...(await moveOpenHazards(tx, moves, opts.actor ?? SYSTEM_ACTOR, 'roster import moved the enterprise')));
    }
  });
  return { written: result, moved };
}

export async function getEnterprise(db: Db, id: string): Promise<EnterpriseRow | undefined> {
  // An id that is no uuid names no enterprise (a 404 for the caller, not a database error).
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(enterprises).where(eq(enterprises.id, id));
  return row;
}

export const enterprisesVisibleTo = (actor: Actor): SQL | undefined => scopedTo(actor, { enterpriseId: enterprises.id, countyCode: enterprises.countyCode, departmentCode: enterprises.departmentCode });

export async function listEnterprises(
  db: Db,
  actor: Actor,
  f: { countyCode?: string; departmentCode?: string; industry?: string; enforcementStatus?: EnforcementStatus; active?: boolean },
  page: { limit: number; after?: Cursor },
): Promise<Page<EnterpriseRow>> {
  const rows = await db
    .select()
    .from(enterprises)
    .where(
      and(
        enterprisesVisibleTo(actor),
        f.countyCode ? eq(enterprises.countyCode, f.countyCode) : undefined,
        f.departmentCode ? eq(enterprises.departmentCode, f.departmentCode) : undefined,
        f.industry ? eq(enterprises.industry, f.industry) : undefined,
        f.enforcementStatus ? eq(enterprises.enforcementStatus, f.enforcementStatus) : undefined,
        f.active === undefined ? undefined : f.active ? isNull(enterprises.deactivatedAt) : isNotNull(enterprises.deactivatedAt),
        after(enterprises.createdAt, enterprises.id, page.after),
      ),
    )
    .orderBy(...newestFirst(enterprises.createdAt, enterprises.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/**
 * Takes an enterprise off the roster from now on (closed, merged, …), with its audit entry in the
 * same transaction; its row and history stay. Null when it is not there or already deactivated.
 */
export async function deactivateEnterprise(db: Db, id: string, d: { kind: DeactivationKind; reason: string; on: string; actor: Actor }): Promise<EnterpriseRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(enterprises)
      .set({ deactivatedAt: new Date(), deactivatedOn: d.on, deactivationKind: d.kind, deactivationReason: d.reason, deactivatedBy: d.actor })
      .where(and(eq(enterprises.id, id), isNull(enterprises.deactivatedAt)))
      .returning();
    if (row) await recordAudit(tx, { actor: d.actor, action: 'enterprise.deactivated', subjectKind: 'enterprise', subjectId: id, data: { kind: d.kind, reason: d.reason, on: d.on } });
    return row ?? null;
  });
}

/** Puts a deactivated enterprise back on the roster (a deactivation made in error), audited. Null when it is not there or active. */
export async function reactivateEnterprise(db: Db, id: string, r: { reason: string; actor: Actor }): Promise<EnterpriseRow | null> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(enterprises).where(and(eq(enterprises.id, id), isNotNull(enterprises.deactivatedAt))).for('update');
    if (!before) return null;
    const [row] = await tx
      .update(enterprises)
      .set({ deactivatedAt: null, deactivatedOn: null, deactivationKind: null, deactivationReason: null, deactivatedBy: null })
      .where(eq(enterprises.id, id))
      .returning();
    const was = { kind: before.deactivationKind, on: before.deactivatedOn, reason: before.deactivationReason, at: before.deactivatedAt?.toISOString() };
    await recordAudit(tx, { actor: r.actor, action: 'enterprise.reactivated', subjectKind: 'enterprise', subjectId: id, data: { reason: r.reason, was } });
    return row!;
  });
}
