// Reference data: API keys, units, enterprises.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { Actor, Role } from '../domain/hazard';
import type { Db } from './client';
import { after, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { apiKeys, enterprises, units } from './schema';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type EnterpriseRow = typeof enterprises.$inferSelect;
export type UnitRow = typeof units.$inferSelect;

export const hashKey = (secret: string): string => createHash('sha256').update(secret).digest('hex');
export const generateKeySecret = (): string => `hc_${randomBytes(24).toString('base64url')}`;

export async function findActiveKey(db: Db, hash: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  return row;
}

/** Stores only the hash; the secret is returned to show once. */
export async function createApiKey(db: Db, input: { name: string; role: Role; scope: string | null; secret?: string }): Promise<{ key: ApiKeyRow; secret: string }> {
  const secret = input.secret ?? generateKeySecret();
  const [key] = await db
    .insert(apiKeys)
    .values({ name: input.name, role: input.role, scope: input.scope, keyHash: hashKey(secret), keyPrefix: secret.slice(0, 7) })
    .returning();
  return { key: key!, secret };
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt));
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const rows = await db.update(apiKeys).set({ revokedAt: new Date() }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning({ id: apiKeys.id });
  return rows.length > 0;
}

/**
 * The first admin key. With a configured secret it is ensured to exist (idempotent);
 * without one, a key is generated only if no admin key exists yet, and returned to print once.
 */
export async function ensureBootstrapAdmin(db: Db, configured: string | null): Promise<{ secret: string | null; created: boolean }> {
  if (configured) {
    if (await findActiveKey(db, hashKey(configured))) return { secret: configured, created: false };
    await createApiKey(db, { name: 'bootstrap admin', role: 'admin', scope: null, secret: configured });
    return { secret: configured, created: true };
  }
  const [admin] = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))).limit(1);
  if (admin) return { secret: null, created: false };
  const { secret } = await createApiKey(db, { name: 'bootstrap admin', role: 'admin', scope: null });
  return { secret, created: true };
}

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

export async function getEnterprise(db: Db, id: string): Promise<EnterpriseRow | undefined> {
  const [row] = await db.select().from(enterprises).where(eq(enterprises.id, id));
  return row;
}

export function enterprisesVisibleTo(actor: Actor): SQL | undefined {
  switch (actor.role) {
    case 'admin':
    case 'office':
      return undefined;
    case 'department':
      return eq(enterprises.departmentCode, actor.scope ?? '');
    case 'county':
      return eq(enterprises.countyCode, actor.scope ?? '');
    case 'enterprise':
      return eq(enterprises.id, actor.scope ?? '00000000-0000-0000-0000-000000000000');
  }
}

export async function listEnterprises(
  db: Db,
  actor: Actor,
  f: { countyCode?: string; departmentCode?: string; industry?: string },
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
        after(enterprises.createdAt, enterprises.id, page.after),
      ),
    )
    .orderBy(...newestFirst(enterprises.createdAt, enterprises.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
