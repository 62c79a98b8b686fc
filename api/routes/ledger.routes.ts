// What the office reads off the ledger besides hazards: the mail sent, the accountability reviews.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, eq, isNotNull, notInArray } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { visibleTo } from '../../db/hazards.repo';
import { after, isCursor, newestFirst, toPage } from '../../db/pagination';
import { accountabilityReviews, hazards, notifications } from '../../db/schema';
import { DomainError, ErrorCode } from '../../domain/errors';
import { NOTIFICATION_STATUSES } from '../../domain/delivery';
import { NOTIFICATION_KINDS } from '../../domain/hazard';
import { REGULATOR_ONLY_MAIL } from '../../domain/access';
import { DUTY_NOTIFICATION_KINDS } from '../../domain/campaign';
import { PASSWORD_RESET_KIND } from '../../domain/accounts';
import { requireRole } from '../plugins/auth';
import { decodeCursor, encodeCursor, errorResponses, PageQuery } from '../schemas/common';

const NotificationView = Type.Object({
  id: Type.String(),
  businessKey: Type.String(),
  hazardId: Type.Union([Type.String(), Type.Null()]),
  campaignId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  deadlineVersion: Type.Union([Type.Integer(), Type.Null()]),
  recipients: Type.Array(Type.String()),
  subject: Type.String(),
  bodyText: Type.String(),
  locale: Type.String(),
  messageId: Type.String(),
  status: Type.Enum(NOTIFICATION_STATUSES, { description: 'PENDING while being sent or retried; SENT; PARTIALLY_SENT (some recipients refused it for good); FAILED; SKIPPED (no address)' }),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredTo: Type.Array(Type.String(), { description: 'recipients the mail server accepted' }),
  failedRecipients: Type.Array(Type.Object({ address: Type.String(), reason: Type.String(), permanent: Type.Boolean() }), { description: 'recipients refused, with the server’s answer; permanent ones are not retried' }),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const ReviewView = Type.Object({
  id: Type.String(),
  hazardId: Type.String(),
  deadlineVersion: Type.Integer(),
  reason: Type.String(),
  status: Type.String(),
  openedAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});


const badCursor = () => new DomainError(ErrorCode.VALIDATION_FAILED, 'bad cursor', [{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
const iso = (d: Date | null) => d?.toISOString() ?? null;

export const ledgerRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The outbox: every notification written, with its status (the office sees all; others the mail of hazards they may see)',
        querystring: Type.Object({ hazardId: Type.Optional(Type.String({ format: 'uuid' })), campaignId: Type.Optional(Type.String({ format: 'uuid' })), kind: Type.Optional(Type.Enum([...NOTIFICATION_KINDS, ...DUTY_NOTIFICATION_KINDS])), status: Type.Optional(Type.Enum(NOTIFICATION_STATUSES)), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(NotificationView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const office = request.actor.role === 'admin' || request.actor.role === 'office';
      const cursor = decodeCursor(q.cursor, isCursor);
      if (cursor === null) throw badCursor();
      const limit = q.limit ?? 50;
      const rows = await db
        .select({ n: notifications })
        .from(notifications)
        // The office sees every mail (campaign duties too); others only the mail of hazards they may see.
        .leftJoin(hazards, eq(hazards.id, notifications.hazardId))
        .where(
          and(
            office ? undefined : and(isNotNull(notifications.hazardId), visibleTo(request.actor)),
            // Mail addressed only to regulators (the report to the department, the escalation to the office) is not the enterprise's to read.
            request.actor.role === 'enterprise' ? notInArray(notifications.kind, [...REGULATOR_ONLY_MAIL]) : undefined,
            q.hazardId ? eq(notifications.hazardId, q.hazardId) : undefined,
            q.campaignId ? eq(notifications.campaignId, q.campaignId) : undefined,
            q.kind ? eq(notifications.kind, q.kind) : undefined,
            q.status ? eq(notifications.status, q.status) : undefined,
            after(notifications.createdAt, notifications.id, cursor),
          ),
        )
        .orderBy(...newestFirst(notifications.createdAt, notifications.id))
        .limit(limit + 1);
      const page = toPage(rows.map((r) => r.n), limit);
      // A reset mail's body holds a live sign-in link: whoever reads the outbox may not use it.
      const shown = (n: (typeof page.items)[number]) => (n.kind === PASSWORD_RESET_KIND ? { ...n, bodyText: '(a one-time password reset link: not shown)' } : n);
      return { items: page.items.map((n) => ({ ...shown(n), createdAt: n.createdAt.toISOString(), sentAt: iso(n.sentAt) })), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.get(
    '/accountability-reviews',
    {
      schema: {
        tags: ['accountability'],
        summary: 'Hazards raised for accountability review (追责问责) when left unrectified past their escalation step',
        querystring: Type.Object({ hazardId: Type.Optional(Type.String({ format: 'uuid' })), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(ReviewView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin', 'office', 'department', 'county', 'reviewer');
      const q = request.query;
      const cursor = decodeCursor(q.cursor, isCursor);
      if (cursor === null) throw badCursor();
      const limit = q.limit ?? 50;
      const rows = await db
        .select({ r: accountabilityReviews })
        .from(accountabilityReviews)
        .innerJoin(hazards, eq(hazards.id, accountabilityReviews.hazardId))
        .where(and(visibleTo(request.actor), q.hazardId ? eq(accountabilityReviews.hazardId, q.hazardId) : undefined, after(accountabilityReviews.createdAt, accountabilityReviews.id, cursor)))
        .orderBy(...newestFirst(accountabilityReviews.createdAt, accountabilityReviews.id))
        .limit(limit + 1);
      const page = toPage(rows.map((r) => r.r), limit);
      return { items: page.items.map((r) => ({ ...r, openedAt: r.openedAt.toISOString(), createdAt: r.createdAt.toISOString() })), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
};
