import { Type, type Static } from 'typebox';
import { HAZARD_EVENT_TYPES, HAZARD_GRADES, HAZARD_SOURCES, HAZARD_STATES } from '../../domain/hazard';
import { INDUSTRY_CODES } from '../../domain/industries';
import { INT4_MAX, PageQuery, Person, SINGLE_LINE_PATTERN, SingleLine, Text } from './common';

/** A work item's number in its campaign's plan (the Datong plan's 1–48). */
export const WorkItemNo = Type.Integer({ minimum: 1, maximum: 10_000, description: "the plan's work item it falls under, by number (the campaign template's workLines[].items[].no)" });

/** Shaped like a duration here; read by the domain, which names what is wrong with it (422). */
const Duration = Type.String({ pattern: `^P${SINGLE_LINE_PATTERN.slice(1)}`, maxLength: 40, description: "ISO-8601 duration, e.g. P3D or PT30S; in a hazard's policy (a report's, a campaign template's) also working days, P3WD (China's public holidays and make-up working days, GET /v1/calendar)" });

/** Reminder offsets and the escalation step of a deadline (a hazard's, an enforcement order's); later layers override the defaults. */
export const PolicyOverride = Type.Object(
  {
    reminderOffsets: Type.Optional(Type.Array(Duration, { maxItems: 10 })),
    escalationAfter: Type.Optional(Duration),
    sendTime: Type.Optional(Type.String({ pattern: '^\\d{2}:\\d{2}$', maxLength: 5 })),
  },
  { additionalProperties: false },
);

export const TimeZone = Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$', description: 'IANA time zone, e.g. Asia/Shanghai' });

export const HazardReportBody = Type.Object(
  {
    enterpriseId: Type.Optional(Type.String({ format: 'uuid', description: 'required unless the caller is the enterprise itself' })),
    campaignId: Type.Optional(Type.String({ format: 'uuid', description: "the campaign it was found in; by default the running campaign covering the enterprise's county" })),
    workItem: Type.Optional(WorkItemNo),
    grade: Type.Enum(HAZARD_GRADES),
    source: Type.Optional(Type.Enum(HAZARD_SOURCES)),
    description: Text({ minLength: 1, maxLength: 2000 }),
    location: SingleLine({ minLength: 1, maxLength: 500 }),
    industry: Type.Optional(Type.Enum(INDUSTRY_CODES)),
    responsible: Person,
    measures: Text({ minLength: 1, maxLength: 4000 }),
    fundsAmount: Type.Number({ minimum: 0, maximum: 999_999_999_999, description: 'funds set aside, CNY (the ledger holds up to 12 integer digits)' }),
    deadline: SingleLine({ minLength: 4, maxLength: 40, description: 'YYYY-MM-DD (end of that day in timeZone), local YYYY-MM-DDTHH:mm, an ISO instant with offset, or working days P15WD (the end of the 15th working day after today in timeZone)' }),
    interimControls: Text({ minLength: 1, maxLength: 4000 }),
    principal: Type.Optional(Person),
    timeZone: Type.Optional(TimeZone),
    policy: Type.Optional(PolicyOverride),
  },
  { additionalProperties: false },
);
export type HazardReportBody = Static<typeof HazardReportBody>;

const Extension = Type.Object({ requestedDeadline: Type.String(), reason: Type.String(), requestedAt: Type.String(), requestedBy: Type.Object({ name: Type.String(), role: Type.String() }) });

export const HazardView = Type.Object(
  {
    id: Type.String(),
    workflowId: Type.String(),
    enterpriseId: Type.String(),
    countyCode: Type.String(),
    departmentCode: Type.String(),
    industry: Type.String(),
    grade: Type.Enum(HAZARD_GRADES),
    source: Type.Enum(HAZARD_SOURCES),
    state: Type.Enum(HAZARD_STATES),
    overdue: Type.Boolean(),
    escalated: Type.Boolean(),
    description: Type.String(),
    location: Type.String(),
    responsible: Type.Object({ name: Type.String(), email: Type.Union([Type.String(), Type.Null()]), phone: Type.Union([Type.String(), Type.Null()]) }),
    principal: Type.Object({ name: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]), phone: Type.Union([Type.String(), Type.Null()]) }),
    measures: Type.String(),
    fundsAmount: Type.Number(),
    deadline: Type.String({ format: 'date-time' }),
    deadlineVersion: Type.Integer(),
    interimControls: Type.String(),
    timeZone: Type.String(),
    policy: Type.Object({ reminderOffsets: Type.Array(Type.String()), escalationAfter: Type.String(), sendTime: Type.String() }),
    pendingExtension: Type.Union([Extension, Type.Null()]),
    campaignId: Type.Union([Type.String(), Type.Null()], { description: 'the campaign it counts towards, when any' }),
    workItem: Type.Union([Type.Integer(), Type.Null()], { description: "the campaign plan's work item it falls under, when linked" }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Hazard' },
);

