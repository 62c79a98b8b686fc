// Portal events (the feed) and webhook endpoints and deliveries: request and response shapes.
import { Type } from 'typebox';
import { CURSOR_PATTERN, EVENT_TYPE_PATTERN } from '../../domain/webhooks';
import { PageQuery, Text } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });
const EventType = Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 80, description: '`<stream>.<ledger type>` (e.g. `hazard.CLOSED`), or `<stream>.*` for a whole stream' });
const TYPES_LIST = `^(${EVENT_TYPE_PATTERN.slice(1, -1)})(,(${EVENT_TYPE_PATTERN.slice(1, -1)})){0,49}$`;

export const PortalEvent = Type.Object(
  {
    id: Type.String({ description: '`evt_<n>`: stable, the `webhook-id` of its deliveries' }),
    cursor: Type.String({ description: 'the feed position of this event: pass it as `after` to read what follows' }),
    type: Type.String({ description: '`<stream>.<ledger type>`: hazard.REGISTERED, hazard.REMINDER_SENT, hazard.OVERDUE, hazard.ESCALATED, hazard.CLOSED, duty.DUTY_MISSED, case.OPENED, order.ISSUED, …' }),
    occurredAt: Instant,
    recordedAt: Instant,
    subject: Type.Object({
      stream: Type.String({ description: 'hazard, case, order or duty' }),
      id: Type.String({ description: "the hazard's, case's or order's id; a duty's `<obligation>/<duty key>`" }),
      seq: Type.Integer({ description: "the step's number in its workflow: per subject, events come in this order" }),
    }),
    campaignId: Nullable(Type.String()),
    enterpriseId: Nullable(Type.String()),
    countyCode: Nullable(Type.String()),
    departmentCode: Nullable(Type.String()),
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'a small payload: states before and after, the actor role, and the ledger data when under 4 KiB (else `{ truncated: true }`: read the record)' }),
  },
  { $id: 'PortalEvent' },
);

export const FeedQuery = Type.Object(
  {
    after: Type.Optional(Type.String({ pattern: CURSOR_PATTERN, maxLength: 40, description: 'the `nextCursor` (or an event `cursor`) already read; absent: from the beginning' })),
    types: Type.Optional(Type.String({ pattern: TYPES_LIST, maxLength: 2000, description: 'comma-separated event types or `<stream>.*`' })),
    limit: PageQuery.limit,
  },
  { additionalProperties: false },
);

export const FeedPage = Type.Object({
  items: Type.Array(Type.Ref('PortalEvent')),
  nextCursor: Type.String({ description: 'pass as `after` for the next page; the same cursor when nothing new has settled' }),
});

const EndpointFields = {
  url: Type.String({ format: 'uri', pattern: '^https?://', minLength: 8, maxLength: 2000, description: 'http(s) URL the events are POSTed to; private and loopback addresses are refused unless the configuration allows them' }),
  description: Type.Optional(Text({ maxLength: 500 })),
  eventTypes: Type.Optional(Type.Array(EventType, { maxItems: 50, description: 'the types delivered; empty or absent: every type' })),
  contactEmail: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: "mailed when the endpoint is disabled after failures (else the creating key's mailbox, else the office)" })),
};

export const EndpointCreateBody = Type.Object(EndpointFields, { additionalProperties: false });

export const EndpointPatchBody = Type.Object(
  {
    url: Type.Optional(EndpointFields.url),
    description: EndpointFields.description,
    eventTypes: EndpointFields.eventTypes,
    contactEmail: EndpointFields.contactEmail,
    enabled: Type.Optional(Type.Boolean({ description: 'true resumes delivery at the first event not delivered; false pauses it' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RotationBody = Type.Object(
  { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800, default: 86_400, description: 'how long the old secret still signs (a second signature) beside the new one' })) },
  { additionalProperties: false },
);

export const EndpointView = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    description: Nullable(Type.String()),
    eventTypes: Type.Array(Type.String()),
    owner: Type.Object({ role: Type.String(), scope: Nullable(Type.String()), name: Type.String() }, { description: 'the key that created it: its role and scope are what the endpoint may receive' }),
    contactEmail: Nullable(Type.String()),
    enabled: Type.Boolean(),
    disabledReason: Nullable(Type.String()),
    disabledAt: Nullable(Instant),
    previousSecretExpiresAt: Nullable(Instant),
    createdAt: Instant,
    updatedAt: Instant,
  },
  { $id: 'WebhookEndpoint' },
);

export const EndpointWithSecret = Type.Object({
  endpoint: Type.Ref('WebhookEndpoint'),
  secret: Type.String({ description: 'the Standard Webhooks signing secret (`whsec_…`): shown this once' }),
});

export const EndpointList = Type.Object({ items: Type.Array(Type.Ref('WebhookEndpoint')), nextCursor: Nullable(Type.String()) });

export const EndpointListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export const DeliveryView = Type.Object(
  {
    id: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')]),
    attempts: Type.Integer(),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    latencyMs: Nullable(Type.Integer({ description: 'of the last attempt' })),
    firstAttemptAt: Nullable(Instant),
    lastAttemptAt: Nullable(Instant),
    deliveredAt: Nullable(Instant),
    replays: Type.Integer(),
  },
  { $id: 'WebhookDelivery' },
);

export const DeliveryListQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(Type.Union([Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')])) },
  { additionalProperties: false },
);

export const DeliveryList = Type.Object({ items: Type.Array(Type.Ref('WebhookDelivery')), nextCursor: Nullable(Type.String()) });

export const DeliveryParams = Type.Object({ id: Type.String({ format: 'uuid' }), deliveryId: Type.String({ format: 'uuid' }) });

export const ReplayAccepted = Type.Object({ delivery: Type.Ref('WebhookDelivery'), replay: Type.Object({ requested: Type.Boolean({ description: 'false: Temporal did not take the request now; ask again' }) }) });

export const webhookSchemas = [PortalEvent, EndpointView, DeliveryView];
