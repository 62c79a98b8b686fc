// Signing in as a person (the console): a session in an HttpOnly, SameSite=Strict cookie, a CSRF
// token for writes, lockout after repeated failures, password reset by a mailed one-time link.
// These routes are public (no key needed) and read the cookie themselves; logout ends a live
// session only with its CSRF token, like any write made with the cookie.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { deleteSession } from '../../db/users.repo';
import { DomainError, ErrorCode } from '../../domain/errors';
import { confirmPasswordReset, login, logout, requestPasswordReset } from '../../services/auth.service';
import type { TemporalTarget } from '../../services/temporal';
import { requireCsrf, sessionCookie } from '../plugins/auth';
import { errorResponses, problemRef } from '../schemas/common';
import { LoginBody, ResetConfirmBody, ResetRequestBody, SessionView } from '../schemas/users';
import type { UserRow } from '../../db/users.repo';

const sessionUser = (u: UserRow) => ({ id: u.id, name: u.name, email: u.email, role: u.role, scope: u.scope });
const problem = (description: string, headers?: Record<string, object>) => ({ description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: problemRef } } });
const retryAfter = { 'retry-after': { type: 'integer', minimum: 1, description: 'seconds until the account unlocks' } };
const publicRoute = { public: true } as const;

export const authRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  app.post(
    '/auth/login',
    {
      config: publicRoute,
      schema: {
        tags: ['sign-in'],
        summary: 'Sign in as a person: sets the hc_session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token for writes',
        security: [],
        body: LoginBody,
        response: {
          200: SessionView,
          ...errorResponses,
          401: problem('wrong email or password (the same answer for both)'),
          423: problem('the account is locked after repeated failed sign-ins', retryAfter),
        },
      },
    },
    async (request, reply) => {
      const outcome = await login(db, app.authSettings, { email: request.body.email, password: request.body.password, ip: request.ip });
      if (!outcome.ok && outcome.locked) {
        reply.header('retry-after', String(outcome.retryAfter));
        throw new DomainError(ErrorCode.ACCOUNT_LOCKED, `the account is locked after repeated failed sign-ins; retry in ${outcome.retryAfter} s or ask the office to unlock it`);
      }
      if (!outcome.ok) throw new DomainError(ErrorCode.UNAUTHORIZED, 'wrong email or password');
      // A session the browser still held is replaced, not left alive beside the new one.
      const previous = await app.sessionOf(request);
      if (previous) await deleteSession(db, previous.row.id);
      reply.header('set-cookie', sessionCookie(outcome.token, app.authSettings));
      return { user: sessionUser(outcome.user), csrfToken: outcome.session.csrfToken };
    },
  );

  app.get(
    '/auth/session',
    {
      config: publicRoute,
      schema: {
        tags: ['sign-in'],
        summary: 'The signed-in person of the hc_session cookie and the CSRF token; 401 without a live session',
        security: [{ cookieSession: [] }],
        response: { 200: SessionView, ...errorResponses, 401: problem('no session cookie, or the session is over') },
      },
    },
    async (request, reply) => {
      const session = await app.sessionOf(request);
      if (!session) {
        if (request.headers.cookie?.includes('hc_session=')) app.clearSessionCookie(reply);
        throw new DomainError(ErrorCode.UNAUTHORIZED, 'not signed in, or the session is over: sign in again');
      }
      return { user: sessionUser(session.user), csrfToken: session.row.csrfToken };
    },
  );

  app.post(
    '/auth/logout',
    {
      // Public and idempotent: a live session's cookie (with its x-csrf-token) ends that session;
      // without one (none, over, or only an API key) there is nothing to end. The cookie is cleared either way.
      config: publicRoute,
      schema: {
        tags: ['sign-in'],
        summary: 'Sign out: ends the session of the hc_session cookie (send x-csrf-token) and clears the cookie; 204 also when there is none',
        security: [],
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await app.sessionOf(request);
      if (session) {
        requireCsrf(request, session.row.csrfToken);
        await logout(db, session.row, session.actor);
      }
      app.clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: publicRoute,
      schema: {
        tags: ['sign-in'],
        summary: 'Mail a one-time link to set a new password; 202 whether or not the email has an account',
        security: [],
        body: ResetRequestBody,
        response: { 202: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const started = await requestPasswordReset(db, temporal, app.authSettings, { email: request.body.email, ip: request.ip });
      // The answer may not tell whether the email has an account: a mailing Temporal refused is logged, not shown.
      if (started instanceof Error) request.log.warn({ err: started }, 'the password reset mail could not be started; the person may ask again');
      return reply.status(202).send(null);
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: publicRoute,
      schema: {
        tags: ['sign-in'],
        summary: 'Set a new password with the token of a mailed link (once); ends every session of the account',
        security: [],
        body: ResetConfirmBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(db, { token: request.body.token, password: request.body.password, ip: request.ip });
      return reply.status(204).send(null);
    },
  );
};