export const LiveState = Type.Union([
  Type.Object({
    state: Type.Enum(HAZARD_STATES),
    overdue: Type.Boolean(),
    escalated: Type.Boolean(),
    deadline: Type.String(),
    deadlineVersion: Type.Integer(),
    rejections: Type.Integer(),
    extensions: Type.Integer(),
    nextEvent: Type.Union([Type.Object({ key: Type.String(), kind: Type.String(), atIso: Type.String() }), Type.Null()]),
  }),
  Type.Null(),
]);

export const TimelineEvent = Type.Object({
  seq: Type.Integer(),
  type: Type.Enum(HAZARD_EVENT_TYPES),
  fromState: Type.Union([Type.Enum(HAZARD_STATES), Type.Null()]),
  toState: Type.Enum(HAZARD_STATES),
  actor: Type.Object({
    name: Type.String(),
    role: Type.String(),
    scope: Type.Union([Type.String(), Type.Null()]),
    kind: Type.Optional(Type.Literal('user', { description: 'a person signed in (absent: an API key)' })),
    userId: Type.Optional(Type.String({ description: 'the person’s account id' })),
  }),
  data: Type.Record(Type.String(), Type.Unknown()),
  at: Type.String({ format: 'date-time' }),
});

export const HazardDetail = Type.Object({ hazard: Type.Ref('Hazard'), live: LiveState, timeline: Type.Array(TimelineEvent) });
export const HazardCommandResult = Type.Object({ hazard: Type.Ref('Hazard'), live: LiveState });

export const HazardListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(HAZARD_STATES)),
    grade: Type.Optional(Type.Enum(HAZARD_GRADES)),
    overdue: Type.Optional(Type.Boolean()),
    enterpriseId: Type.Optional(Type.String({ format: 'uuid' })),
    county: Type.Optional(SingleLine({ maxLength: 64 })),
    industry: Type.Optional(Type.Enum(INDUSTRY_CODES)),
    department: Type.Optional(SingleLine({ maxLength: 64 })),
    campaignId: Type.Optional(Type.String({ format: 'uuid' })),
    workItem: Type.Optional(WorkItemNo),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const HazardList = Type.Object({ items: Type.Array(Type.Ref('Hazard')), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const Attachment = Type.Object(
  {
    name: SingleLine({ minLength: 1, maxLength: 255 }),
    contentType: Type.Optional(SingleLine({ maxLength: 100 })),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: INT4_MAX, description: 'bytes (up to 2 GiB)' })),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', maxLength: 64 })),
    url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const Reason = Text({ minLength: 1, maxLength: 2000 });
const Note = Type.Optional(Text({ maxLength: 2000 }));
const Instant = SingleLine({ minLength: 10, maxLength: 40, description: 'YYYY-MM-DD (end of that day in the hazard zone), local date-time, or instant with offset' });

export const CommandBodies = {
  listForSupervision: Type.Object({ note: Note }, { additionalProperties: false }),
  submitRectification: Type.Object({ evidence: Text({ minLength: 1, maxLength: 8000 }), attachments: Type.Optional(Type.Array(Attachment, { maxItems: 50 })) }, { additionalProperties: false }),
  decideVerification: Type.Object({ decision: Type.Enum(['ACCEPT', 'REJECT']), reason: Type.Optional(Reason) }, { additionalProperties: false }),
  close: Type.Object({ note: Note }, { additionalProperties: false }),
  requestExtension: Type.Object({ requestedDeadline: Instant, reason: Reason }, { additionalProperties: false }),
  decideExtension: Type.Object({ decision: Type.Enum(['APPROVE', 'REFUSE']), deadline: Type.Optional(Instant), reason: Type.Optional(Reason) }, { additionalProperties: false }),
  withdraw: Type.Object({ reason: Reason }, { additionalProperties: false }),
} as const;

export const WorkItemLinkBody = Type.Object(
  { workItem: Type.Union([WorkItemNo, Type.Null()], { description: 'the work item, or null to unlink' }) },
  { additionalProperties: false },
);
