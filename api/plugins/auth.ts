// Bearer API keys with a role and a scope. Every route but /health and /docs needs one;
// routes then check what the actor may see (an enterprise never sees another's data).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, ErrorCode } from '../../domain/errors';
import type { Actor, Role } from '../../domain/hazard';
import type { Db } from '../../db/client';
import { KeyIndex, type KeyIndexOptions } from './key-index';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    /** The in-memory index of active API keys: routes that create or revoke keys update it at once. */
    keyIndex: KeyIndex;
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
  async (app: FastifyInstance, opts: { db: Db; keys?: KeyIndexOptions }) => {
    // Every active key is held in memory (see key-index.ts): unknown tokens never reach the database.
    const index = new KeyIndex(opts.db, opts.keys);
    await index.refresh();
    const timer = setInterval(() => {
      index.refresh().catch((err: unknown) => app.log.warn({ err }, 'API key index refresh failed; keeping the last one'));
    }, index.refreshMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
    app.decorate('keyIndex', index);
    app.decorateRequest('actor', null as unknown as Actor);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config?.public || request.url.startsWith('/docs')) return;
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match) throw new DomainError(ErrorCode.UNAUTHORIZED, 'send an API key as Authorization: Bearer <key>');
      const actor = await index.resolve(match[1]!);
      if (!actor) throw new DomainError(ErrorCode.UNAUTHORIZED, 'unknown, revoked or expired API key');
      request.actor = actor;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
