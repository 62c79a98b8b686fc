// People's accounts: created by an admin or the office with a role and scope exactly as an API
// key's (the office grants neither admin nor office access, nor acts on those accounts), listed,
// disabled (its sessions end) and enabled again, unlocked after repeated failed sign-ins. Audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { recordAudit } from '../../db/audit.repo';
import type { Db } from '../../db/client';
import { isCursor } from '../../db/pagination';
import { createUser, deleteUserSessions, getUser, listUsers, setUserActive, unlockUser, type UserRow } from '../../db/users.repo';
import { passwordProblems } from '../../domain/accounts';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import type { Actor } from '../../domain/hazard';
import { checkGrant, mayGrantRole } from '../../services/grants';
import { hashPassword } from '../../services/passwords';
import { requireRole } from '../plugins/auth';
import { decodeCursor, encodeCursor, errorResponses, IdParams } from '../schemas/common';
import { UserBody, UserListQuery, UserView } from '../schemas/users';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const userView = (u: UserRow) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  scope: u.scope,
  active: u.active,
  passwordSet: u.passwordHash !== null,
  lockedUntil: u.lockedUntil && u.lockedUntil.getTime() > Date.now() ? u.lockedUntil.toISOString() : null,
  lastLoginAt: iso(u.lastLoginAt),
  createdAt: u.createdAt.toISOString(),
});
/** What the audit log keeps of an account: never its password hash. */
const userAudit = (u: UserRow) => ({ name: u.name, email: u.email, role: u.role, scope: u.scope, active: u.active });

export const userRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  /** The account, when the caller may act on it: the office not on admin or office accounts. */
  async function target(actor: Actor, id: string): Promise<UserRow> {
    const user = await getUser(db, id);
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'no account with this id');
    if (!mayGrantRole(actor, user.role)) throw new DomainError(ErrorCode.FORBIDDEN, 'only an admin acts on admin or office accounts');
    return user;
  }

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a person’s account (admin, office): role and scope as an API key’s; without a password the person sets one through a reset link',
        body: UserBody,
        response: { 201: UserView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office');
      const { name, email, role, scope, password } = request.body;
      await checkGrant(db, actor, role, scope);
      if (password !== undefined) {
        const problems = passwordProblems(password);
        if (problems.length > 0) throw invalidInput(problems);
      }
      const passwordHash = password === undefined ? null : await hashPassword(password);
      const user = await db.transaction(async (tx) => {
        const row = await createUser(tx, { name, email, role, scope: scope ?? null, passwordHash });
        if (row) await recordAudit(tx, { actor, action: 'user.created', subjectKind: 'user', subjectId: row.id, data: userAudit(row) });
        return row;
      });
      if (!user) throw new DomainError(ErrorCode.CONFLICT, 'an account with this email exists', [{ field: 'email', reason: 'already has an account' }]);
      return reply.status(201).send(userView(user));
    },
  );

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'People’s accounts, newest first (keyset pagination; admin and office)',
        querystring: UserListQuery,
        response: { 200: Type.Object({ items: Type.Array(UserView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin', 'office');
      const q = request.query;
      const after = decodeCursor(q.cursor, isCursor);
      if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
      const page = await listUsers(db, { role: q.role, active: q.active }, { limit: q.limit ?? 50, after });
      return { items: page.items.map(userView), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.get('/users/:id', { schema: { tags: ['users'], summary: 'One account (admin and office)', params: IdParams, response: { 200: UserView, ...errorResponses } } }, async (request) => {
    requireRole(request, 'admin', 'office');
    const user = await getUser(db, request.params.id);
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'no account with this id');
    return userView(user);
  });

  app.post(
    '/users/:id/disable',
    { schema: { tags: ['users'], summary: 'Disable an account: it cannot sign in and its sessions end (its record stays)', params: IdParams, response: { 200: UserView, ...errorResponses } } },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const user = await target(actor, request.params.id);
      const row = await db.transaction(async (tx) => {
        const updated = await setUserActive(tx, user.id, false);
        if (!updated) return null;
        const sessionsEnded = await deleteUserSessions(tx, user.id);
        await recordAudit(tx, { actor, action: 'user.disabled', subjectKind: 'user', subjectId: user.id, data: { ...userAudit(updated), sessionsEnded } });
        return updated;
      });
      if (!row) throw new DomainError(ErrorCode.CONFLICT, 'the account is disabled already', [{ field: 'id', reason: 'already disabled' }]);
      return userView(row);
    },
  );

  app.post(
    '/users/:id/enable',
    { schema: { tags: ['users'], summary: 'Enable a disabled account again', params: IdParams, response: { 200: UserView, ...errorResponses } } },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const user = await target(actor, request.params.id);
      const row = await db.transaction(async (tx) => {
        const updated = await setUserActive(tx, user.id, true);
        if (updated) await recordAudit(tx, { actor, action: 'user.enabled', subjectKind: 'user', subjectId: user.id, data: userAudit(updated) });
        return updated;
      });
      if (!row) throw new DomainError(ErrorCode.CONFLICT, 'the account is active', [{ field: 'id', reason: 'not disabled' }]);
      return userView(row);
    },
  );

  app.post(
    '/users/:id/unlock',
    { schema: { tags: ['users'], summary: 'Lift a lock after repeated failed sign-ins (and reset the count); an unlocked account stays as it is', params: IdParams, response: { 200: UserView, ...errorResponses } } },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const user = await target(actor, request.params.id);
      const row = await db.transaction(async (tx) => {
        const updated = await unlockUser(tx, user.id);
        await recordAudit(tx, { actor, action: 'user.unlocked', subjectKind: 'user', subjectId: user.id, data: { wasLockedUntil: iso(user.lockedUntil), failedAttempts: user.failedAttempts } });
        return updated;
      });
      return userView(row ?? user);
    },
  );
};
