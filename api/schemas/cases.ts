// Accountability cases (问责), their decisions, and the ordered record of cases, hazards and enterprises.
import { Type, type Static } from 'typebox';
import { CASE_CAUSE_KINDS, CASE_RUNGS, CASE_STATUSES, CASE_SUBJECT_KINDS, REFERRAL_BODIES } from '../../domain/accountability';
import { PageQuery, Text } from './common';

/** A unit's code or an enterprise's id. */
const SubjectRef = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const ActorView = Type.Object({ keyId: Type.String(), role: Type.String(), scope: Nullable(Type.String()), name: Type.String() });

export const CaseView = Type.Object(
  {
    id: Type.String(),
    workflowId: Type.String(),
    subject: Type.Object({
      kind: Type.Enum(CASE_SUBJECT_KINDS),
      ref: Type.String({ description: "a unit's code or an enterprise's id" }),
      name: Nullable(Type.String()),
      countyCode: Nullable(Type.String()),
      departmentCode: Nullable(Type.String()),
    }),
    causeKind: Type.Enum(CASE_CAUSE_KINDS, { description: 'the cause that opened the case; later ones are in causes' }),
    campaignId: Nullable(Type.String()),
    rung: Type.Enum(CASE_RUNGS),
    status: Type.Enum(CASE_STATUSES),
    exposed: Type.Boolean({ description: '曝光: the case is public' }),
    overdue: Type.Boolean({ description: 'the current review window ended without a decision' }),
    reviewDueAt: NullableIso,
    heldUntil: NullableIso,
    summonsAt: NullableIso,
    referralTo: Type.Union([Type.Enum(REFERRAL_BODIES), Type.Null()]),
    openedBy: ActorView,
    openedAt: Iso,
    updatedAt: Iso,
    resolvedAt: NullableIso,
    lastSeq: Type.Integer({ description: 'sequence of the newest ledger event applied to this row' }),
  },
  { description: 'an accountability case as the ledger holds it' },
);

export const CauseView = Type.Object({
  kind: Type.Enum(CASE_CAUSE_KINDS),
  refId: Type.String({ description: 'a hazard and its deadline version (<hazard>:v2), an obligation and its duty, a finding, manual:<key>' }),
  note: Nullable(Type.String()),
  joinedAt: Iso,
  resolvedAt: NullableIso,
});

/** The case workflow's live state (the caseState query). */
export const CaseLive = Type.Object({
  status: Type.Enum(CASE_STATUSES),
  rung: Type.Enum(CASE_RUNGS),
  exposed: Type.Boolean(),
  overdue: Type.Boolean(),
  summonsAt: Nullable(Type.String()),
  referralTo: Type.Union([Type.Enum(REFERRAL_BODIES), Type.Null()]),
  window: Type.Integer({ description: 'review windows opened so far' }),
  windowOpenedAt: Nullable(Type.String()),
  reviewDueAt: Nullable(Type.String()),
  heldUntil: Nullable(Type.String()),
  seq: Type.Integer(),
  causes: Type.Array(Type.Object({ kind: Type.String(), refId: Type.String(), note: Type.Optional(Type.String()), joinedAt: Type.String(), resolvedAt: Nullable(Type.String()) })),
  resolvedAt: Nullable(Type.String()),
  nextEvent: Type.Union([Type.Object({ key: Type.String(), kind: Type.String(), atIso: Type.String() }), Type.Null()]),
});

export const CaseDetail = Type.Object({
  case: CaseView,
  causes: Type.Array(CauseView, { description: 'in the order they joined; the first 500 (causesTotal says how many there are)' }),
  causesTotal: Type.Integer(),
  live: Type.Union([CaseLive, Type.Null()]),
  liveStatus: Type.Enum(['LIVE', 'UNAVAILABLE'], { description: 'UNAVAILABLE: the case workflow (or Temporal) did not answer in time; this is the ledger row alone' }),
});

