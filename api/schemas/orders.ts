// Enforcement orders against enterprises and gas over-limit records: request and response shapes.
import { Type } from 'typebox';
import { ORDER_KINDS, ORDER_STATUSES, type OrderCommand } from '../../domain/enforcement';
import { PageQuery, SingleLine, Text } from './common';
import { PolicyOverride, TimeZone } from './hazards';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Email = Type.String({ format: 'email', maxLength: 254 });
const Money = Type.Number({ minimum: 0, maximum: 999_999_999_999, description: 'CNY' });
const Penalty = { text: Text({ minLength: 1, maxLength: 500, description: 'the penalty as decided, e.g. 罚款 or 警告' }), amount: Type.Optional(Money) };

export const OrderIssueBody = Type.Object(
  {
    kind: Type.Enum(ORDER_KINDS, { description: 'RECTIFICATION 限期整改, SUSPENSION 停产整顿, CLOSURE 关闭取缔, JOINT_DISCIPLINE 联合惩戒' }),
    legalBasis: Text({ minLength: 1, maxLength: 1000, description: '法律依据' }),
    reason: Text({ minLength: 1, maxLength: 2000 }),
    hazardIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 50, description: "the enterprise's hazards the order is about" })),
    caseId: Type.Optional(Type.String({ format: 'uuid', description: 'the accountability case the order belongs to' })),
    deadline: Type.Optional(SingleLine({ minLength: 10, maxLength: 40, description: 'RECTIFICATION only (required): YYYY-MM-DD (end of that day in timeZone), local YYYY-MM-DDTHH:mm, or an ISO instant with offset' })),
    timeZone: Type.Optional(TimeZone),
    policy: Type.Optional(PolicyOverride),
    conditions: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: 500 }), { maxItems: 20, description: 'SUSPENSION only (required): the conditions to lift it' })),
    closedOn: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description: 'CLOSURE only (required): the date of the closure, YYYY-MM-DD' })),
    doublePenalty: Type.Optional(
      Type.Object(
        {
          enterprise: Type.Object(Penalty, { additionalProperties: false }),
          principal: Type.Object({ name: Type.Optional(SingleLine({ minLength: 1, maxLength: 100, description: "the roster's principal when omitted" })), ...Penalty }, { additionalProperties: false }),
        },
        { additionalProperties: false, description: '一案双罚: the penalty on the enterprise and the linked one on its principal, one act' },
      ),
    ),
    notifiedBodies: Type.Optional(
      Type.Array(Type.Object({ name: SingleLine({ minLength: 1, maxLength: 200 }), email: Type.Optional(Email) }, { additionalProperties: false }), {
        maxItems: 20,
        description: '联合惩戒 (required for JOINT_DISCIPLINE): the bodies notified; those with a mailbox are mailed',
      }),
    ),
  },
  { additionalProperties: false },
);

const PenaltyView = Type.Object({ text: Type.String(), amount: Type.Optional(Type.Number()) });

