// People's accounts, their sessions and password reset tokens. Tokens are stored as SHA-256
// hashes only; lockout counters move in single UPDATE statements, so concurrent failed sign-ins
// cannot lose a count.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Role } from '../domain/hazard';
import type { Db } from './client';
import { after, isUuid, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { passwordResetTokens, users, userSessions } from './schema';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof userSessions.$inferSelect;

export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
/** 256 random bits, URL-safe: session cookies, CSRF tokens, reset tokens. */
export const newToken = (): string => randomBytes(32).toString('base64url');

export interface NewUser {
  name: string;
  email: string;
  role: Role;
  scope: string | null;
  passwordHash: string | null;
}

/** Null when an account with this email (whatever its case) exists. */
export async function createUser(db: Db, input: NewUser): Promise<UserRow | null> {
  const [row] = await db
    .insert(users)
    .values(input)
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
  return row;
}

export async function listUsers(db: Db, f: { role?: Role; active?: boolean }, page: { limit: number; after?: Cursor }): Promise<Page<UserRow>> {
  const rows = await db
    .select()
    .from(users)
    .where(and(f.role ? eq(users.role, f.role) : undefined, f.active === undefined ? undefined : eq(users.active, f.active), after(users.createdAt, users.id, page.after)))
    .orderBy(...newestFirst(users.createdAt, users.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/**
 * Counts one failed sign-in; at `threshold` consecutive failures the account locks until
 * `now + lockoutMs` and the count starts again. Returns the row after the update.
 */
export async function recordFailedLogin(db: Db, id: string, threshold: number, lockoutMs: number, now: Date): Promise<UserRow> {
  const reached = sql`${users.failedAttempts} + 1 >= ${threshold}`;
  const [row] = await db
    .update(users)
    .set({
      failedAttempts: sql`case when ${reached} then 0 else ${users.failedAttempts} + 1 end`,
      lockedUntil: sql`case when ${reached} then ${new Date(now.getTime() + lockoutMs).toISOString()}::timestamptz else ${users.lockedUntil} end`,
      updatedAt: now,
    })
    .where(eq(users.id, id))
    .returning();
  return row!;
}

export async function recordLogin(db: Db, id: string, now: Date, rehashed?: string): Promise<void> {
  await db
    .update(users)
    .set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now, ...(rehashed ? { passwordHash: rehashed } : {}) })
    .where(eq(users.id, id));
}

export async function unlockUser(db: Db, id: string): Promise<UserRow | null> {
  const [row] = await db.update(users).set({ failedAttempts: 0, lockedUntil: null, updatedAt: new Date() }).where(eq(users.id, id)).returning();
  return row ?? null;
}

/** Null when the account is already in that state (or absent). */
export async function setUserActive(db: Db, id: string, active: boolean): Promise<UserRow | null> {
  const [row] = await db
    .update(users)
    .set({ active, updatedAt: new Date() })
    .where(and(eq(users.id, id), eq(users.active, !active)))
    .returning();
  return row ?? null;
}

export async function setPassword(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash, failedAttempts: 0, lockedUntil: null, updatedAt: new Date() }).where(eq(users.id, id));
}

// ---- sessions ----

/** A new session: the token goes in the cookie, only its hash is stored. */
export async function createSession(db: Db, userId: string, absoluteMs: number, now: Date): Promise<{ session: SessionRow; token: string }> {
  const token = newToken();
  const [session] = await db
    .insert(userSessions)
    .values({ userId, tokenHash: sha256(token), csrfToken: newToken(), createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + absoluteMs) })
    .returning();
  return { session: session!, token };
}

/** The session of a cookie's token with its user, whether or not it is still alive (the caller decides). */
export async function findSession(db: Db, token: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const [row] = await db.select({ session: userSessions, user: users }).from(userSessions).innerJoin(users, eq(users.id, userSessions.userId)).where(eq(userSessions.tokenHash, sha256(token)));
  return row;
}

/** Moves last-seen, at most once a minute per session (a read-mostly console must not write on every request). */
export async function touchSession(db: Db, id: string, now: Date): Promise<void> {
  await db
    .update(userSessions)
    .set({ lastSeenAt: now })
    .where(and(eq(userSessions.id, id), lt(userSessions.lastSeenAt, new Date(now.getTime() - 60_000))));
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(userSessions).where(eq(userSessions.id, id));
}

/** Ends every session of a user (password changed, account disabled); returns how many. */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const rows = await db.delete(userSessions).where(eq(userSessions.userId, userId)).returning({ id: userSessions.id });
  return rows.length;
}

// ---- password reset ----

/** A reset request for a user, its token yet to be made by the mailing activity. */
export async function createResetRequest(db: Db, userId: string, ttlMs: number, now: Date): Promise<string> {
  const [row] = await db
    .insert(passwordResetTokens)
    .values({ userId, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs) })
    .returning({ id: passwordResetTokens.id });
  return row!.id;
}

export async function getResetRequest(db: Db, id: string) {
  const [row] = await db.select({ reset: passwordResetTokens, user: users }).from(passwordResetTokens).innerJoin(users, eq(users.id, passwordResetTokens.userId)).where(eq(passwordResetTokens.id, id));
  return row;
}

/** Records the hash of the token about to be mailed; false when one is already recorded (the mail holds that one). */
export async function setResetTokenHash(db: Db, id: string, tokenHash: string): Promise<boolean> {
  const rows = await db
    .update(passwordResetTokens)
    .set({ tokenHash })
    .where(and(eq(passwordResetTokens.id, id), isNull(passwordResetTokens.tokenHash)))
    .returning({ id: passwordResetTokens.id });
  return rows.length > 0;
}

/** Whether a token is unused and unexpired at `now` (a read: consumeResetToken decides). */
export async function resetTokenUsable(db: Db, token: string, now: Date): Promise<boolean> {
  const rows = await db
    .select({ id: passwordResetTokens.id })
    .from(passwordResetTokens)
    .where(and(eq(passwordResetTokens.tokenHash, sha256(token)), isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, now)));
  return rows.length > 0;
}

/** Uses a token once: the user id when it was unused and unexpired at `now`, else null. */
export async function consumeResetToken(db: Db, token: string, now: Date): Promise<string | null> {
  const [row] = await db
    .update(passwordResetTokens)
    .set({ usedAt: now })
    .where(and(eq(passwordResetTokens.tokenHash, sha256(token)), isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, now)))
    .returning({ userId: passwordResetTokens.userId });
  return row?.userId ?? null;
}