export const CaseListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(CASE_STATUSES)),
    rung: Type.Optional(Type.Enum(CASE_RUNGS)),
    overdue: Type.Optional(Type.Boolean()),
    subjectKind: Type.Optional(Type.Enum(CASE_SUBJECT_KINDS)),
    subjectRef: Type.Optional(SubjectRef),
    causeKind: Type.Optional(Type.Enum(CASE_CAUSE_KINDS, { description: 'the opening cause or any cause joined since' })),
    campaignId: Type.Optional(Type.String({ format: 'uuid' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const CaseList = Type.Object({ items: Type.Array(CaseView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const OpenCaseBody = Type.Object(
  {
    subject: Type.Object(
      {
        kind: Type.Enum(CASE_SUBJECT_KINDS),
        /** UNIT: the unit's code; ENTERPRISE: the enterprise's id. */
        ref: SubjectRef,
      },
      { additionalProperties: false },
    ),
    reason: Text({ minLength: 1, maxLength: 2000, description: 'why the office opens the case (the MANUAL cause’s note)' }),
    campaignId: Type.Optional(Type.String({ format: 'uuid', description: 'the campaign the case belongs to' })),
  },
  { additionalProperties: false },
);
export type OpenCaseBody = Static<typeof OpenCaseBody>;

export const OpenCaseResult = Type.Object({ case: CaseView, joined: Type.Boolean({ description: 'true: an open manual case of this subject took the cause' }) });

export const DecisionBody = Type.Object(
  {
    kind: Type.Enum(['ESCALATE', 'RESOLVE', 'HOLD']),
    reason: Type.Optional(Text({ maxLength: 2000, description: 'required for every decision (422 without one)' })),
    to: Type.Optional(Type.Enum(CASE_RUNGS, { description: 'ESCALATE: the rung to go to; the next one when omitted' })),
    summonsAt: Type.Optional(Type.String({ format: 'date-time', description: 'ESCALATE to SUMMONS (约谈): when the interview takes place, in the future' })),
    referralTo: Type.Optional(Type.Enum(REFERRAL_BODIES, { description: 'ESCALATE to REFERRAL (移送): to which body' })),
    expose: Type.Optional(Type.Boolean({ description: 'ESCALATE: make the case public (曝光)' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'HOLD: until when, in the future' })),
  },
  { additionalProperties: false },
);
export type DecisionBody = Static<typeof DecisionBody>;

export const DecisionResult = Type.Object({ case: CaseView, live: CaseLive });

// ---- The ordered record

export const RecordQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export const RecordEntryView = Type.Object({
  at: Iso,
  stream: Type.String({ description: 'hazard (hazard events), case (case events), order (order events), gas (a gas over-limit record), mail (the outbox), audit (a change the office made: an enterprise deactivated or reactivated, a hazard linked to a work item)' }),
  ref: Type.String({ description: "the stream's object: a hazard id, a case id, an order id, a gas record id, an outbox row's id, an audit entry's id" }),
  seq: Type.Integer({ description: "sequence in the object's workflow; 0 for a mail" }),
  type: Type.String(),
  actor: Type.Union([ActorView, Type.Null()]),
  from: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  to: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  recordedAt: NullableIso,
});

export const RecordPage = Type.Object({
  items: Type.Array(RecordEntryView, { description: 'oldest first: by time, then stream, object and sequence' }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

// ---- The evidence bundle

const PartLimit = Type.Object({ included: Type.Integer(), total: Type.Integer(), cap: Type.Integer() });
const Digest = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const EvidenceView = Type.Object({
  manifest: Type.Object({
    format: Type.String(),
    caseId: Type.String(),
    generatedAt: Iso,
    generatedBy: ActorView,
    temporal: Type.Object({ namespace: Type.String() }),
    hashing: Type.Object({ algorithm: Type.String(), canonicalization: Type.String(), whole: Type.String() }),
    parts: Type.Object({ case: Digest, causes: Digest, record: Digest, mails: Digest, histories: Digest }),
    runs: Type.Array(Type.Object({ workflowId: Type.String(), role: Type.String(), runId: Type.String(), events: Type.Integer(), sha256: Digest })),
    limits: Type.Object({
      causes: PartLimit,
      record: Type.Object({ included: Type.Integer(), total: Type.Integer(), cap: Type.Integer(), complete: Type.Boolean() }),
      mails: PartLimit,
      workflows: PartLimit,
      runsPerWorkflow: Type.Integer(),
    }),
    complete: Type.Boolean(),
    sha256: Digest,
  }),
  case: Type.Record(Type.String(), Type.Unknown(), { description: 'the ledger row as stored' }),
  causes: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  record: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'the ordered record, as GET /v1/cases/{id}/record pages it' }),
  mails: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: "the case's outbox rows, bodies included" }),
  histories: Type.Array(
    Type.Object({
      workflowId: Type.String(),
      role: Type.String(),
      chain: Type.Enum(['complete', 'truncated', 'missing']),
      runs: Type.Array(
        Type.Object({
          runId: Type.String(),
          continuedFrom: Nullable(Type.String()),
          history: Type.Record(Type.String(), Type.Unknown(), { description: 'the run’s event history in proto3 JSON, as `temporal workflow show --output json` prints it' }),
        }),
      ),
    }),
  ),
});

