// Bearer API keys with a role and a scope. Every route but /health and /docs needs one;
// routes then check what the actor may see (an enterprise never sees another's data).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findActiveKey, hashKey } from '../../db/reference.repo';
import { DomainError, ErrorCode } from '../../domain/errors';
import type { Actor, Role } from '../../domain/hazard';
import type { Db } from '../../db/client';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** No API key needed (health, docs). */
    public?: boolean;
  }
}

const CACHE_MS = 10_000;

export function requireRole(request: FastifyRequest, ...roles: Role[]): Actor {
  if (!roles.includes(request.actor.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `this needs one of the roles: ${roles.join(', ')}`);
  }
  return request.actor;
}

export default fp(
  async (app: FastifyInstance, opts: { db: Db }) => {
    // A short cache spares a database round trip per request; revocation takes effect within CACHE_MS.
    const cache = new Map<string, { actor: Actor | null; until: number }>();
    app.decorateRequest('actor', null as unknown as Actor);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config?.public || request.url.startsWith('/docs')) return;
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match) throw new DomainError(ErrorCode.UNAUTHORIZED, 'send an API key as Authorization: Bearer <key>');
      const hash = hashKey(match[1]!);
      let hit = cache.get(hash);
      if (!hit || hit.until < Date.now()) {
        const key = await findActiveKey(opts.db, hash);
        hit = { actor: key ? { keyId: key.id, role: key.role, scope: key.scope, name: key.name } : null, until: Date.now() + CACHE_MS };
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, hit);
      }
      if (!hit.actor) throw new DomainError(ErrorCode.UNAUTHORIZED, 'unknown or revoked API key');
      request.actor = hit.actor;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
