// People signing in as themselves: password sign-in with lockout, cookie sessions with idle and
// absolute timeouts, password reset by a mailed one-time link. Every sign-in attempt is audited.
// A person acts with the same principal shape as an API key (role and scope), so every route's
// scope rules apply to them unchanged; the ledger records them as `kind: 'user'`.
import { recordAudit } from '../db/audit.repo';
import type { Db } from '../db/client';
import {
  consumeResetToken,
  createResetRequest,
  createSession,
  deleteSession,
  deleteUserSessions,
  findSession,
  findUserByEmail,
  getUser,
  recordFailedLogin,
  recordLogin,
  resetTokenUsable,
  setPassword,
  touchSession,
  type SessionRow,
  type UserRow,
} from '../db/users.repo';
import { passwordResetTokens } from '../db/schema';
import { and, eq, isNull } from 'drizzle-orm';
import { isLocked, passwordProblems, retryAfterSeconds, sessionAlive } from '../domain/accounts';
import { DomainError, ErrorCode, invalidInput } from '../domain/errors';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import { passwordResetMailWorkflowId } from '../workflows/ids';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './passwords';
import { startIdempotently, type TemporalTarget } from './temporal';
import type { AuthSettings } from '../config';

/** The principal of a signed-in person: what an API key's would be, plus who they are. */
export const userActor = (u: Pick<UserRow, 'id' | 'role' | 'scope' | 'name'>): Actor => ({ keyId: `user:${u.id}`, role: u.role, scope: u.scope, name: u.name, kind: 'user', userId: u.id });

/** Who records a sign-in attempt nobody has proven yet. */
const SIGN_IN: Actor = { ...SYSTEM_ACTOR, name: 'sign-in' };

export type LoginOutcome =
  | { ok: true; user: UserRow; session: SessionRow; token: string }
  | { ok: false; locked: false }
  | { ok: false; locked: true; retryAfter: number };

/**
 * Checks an email and password. An unknown email, a disabled account or one without a password is
 * the same refusal as a wrong password, after the same scrypt work. A locked account is refused
 * without looking at the password; the failure that reaches the threshold locks it.
 */
export async function login(db: Db, settings: AuthSettings, input: { email: string; password: string; ip: string }, now = new Date()): Promise<LoginOutcome> {
  const user = await findUserByEmail(db, input.email);
  const audit = (action: string, data: Record<string, unknown>, actor: Actor = SIGN_IN) =>
    recordAudit(db, { actor, action, subjectKind: 'user', subjectId: user?.id ?? null, data: { email: input.email, ip: input.ip, ...data } });
  if (user && user.active && isLocked(user.lockedUntil?.getTime() ?? null, now.getTime())) {
    await audit('auth.login_refused', { reason: 'locked' });
    return { ok: false, locked: true, retryAfter: retryAfterSeconds(user.lockedUntil!.getTime(), now.getTime()) };
  }
  const usable = user !== undefined && user.active && user.passwordHash !== null;
  const matches = await verifyPassword(input.password, usable ? user.passwordHash! : await decoyHash());
  if (!usable || !matches) {
    if (!usable) {
      await audit('auth.login_failed', { reason: user ? (user.active ? 'no password set' : 'account disabled') : 'unknown email' });
      return { ok: false, locked: false };
    }
    const after = await recordFailedLogin(db, user.id, settings.lockoutThreshold, settings.lockoutSeconds * 1000, now);
    const locked = isLocked(after.lockedUntil?.getTime() ?? null, now.getTime());
    await audit('auth.login_failed', { reason: 'wrong password', locked });
    return locked ? { ok: false, locked: true, retryAfter: retryAfterSeconds(after.lockedUntil!.getTime(), now.getTime()) } : { ok: false, locked: false };
  }
  await recordLogin(db, user.id, now, needsRehash(user.passwordHash!) ? await hashPassword(input.password) : undefined);
  const { session, token } = await createSession(db, user.id, settings.sessionAbsoluteSeconds * 1000, now);
  await audit('auth.login', { sessionId: session.id }, userActor(user));
  return { ok: true, user, session, token };
}

/** The live session of a cookie's token and its person; null when unknown, timed out or the account is disabled. */
export async function resolveSession(db: Db, settings: AuthSettings, token: string, now = new Date()): Promise<{ session: SessionRow; user: UserRow; actor: Actor } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const found = await findSession(db, token);
  if (!found) return null;
  const alive = sessionAlive({ expiresAt: found.session.expiresAt.getTime(), lastSeenAt: found.session.lastSeenAt.getTime() }, settings.sessionIdleSeconds * 1000, now.getTime());
  if (!alive || !found.user.active) {
    await deleteSession(db, found.session.id);
    return null;
  }
  await touchSession(db, found.session.id, now);
  return { ...found, actor: userActor(found.user) };
}

export async function logout(db: Db, session: SessionRow, actor: Actor): Promise<void> {
  await deleteSession(db, session.id);
  await recordAudit(db, { actor, action: 'auth.logout', subjectKind: 'user', subjectId: session.userId, data: { sessionId: session.id } });
}

/**
 * A reset link for the account with this email, if there is an active one; nothing otherwise (the
 * caller answers the same either way). The mail goes from a small workflow through the outbox.
 */
export async function requestPasswordReset(db: Db, temporal: TemporalTarget, settings: AuthSettings, input: { email: string; ip: string }, now = new Date()): Promise<Error | null> {
  const user = await findUserByEmail(db, input.email);
  await recordAudit(db, { actor: SIGN_IN, action: 'auth.password_reset_requested', subjectKind: 'user', subjectId: user?.id ?? null, data: { email: input.email, ip: input.ip, known: Boolean(user?.active) } });
  if (!user || !user.active) return null;
  const resetId = await createResetRequest(db, user.id, settings.resetTokenSeconds * 1000, now);
  // Returned, not thrown: the caller's answer must be the same for every email (no account enumeration).
  return startIdempotently(temporal, 'passwordResetMailWorkflow', passwordResetMailWorkflowId(resetId), [{ resetId }]).then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
}

/**
 * Sets a new password with a mailed token, once: the token is used up, the account's other reset
 * tokens too, its lock lifted and its sessions ended. A weak password is refused before the token
 * is touched (it stays usable).
 */
export async function confirmPasswordReset(db: Db, input: { token: string; password: string; ip: string }, now = new Date()): Promise<void> {
  const problems = passwordProblems(input.password);
  if (problems.length > 0) throw invalidInput(problems);
  const unusable = () => new DomainError(ErrorCode.VALIDATION_FAILED, 'the reset link is unknown, used or expired: ask for a new one', [{ field: 'token', reason: 'is unknown, used or expired' }]);
  // A token that cannot work is refused before the (deliberately slow) hash; using it up is decided below, atomically.
  if (!(await resetTokenUsable(db, input.token, now))) throw unusable();
  const hash = await hashPassword(input.password);
  await db.transaction(async (tx) => {
    const userId = await consumeResetToken(tx, input.token, now);
    const user = userId ? await getUser(tx, userId) : undefined;
    if (!user || !user.active) throw unusable();
    await setPassword(tx, user.id, hash);
    await tx.update(passwordResetTokens).set({ usedAt: now }).where(and(eq(passwordResetTokens.userId, user.id), isNull(passwordResetTokens.usedAt)));
    const ended = await deleteUserSessions(tx, user.id);
    await recordAudit(tx, { actor: userActor(user), action: 'auth.password_reset', subjectKind: 'user', subjectId: user.id, data: { ip: input.ip, sessionsEnded: ended } });
  });
}
