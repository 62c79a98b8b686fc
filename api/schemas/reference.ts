import { Type } from 'typebox';
import { DEACTIVATION_KINDS, SUPERVISION_LEVELS } from '../../domain/enterprise';
import { ENFORCEMENT_STATUSES } from '../../domain/enforcement';
import { ROLES } from '../../domain/hazard';
import { INDUSTRY_CODES } from '../../domain/industries';
import { PageQuery, Person, SingleLine, Text } from './common';

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const UnitBody = Type.Object(
  {
    kind: Type.Enum(['COUNTY', 'DEPARTMENT']),
    code: Code,
    name: SingleLine({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(SingleLine({ maxLength: 40 })),
    contactName: Type.Optional(SingleLine({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export const UnitView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  code: Type.String(),
  name: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  contactName: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

/** WGS-84 coordinates, optional: where given, the enterprise is a point on the risk map's scatter (四色图). */
export const Location = Type.Object(
  { latitude: Type.Number({ minimum: -90, maximum: 90 }), longitude: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false, description: 'WGS-84 latitude and longitude (e.g. Datong 40.08, 113.30)' },
);

export const EnterpriseBody = Type.Object(
  {
    name: SingleLine({ minLength: 1, maxLength: 200 }),
    creditCode: Type.String({ pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', maxLength: 18, description: '统一社会信用代码 (18 characters, check character verified)' }),
    industry: Type.Enum(INDUSTRY_CODES),
    countyCode: Code,
    departmentCode: Code,
    supervisionLevel: Type.Optional(Type.Enum(SUPERVISION_LEVELS)),
    principal: Person,
    contacts: Type.Optional(Type.Array(Type.Object({ ...Person.properties, title: Type.Optional(SingleLine({ maxLength: 100 })) }, { additionalProperties: false }), { maxItems: 20 })),
    locale: Type.Optional(Type.Enum(['zh-CN', 'en'])),
    location: Type.Optional(Location),
  },
  { additionalProperties: false },
);
export const EnterpriseView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  creditCode: Type.String(),
  industry: Type.String(),
  countyCode: Type.String(),
  departmentCode: Type.String(),
  supervisionLevel: Type.String(),
  principal: Type.Object({ name: Type.String(), email: Nullable(Type.String()), phone: Nullable(Type.String()) }),
  contacts: Type.Array(Type.Object({ name: Type.String(), email: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), title: Type.Optional(Type.String()) })),
  locale: Type.String(),
  location: Type.Union([Location, Type.Null()]),
  enforcementStatus: Type.Enum(ENFORCEMENT_STATUSES, { description: 'SUSPENDED while a suspension (停产整顿) is in force, CLOSED once closed (关闭取缔); set by enforcement orders' }),
  createdAt: Type.String({ format: 'date-time' }),
  active: Type.Boolean({ description: 'false once the office deactivated it (closed, merged, …): out of future draws and duties, its history kept' }),
  deactivation: Type.Union([
    Type.Object({
      kind: Type.Enum(DEACTIVATION_KINDS),
      reason: Type.String(),
      deactivatedOn: Type.String({ format: 'date', description: 'the local date it closed, merged or otherwise ceased' }),
      recordedAt: Type.String({ format: 'date-time' }),
    }),
    Type.Null(),
  ]),
});

const deactivationKinds = 'CLOSED (关闭), MERGED (合并 into another enterprise) or OTHER (注销, moved away, …)';
export const DeactivationBody = Type.Object(
  {
    kind: Type.Enum(DEACTIVATION_KINDS, { description: deactivationKinds }),
    reason: Text({ minLength: 1, maxLength: 2000 }),
    deactivatedOn: Type.String({ format: 'date', maxLength: 10, description: 'the local date (YYYY-MM-DD, Asia/Shanghai) it closed, merged or ceased; not in the future' }),
  },
  { additionalProperties: false },
);
export const ReactivationBody = Type.Object({ reason: Text({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
/** The most rows one roster import may carry. */
export const ENTERPRISE_BULK_MAX = 10_000;

/**
 * A roster import. Rows are deliberately untyped here: each is checked against EnterpriseBody by the
 * route itself, so one bad row is reported on its own instead of rejecting the whole file.
 */
export const EnterpriseBulkBody = Type.Object(
  { enterprises: Type.Array(Type.Unknown({ description: 'an EnterpriseBody, validated row by row' }), { maxItems: ENTERPRISE_BULK_MAX }) },
  { additionalProperties: false },
);
export const BULK_ROW_STATUSES = ['CREATED', 'UNCHANGED', 'UPDATED', 'FAILED'] as const;
export type BulkRowStatus = (typeof BULK_ROW_STATUSES)[number];
export const EnterpriseBulkResult = Type.Object({
  created: Type.Integer(),
  unchanged: Type.Integer(),
  updated: Type.Integer(),
  failed: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'position of the row in `enterprises`, from 0' }),
      status: Type.Enum(BULK_ROW_STATUSES),
      id: Type.Optional(Type.String()),
      creditCode: Type.Optional(Type.String()),
      errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
    }),
  ),
});
export const EnterpriseListQuery = Type.Object(
  {
    county: Type.Optional(Code),
    department: Type.Optional(Code),
    industry: Type.Optional(Type.Enum(INDUSTRY_CODES)),
    enforcementStatus: Type.Optional(Type.Enum(ENFORCEMENT_STATUSES)),
    active: Type.Optional(Type.Boolean({ description: 'true: only enterprises on the roster; false: only deactivated ones' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ApiKeyBody = Type.Object(
  {
    name: SingleLine({ minLength: 1, maxLength: 100 }),
    role: Type.Enum(ROLES),
    scope: Type.Optional(
      SingleLine({ minLength: 1, maxLength: 64, description: 'enterprise id, county code or department code; none for admin and office; for a reviewer a county or department code, or none (city-wide)' }),
    ),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: "the key holder's mailbox: a reviewer is asked and reminded about the cases in its scope there" })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'the key is refused from this instant on (ISO 8601 with offset); omitted: never expires' })),
  },
  { additionalProperties: false },
);
export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  scope: Nullable(Type.String()),
  email: Nullable(Type.String()),
  keyPrefix: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
});

export const AuditEntryView = Type.Object({
  id: Type.String(),
  actor: Type.Object({
    keyId: Type.String(),
    role: Type.String(),
    scope: Nullable(Type.String()),
    name: Type.String(),
    kind: Type.Optional(Type.Literal('user', { description: 'a person signed in (absent: an API key or the system)' })),
    userId: Type.Optional(Type.String()),
  }),
  action: Type.String(),
  subjectKind: Type.String(),
  subjectId: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
});
export const AuditListQuery = Type.Object(
  {
    subjectKind: Type.Optional(Type.Enum(['api_key', 'unit', 'enterprise', 'roster', 'case', 'user', 'calendar', 'hazard'])),
    subjectId: Type.Optional(SingleLine({ minLength: 1, maxLength: 64 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_.]+$' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
