// Enterprise portals (issue 14): the event feed, webhook endpoints (secret shown once, rotation with
// an overlap), their delivery log and replays. Any key may use them for its own scope: an endpoint
// receives, and the feed lists, exactly the events its key may see (db/scope.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { isCursor } from '../../db/pagination';
import {
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  markReplayRequested,
  portalEventView,
  readFeed,
  rotateEndpointSecret,
  updateEndpoint,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../../db/portal.repo';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import type { Actor } from '../../domain/hazard';
import { decodeCursor as decodeFeedCursor, encodeCursor as encodeFeedCursor, eventId, endpointUrlRefusal, type TargetPolicy } from '../../domain/webhooks';
import type { TemporalTarget } from '../../services/temporal';
import { newWebhookSecret, registerEndpoint, requestReplay, wakeEndpoint, type WebhookSettings } from '../../services/webhook.service';
import { decodeCursor, encodeCursor, errorResponses, IdParams } from '../schemas/common';
import {
  DeliveryList,
  DeliveryListQuery,
  DeliveryParams,
  EndpointCreateBody,
  EndpointList,
  EndpointListQuery,
  EndpointPatchBody,
  EndpointWithSecret,
  FeedPage,
  FeedQuery,
  ReplayAccepted,
  RotationBody,
} from '../schemas/webhooks';

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function endpointView(e: WebhookEndpointRow) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    owner: { role: e.owner.role, scope: e.owner.scope, name: e.owner.name },
    contactEmail: e.contactEmail,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    disabledAt: iso(e.disabledAt),
    previousSecretExpiresAt: e.previousSecret ? iso(e.previousSecretExpiresAt) : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function deliveryView(d: WebhookDeliveryRow) {
  return {
    id: d.id,
    eventId: eventId(d.eventSeq),
    eventType: d.eventType,
    status: d.status as 'PENDING' | 'DELIVERED' | 'FAILED',
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    latencyMs: d.latencyMs,
    firstAttemptAt: iso(d.firstAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    deliveredAt: iso(d.deliveredAt),
    replays: d.replays,
  };
}

const isSeqCursor = (v: unknown): v is { seq: number } => typeof v === 'object' && v !== null && Number.isSafeInteger((v as { seq: unknown }).seq) && (v as { seq: number }).seq > 0;

export interface WebhookRouteDeps {
  db: Db;
  temporal: TemporalTarget;
  webhooks: WebhookSettings & { targets: TargetPolicy };
}

export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRouteDeps> = async (app, { db, temporal, webhooks }) => {
  async function visibleEndpoint(actor: Actor, id: string): Promise<WebhookEndpointRow> {
    const e = await getEndpoint(db, actor, id);
    if (!e) throw new DomainError(ErrorCode.NOT_FOUND, 'webhook endpoint not found');
    return e;
  }

  function checkUrl(url: string | undefined): void {
    const reason = url === undefined ? null : endpointUrlRefusal(url, webhooks.targets);
    if (reason) throw new DomainError(ErrorCode.VALIDATION_FAILED, `url: ${reason}`, [{ field: 'url', reason }]);
  }

  app.get(
    '/events',
    {
      schema: {
        tags: ['portals'],
        summary: 'The event feed: the ledger events the caller may see, in order, after a cursor (keyset pages)',
        description:
          'Events are listed once their transaction is older than every running one, so a reader that resumes after `nextCursor` never misses one committed late. ' +
          'Per subject (`subject.id`) events come in their ledger order (`subject.seq`). The same events, scoped the same way, are what webhooks deliver.',
        querystring: FeedQuery,
        response: { 200: FeedPage, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const after = q.after === undefined ? null : decodeFeedCursor(q.after);
      if (q.after !== undefined && after === null) throw invalidInput([{ field: 'querystring.after', reason: 'not a cursor this API returned' }]);
      const rows = await readFeed(db, request.actor, { after, types: q.types ? q.types.split(',') : [], limit: q.limit ?? 50 });
      const last = rows.at(-1);
      return { items: rows.map(portalEventView), nextCursor: last ? encodeFeedCursor({ xid: last.xid, seq: last.seq }) : (q.after ?? '0.0') };
    },
  );

  app.post(
    '/webhook-endpoints',
    {
      schema: {
        tags: ['portals'],
        summary: "Register a webhook endpoint for the caller's scope; the signing secret is in this answer only",
        description:
          'Each event the key may see (and the endpoint subscribed to) is POSTed as JSON, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), in feed order, ' +
          'retried with exponential backoff for about three days; then the endpoint is disabled and its contact mailed. Delivery starts with the events settling from now on.',
        body: EndpointCreateBody,
        response: { 201: EndpointWithSecret, ...errorResponses },
      },
    },
    async (request, reply) => {
      checkUrl(request.body.url);
      const { row, deferred } = await registerEndpoint(db, temporal, webhooks, request.actor, request.body);
      if (deferred) request.log.warn({ err: deferred, endpointId: row.id }, 'webhook workflow start deferred to the waker');
      return reply.status(201).send({ endpoint: endpointView(row), secret: row.secret });
    },
  );

  app.get(
    '/webhook-endpoints',
    {
      schema: {
        tags: ['portals'],
        summary: "The caller's webhook endpoints (admin and the office: all), newest first",
        querystring: EndpointListQuery,
        response: { 200: EndpointList, ...errorResponses },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, isCursor);
      if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
      const limit = request.query.limit ?? 50;
      const rows = await listEndpoints(db, request.actor, { limit, cursor: after });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items: items.map(endpointView), nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null };
    },
  );

  app.get(
    '/webhook-endpoints/:id',
    { schema: { tags: ['portals'], summary: 'One webhook endpoint (no secret)', params: IdParams, response: { 200: Type.Ref('WebhookEndpoint'), ...errorResponses } } },
    async (request) => endpointView(await visibleEndpoint(request.actor, request.params.id)),
  );

  app.patch(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags: ['portals'],
        summary: 'Change the URL, types, description or contact; `enabled: true` resumes delivery at the first event not delivered, `false` pauses it',
        params: IdParams,
        body: EndpointPatchBody,
        response: { 200: Type.Ref('WebhookEndpoint'), ...errorResponses },
      },
    },
    async (request) => {
      await visibleEndpoint(request.actor, request.params.id);
      checkUrl(request.body.url);
      const row = await updateEndpoint(db, request.params.id, request.body);
      if (!row) throw new DomainError(ErrorCode.NOT_FOUND, 'webhook endpoint not found');
      await wakeEndpoint(temporal, webhooks, row.id).catch((err: unknown) => request.log.warn({ err, endpointId: row.id }, 'webhook wake deferred to the poll'));
      return endpointView(row);
    },
  );

  app.delete(
    '/webhook-endpoints/:id',
    {
      schema: { tags: ['portals'], summary: 'Delete a webhook endpoint: nothing more is delivered; its delivery log stays', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      await visibleEndpoint(request.actor, request.params.id);
      await deleteEndpoint(db, request.params.id);
      // Woken, its workflow sees the endpoint gone and ends.
      await temporal.client.workflow
        .getHandle(`webhook:${request.params.id}`)
        .signal('wakeWebhook')
        .catch(() => undefined);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/webhook-endpoints/:id/secret-rotation',
    {
      schema: {
        tags: ['portals'],
        summary: 'Rotate the signing secret: the new one is in this answer only; the old one keeps signing beside it (two signatures) for `overlapSeconds` (default a day)',
        params: IdParams,
        body: RotationBody,
        response: { 200: EndpointWithSecret, ...errorResponses },
      },
    },
    async (request) => {
      await visibleEndpoint(request.actor, request.params.id);
      const overlap = request.body.overlapSeconds ?? 86_400;
      const row = await rotateEndpointSecret(db, request.params.id, newWebhookSecret(), new Date(Date.now() + overlap * 1000));
      if (!row) throw new DomainError(ErrorCode.NOT_FOUND, 'webhook endpoint not found');
      return { endpoint: endpointView(row), secret: row.secret };
    },
  );

  app.get(
    '/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags: ['portals'],
        summary: "The endpoint's delivery log, newest event first: status, attempts, last status code and error, latency",
        params: IdParams,
        querystring: DeliveryListQuery,
        response: { 200: DeliveryList, ...errorResponses },
      },
    },
    async (request) => {
      await visibleEndpoint(request.actor, request.params.id);
      const before = decodeCursor(request.query.cursor, isSeqCursor);
      if (before === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
      const limit = request.query.limit ?? 50;
      const rows = await listDeliveries(db, request.params.id, { limit, beforeSeq: before?.seq, status: request.query.status });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items: items.map(deliveryView), nextCursor: rows.length > limit && last ? encodeCursor({ seq: last.eventSeq }) : null };
    },
  );

  app.post(
    '/webhook-endpoints/:id/deliveries/:deliveryId/replay',
    {
      schema: {
        tags: ['portals'],
        summary: 'Send a delivered or failed event again (same webhook-id), a few quick attempts; its outcome shows on the log',
        params: DeliveryParams,
        response: { 202: ReplayAccepted, ...errorResponses },
      },
    },
    async (request, reply) => {
      const endpoint = await visibleEndpoint(request.actor, request.params.id);
      const delivery = await getDelivery(db, endpoint.id, request.params.deliveryId);
      if (!delivery) throw new DomainError(ErrorCode.NOT_FOUND, 'delivery not found');
      if (!endpoint.enabled) throw new DomainError(ErrorCode.CONFLICT, 'the endpoint is disabled: enable it first', [{ field: 'enabled', reason: 'is false' }]);
      const requested = await requestReplay(temporal, webhooks, endpoint.id, delivery.eventSeq).then(
        () => true,
        (err: unknown) => (request.log.warn({ err, endpointId: endpoint.id }, 'webhook replay not taken'), false),
      );
      const row = requested ? ((await markReplayRequested(db, delivery.id)) ?? delivery) : delivery;
      return reply.status(202).send({ delivery: deliveryView(row), replay: { requested } });
    },
  );
};
