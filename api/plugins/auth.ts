// Who is calling: a Bearer API key (portals, scripts), or a person signed in with the `hc_session`
// cookie (the console). Both give the same principal (role and scope), so every route's scope
// rules apply alike. Unsafe methods sent with the cookie need the session's CSRF token in
// `x-csrf-token` (SameSite=Strict is the first defence; the token the second): a key needs none.
// Every route but /health, /docs and the sign-in routes needs one or the other.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_AUTH, type AuthSettings } from '../../config';
import { DomainError, ErrorCode } from '../../domain/errors';
import type { Actor, Role } from '../../domain/hazard';
import type { Db } from '../../db/client';
import type { SessionRow, UserRow } from '../../db/users.repo';
import { resolveSession } from '../../services/auth.service';
import { KeyIndex, type KeyIndexOptions } from './key-index';

export const SESSION_COOKIE = 'hc_session';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The value of one cookie in a Cookie header (RFC 6265 syntax; the first of that name wins). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** Set-Cookie for a session token (or, with null, one that clears it). */
export function sessionCookie(token: string | null, settings: Pick<AuthSettings, 'secureCookie' | 'sessionAbsoluteSeconds'>): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${token === null ? 0 : settings.sessionAbsoluteSeconds}`, ...(settings.secureCookie ? ['Secure'] : [])];
  return [`${SESSION_COOKIE}=${token ?? ''}`, ...attrs].join('; ');
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** An unsafe request made with the session cookie carries the session's CSRF token, or is refused (403 naming the header). */
export function requireCsrf(request: FastifyRequest, csrfToken: string): void {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sameText(sent, csrfToken)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `a ${request.method} with the session cookie needs the session's CSRF token in ${CSRF_HEADER}`, [{ field: CSRF_HEADER, reason: 'missing or not this session’s token' }]);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** Set when the caller is a person signed in with the session cookie (null for an API key). */
    session: { row: SessionRow; user: UserRow } | null;
  }
  interface FastifyInstance {
    /** The in-memory index of active API keys: routes that create or revoke keys update it at once. */
    keyIndex: KeyIndex;
    /** Sign-in settings (lockout, session lifetimes, cookie flags). */
    authSettings: AuthSettings;
    /** The live session of the request's cookie, whatever the route (the sign-in routes are public and look themselves). */
    sessionOf(request: FastifyRequest): Promise<{ row: SessionRow; user: UserRow; actor: Actor } | null>;
    /** Clears the session cookie on this reply. */
    clearSessionCookie(reply: FastifyReply): void;
  }
  interface FastifyContextConfig {
    /** No API key needed (health, docs). */
    public?: boolean;
  }
}

export function requireRole(request: FastifyRequest, ...roles: Role[]): Actor {
  if (!roles.includes(request.actor.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `this needs one of the roles: ${roles.join(', ')}`);
  }
  return request.actor;
}

/** A caller set a field its role may not set: 403 naming the field, before anything changes. */
export function forbidFields(actor: Actor, fields: { field: string; reason: string }[]): void {
  if (fields.length > 0) throw new DomainError(ErrorCode.FORBIDDEN, `a ${actor.role} key may not set ${fields.map((f) => f.field).join(', ')}`, fields);
}

export default fp(
  async (app: FastifyInstance, opts: { db: Db; keys?: KeyIndexOptions; auth?: Partial<AuthSettings> }) => {
    const settings: AuthSettings = { ...DEFAULT_AUTH, ...opts.auth };
    // Every active key is held in memory (see key-index.ts): unknown tokens never reach the database.
    const index = new KeyIndex(opts.db, opts.keys);
    await index.refresh();
    const timer = setInterval(() => {
      index.refresh().catch((err: unknown) => app.log.warn({ err }, 'API key index refresh failed; keeping the last one'));
    }, index.refreshMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
    app.decorate('keyIndex', index);
    app.decorate('authSettings', settings);
    const sessionOf = async (request: FastifyRequest) => {
      const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
      if (!token) return null;
      const found = await resolveSession(opts.db, settings, token);
      return found ? { row: found.session, user: found.user, actor: found.actor } : null;
    };
    app.decorate('sessionOf', sessionOf);
    app.decorate('clearSessionCookie', (reply: FastifyReply) => void reply.header('set-cookie', sessionCookie(null, settings)));
    app.decorateRequest('actor', null as unknown as Actor);
    app.decorateRequest('session', null);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config?.public || request.url.startsWith('/docs')) return;
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (match) {
        const actor = await index.resolve(match[1]!);
        if (!actor) throw new DomainError(ErrorCode.UNAUTHORIZED, 'unknown, revoked or expired API key');
        request.actor = actor;
        return;
      }
      if (header || cookieValue(request.headers.cookie, SESSION_COOKIE) === undefined) {
        throw new DomainError(ErrorCode.UNAUTHORIZED, 'send an API key as Authorization: Bearer <key>, or sign in (POST /v1/auth/login) and send the session cookie');
      }
      const session = await sessionOf(request);
      if (!session) {
        reply.header('set-cookie', sessionCookie(null, settings));
        throw new DomainError(ErrorCode.UNAUTHORIZED, 'the session is over (signed out, timed out or the account disabled): sign in again');
      }
      if (UNSAFE.has(request.method)) requireCsrf(request, session.row.csrfToken);
      request.actor = session.actor;
      request.session = { row: session.row, user: session.user };
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
