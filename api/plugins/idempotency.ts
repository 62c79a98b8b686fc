// Idempotency-Key on the write routes that opt in (`config: { idempotent: true }`): the same key
// with the same body answers what the first request answered (header idempotent-replayed), with
// another body 422, and while the first is still running 409. Of concurrent requests with one
// key exactly one runs (one insert claims it). A request that fails on our side (5xx, 503)
// releases its key, so its retry runs again; handlers derive update IDs and business keys from
// the key, so a retry after a crash finds what the first attempt made.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../../db/idempotency.repo';
import type { Db } from '../../db/client';
import { DomainError, ErrorCode } from '../../domain/errors';
import type { Actor } from '../../domain/hazard';
import { requestHash } from '../../services/hazard-report';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honour the Idempotency-Key header on this route. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** The Idempotency-Key this request holds, scoped to its caller; undefined without one. */
    idempotencyKey?: string;
  }
}

/** Past this, a claim whose request never answered (a crashed process) is taken over by a retry. */
const LEASE_MS = 120_000;

/** A caller's key: the same string from two callers never collides. */
export const idempotencyScope = (actor: Actor, key: string | undefined): string | undefined =>
  key === undefined ? undefined : `${actor.role}:${actor.scope ?? actor.keyId}:${key}`;

const headerKey = (request: FastifyRequest): string | undefined => {
  const raw = request.headers['idempotency-key'];
  return typeof raw === 'string' && raw.length > 0 ? raw : undefined;
};

export default fp(
  async (app: FastifyInstance, opts: { db: Db }) => {
    app.addHook('preHandler', async (request, reply) => {
      if (!request.routeOptions.config?.idempotent) return;
      const scoped = idempotencyScope(request.actor, headerKey(request));
      if (!scoped) return;
      const target = `${request.method} ${request.url}`;
      const hash = requestHash({ target, body: request.body ?? null });
      const claim = await claimIdempotencyKey(opts.db, { ownerKeyId: request.actor.keyId, key: scoped, target, requestHash: hash }, LEASE_MS);
      if (claim.claimed) {
        // Set only on the request that holds the key: onSend records its answer.
        request.idempotencyKey = scoped;
        return;
      }
      const r = claim.record;
      if (r.target !== target || r.requestHash !== hash) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for another request', [{ field: 'Idempotency-Key', reason: 'already used with another body or URL' }]);
      }
      if (r.status === 'IN_PROGRESS') {
        reply.header('retry-after', '2');
        throw new DomainError(ErrorCode.CONFLICT, 'a request with this Idempotency-Key is still running; retry shortly to get its answer', [{ field: 'Idempotency-Key', reason: 'in use by a request that has not answered yet' }]);
      }
      reply.header('idempotent-replayed', 'true');
      // A replayed refusal is the same problem document, so it keeps its media type.
      if ((r.responseStatus ?? 200) >= 400) reply.type('application/problem+json');
      return reply.status(r.responseStatus ?? 200).send(r.responseBody);
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (!request.idempotencyKey) return payload;
      if (reply.statusCode >= 500) {
        await releaseIdempotencyKey(opts.db, request.actor.keyId, request.idempotencyKey);
        return payload;
      }
      let body: unknown = null;
      try {
        body = typeof payload === 'string' ? JSON.parse(payload) : null;
      } catch {
        body = null;
      }
      await completeIdempotencyKey(opts.db, request.actor.keyId, request.idempotencyKey, { status: reply.statusCode, body });
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['auth', 'errors'] },
);