export const OrderView = Type.Object(
  {
    id: Type.String(),
    workflowId: Type.String(),
    kind: Type.Enum(ORDER_KINDS),
    status: Type.Enum(ORDER_STATUSES),
    enterpriseId: Type.String(),
    countyCode: Type.String(),
    departmentCode: Type.String(),
    legalBasis: Type.String(),
    reason: Type.String(),
    hazardIds: Type.Array(Type.String()),
    caseId: Nullable(Type.String()),
    deadline: Nullable(Type.String({ format: 'date-time' })),
    timeZone: Type.String(),
    policy: Nullable(Type.Object({ reminderOffsets: Type.Array(Type.String()), escalationAfter: Type.String(), sendTime: Type.String() })),
    conditions: Type.Array(Type.String()),
    closedOn: Nullable(Type.String()),
    doublePenalty: Nullable(Type.Object({ enterprise: PenaltyView, principal: Type.Object({ name: Type.String(), text: Type.String(), amount: Type.Optional(Type.Number()) }) })),
    notifiedBodies: Type.Array(Type.Object({ name: Type.String(), email: Type.Optional(Type.String()) })),
    overdue: Type.Boolean(),
    complianceReportedAt: Nullable(Type.String({ format: 'date-time' })),
    liftAppliedAt: Nullable(Type.String({ format: 'date-time' })),
    inspectionOutcome: Nullable(Type.Enum(['PASSED', 'FAILED'])),
    ignoredCaseId: Nullable(Type.String({ description: 'the case opened (or joined) when the order was ignored' })),
    issuedBy: Type.Object({ name: Type.String(), role: Type.String() }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    endedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'Order' },
);

const OrderLive = Nullable(
  Type.Object({
    status: Type.Enum(ORDER_STATUSES),
    overdue: Type.Boolean(),
    ignored: Type.Boolean(),
    deadline: Nullable(Type.String()),
    rejections: Type.Integer(),
    complianceReportedAt: Nullable(Type.String()),
    liftAppliedAt: Nullable(Type.String()),
    inspection: Nullable(Type.Enum(['PASSED', 'FAILED'])),
    caseId: Nullable(Type.String()),
    endedAt: Nullable(Type.String()),
    firedEvents: Type.Array(Type.String()),
    nextEvent: Nullable(Type.Object({ key: Type.String(), kind: Type.String(), atIso: Type.String() })),
  }),
);

export const OrderDetail = Type.Object({ order: Type.Ref('Order'), live: OrderLive });

export const OrderListQuery = Type.Object(
  {
    kind: Type.Optional(Type.Enum(ORDER_KINDS)),
    status: Type.Optional(Type.Enum(ORDER_STATUSES)),
    enterpriseId: Type.Optional(Type.String({ format: 'uuid' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const OrderList = Type.Object({ items: Type.Array(Type.Ref('Order')), nextCursor: Nullable(Type.String()) });

const CommandText = Text({ minLength: 1, maxLength: 2000 });

export const OrderCommandBodies = {
  reportCompliance: Type.Object({ report: CommandText }, { additionalProperties: false }),
  verifyCompliance: Type.Object({ decision: Type.Enum(['ACCEPT', 'REJECT']), reason: Type.Optional(CommandText) }, { additionalProperties: false }),
  applyForLift: Type.Object({ note: CommandText }, { additionalProperties: false }),
  recordInspection: Type.Object({ outcome: Type.Enum(['PASSED', 'FAILED']), findings: CommandText }, { additionalProperties: false }),
  liftSuspension: Type.Object({ reason: Type.Optional(CommandText) }, { additionalProperties: false }),
} as const satisfies Record<OrderCommand, unknown>;

export const OrderCommandResult = Type.Object({ order: Type.Ref('Order'), live: OrderLive });

export const GasOverLimitBody = Type.Object(
  {
    reading: Type.Number({ minimum: 0, maximum: 100, description: 'CH₄ measured, percent by volume' }),
    limit: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'the limit that applied there, percent by volume (e.g. 1.0)' }),
    measuredAt: SingleLine({ minLength: 16, maxLength: 40, description: 'when: local YYYY-MM-DDTHH:mm in the enterprise zone (Asia/Shanghai), or an ISO instant with offset' }),
    location: SingleLine({ minLength: 1, maxLength: 500, description: 'where: working face, roadway, sensor' }),
    note: Type.Optional(Text({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const GasOverLimitView = Type.Object({
  id: Type.String(),
  enterpriseId: Type.String(),
  reading: Type.Number(),
  limit: Type.Number(),
  measuredAt: Type.String({ format: 'date-time' }),
  location: Type.String(),
  note: Nullable(Type.String()),
  caseId: Type.String({ description: 'the case it opened, or the open one it joined (比照事故调查)' }),
  joinedCase: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});
