import { Type } from 'typebox';
import { CAMPAIGN_STATUSES, PHASE_KEYS } from '../../domain/campaign';
import { INSPECTION_STATES } from '../../domain/unannounced';
import { ITEM_STATUSES } from '../../domain/work-items';
import { Attachment, HazardReportBody } from './hazards';
import { INT4_MAX, PageQuery, SingleLine, Text } from './common';
export { IdempotencyHeaders as LaunchHeaders } from './common';

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Iso = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });
const PhaseKeyEnum = Type.Enum(PHASE_KEYS);
const DutyStateEnum = Type.Enum(['PENDING', 'SUBMITTED', 'MISSED']);

// ---- Requests ----

/** A stored template: GET /v1/campaign-templates/{key}/{version}. */
export const TemplateParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }), version: Type.Integer({ minimum: 1, maximum: INT4_MAX }) });

export const LaunchBody = Type.Object(
  {
    name: Type.Optional(SingleLine({ minLength: 1, maxLength: 200 })),
    templateKey: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    templateVersion: Type.Integer({ minimum: 1, maximum: INT4_MAX }),
    counties: Type.Array(Code, { maxItems: 2000, uniqueItems: true }),
    departments: Type.Array(Code, { maxItems: 2000, uniqueItems: true }),
    spotCheckSeed: Type.Optional(SingleLine({ minLength: 1, maxLength: 200 })),
    startOn: Type.Optional(
      Type.String({
        format: 'date',
        description:
          "run the template from this local date (its time zone): every phase date and the plan's and the summary's due dates move alike so that the first phase starts that day, by whole years first (a month's end stays one) and then by the days left; the monthly report keeps its day of the month. Without it the template's own dates apply, and a launch whose phase closes or duties fall due before now is refused (422)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const PhaseParams = Type.Object({ id: Type.String({ format: 'uuid' }), phase: PhaseKeyEnum });
const LocalInstant = SingleLine({ maxLength: 40, description: 'YYYY-MM-DD or a local YYYY-MM-DDTHH:mm[:ss] in the campaign time zone' });
export const PhaseMoveBody = Type.Object({ opensAt: Type.Optional(LocalInstant), closesAt: Type.Optional(LocalInstant), reason: Text({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

export const DutyParams = Type.Object({ id: Type.String({ format: 'uuid' }), unitCode: Code, dutyKey: SingleLine({ minLength: 1, maxLength: 64 }) });
/** A report's figures: named numbers or short texts (kept on the ledger, not in workflow history). */
const Figures = Type.Record(Type.String(), Type.Union([Type.Number({ minimum: -1e15, maximum: 1e15 }), Text({ maxLength: 2000 })]), {
  maxProperties: 200,
  // propertyNames, not a key pattern: the OpenAPI document keeps it (patternProperties become additionalProperties there).
  propertyNames: SingleLine({ minLength: 1, maxLength: 100 }),
  description: 'named figures (a name is one line of 1 to 100 characters): numbers or short texts',
});
/** One work item of a structured progress report (domain/work-items.ts). */
const ProgressItem = Type.Object(
  {
    no: Type.Integer({ minimum: 1, maximum: 100000, description: 'the work item number in the plan; one the unit leads' }),
    status: Type.Enum(ITEM_STATUSES),
    figures: Type.Optional(Figures),
    text: Type.Optional(Text({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export const DutyBody = Type.Object(
  {
    figures: Type.Optional(Figures),
    text: Type.Optional(Text({ maxLength: 20000 })),
    attachments: Type.Optional(Type.Array(Attachment, { maxItems: 50 })),
    items: Type.Optional(
      Type.Array(ProgressItem, {
        maxItems: 500,
        description: 'a progress report per work item (status, figures, text): only the items the unit leads (WorkItem.leads), each once; a template without leads takes any of its items',
      }),
    ),
  },
  { additionalProperties: false },
);

const WindowFigures = Type.Object({ hazardsFound: Type.Integer({ minimum: 0 }), hazardsRectified: Type.Integer({ minimum: 0 }), hazardsOverdue: Type.Integer({ minimum: 0 }) });
export const ProgressPrefill = Type.Object({
  campaignId: Type.String({ format: 'uuid' }),
  unitCode: Type.String(),
  dutyKey: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  ledger: Type.Object(
    {
      ...WindowFigures.properties,
      rosterEnterprises: Type.Optional(Type.Integer({ minimum: 0, description: "a county's enterprises on the campaign's roster" })),
      selfInspected: Type.Optional(Type.Integer({ minimum: 0, description: 'of them, those that declared their self-inspection by `to`' })),
      drawnInspections: Type.Optional(Type.Integer({ minimum: 0, description: "a department's drawn inspections recorded in the window" })),
      extraInspections: Type.Optional(Type.Integer({ minimum: 0, description: 'its inspections beyond the sample in the window' })),
    },
    { description: "what the ledger knows of the unit's scope in the window" },
  ),
  items: Type.Array(
    Type.Object({
      no: Type.Integer(),
      textZh: Type.String(),
      industries: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'the industries the unit leads the item for (谁主管谁牵头); null when it leads it as a unit' }),
      figures: Type.Union([WindowFigures, Type.Null()], { description: "the hazards of those industries in the unit's scope in the window; null where the ledger cannot tell an item's figures" }),
      linked: Type.Object(WindowFigures.properties, { description: "the hazards linked to this item (PUT /v1/hazards/{id}/work-item, or workItem in the report) in the unit's scope in the window" }),
    }),
    { description: 'the items the unit leads, in plan order' },
  ),
});
export const PrefillParams = Type.Object({ id: Type.String({ format: 'uuid' }), unitCode: Code, dutyKey: SingleLine({ minLength: 1, maxLength: 64, description: "progress:YYYY-MM (the month, in the campaign's time zone) or progress:N (that report's window)" }) });

export const InspectionParams = Type.Object({ id: Type.String({ format: 'uuid' }), enterpriseId: Type.String({ format: 'uuid' }) });
/** A finding is a hazard report of the inspected enterprise, registered in this campaign. */
export const Finding = Type.Omit(HazardReportBody, ['enterpriseId', 'campaignId', 'source', 'workItem'], { additionalProperties: false });
/** An inspection's finding may be marked as concealed (瞒报): it opens an accountability case against the enterprise. */
const InspectionFinding = Type.Object(
  {
    ...Finding.properties,
    concealed: Type.Optional(Type.Boolean({ description: "true: the enterprise had not reported this hazard in its self-inspection (瞒报); a case opens (or joins) against the enterprise, the hazard its cause" })),
  },
  { additionalProperties: false },
);
export const InspectionBody = Type.Object(
  { outcome: Type.Enum(['PASSED', 'FINDINGS']), note: Type.Optional(Text({ maxLength: 4000 })), findings: Type.Optional(Type.Array(InspectionFinding, { maxItems: 100 })) },
  { additionalProperties: false },
);

export const ExtraInspectionBody = Type.Object(
  {
    enterpriseId: Type.String({ format: 'uuid' }),
    outcome: Type.Enum(['PASSED', 'FINDINGS']),
    note: Type.Optional(Text({ maxLength: 4000 })),
    findings: Type.Optional(Type.Array(InspectionFinding, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const ExtraInspectionRecorded = Type.Object({
  id: Type.String({ format: 'uuid' }),
  enterpriseId: Type.String({ format: 'uuid' }),
  outcome: Type.Enum(['PASSED', 'FINDINGS']),
  hazardIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 }),
  drawn: Type.Boolean({ description: 'always false: an inspection beyond the random sample' }),
  inspectedAt: Iso,
});

export const SelfInspectionBody = Type.Object(
  {
    enterpriseId: Type.Optional(Type.String({ format: 'uuid' })),
    problemsFound: Type.Integer({ minimum: 0, maximum: 100000 }),
    note: Type.Optional(Text({ maxLength: 4000 })),
    checklist: Type.Optional(
      Type.Array(Type.Object({ no: Type.Integer({ minimum: 1, maximum: 100000 }), status: Type.Enum(['DONE', 'NOT_APPLICABLE']), note: Type.Optional(Text({ maxLength: 500 })) }, { additionalProperties: false }), {
        maxItems: 100,
        description: "where the enterprise stands on each item of its checklist (the template's work items for its industry); filed with the duty",
      }),
    ),
  },
  { additionalProperties: false },
);

export const SupervisionFindingBody = Type.Object(
  {
    team: SingleLine({ minLength: 1, maxLength: 200 }),
    target: Type.Enum(['ENTERPRISE', 'UNIT']),
    enterpriseId: Type.Optional(Type.String({ format: 'uuid' })),
    unitCode: Type.Optional(Code),
    description: Text({ minLength: 1, maxLength: 4000 }),
    hazard: Type.Optional(Finding),
  },
  { additionalProperties: false },
);

// ---- Responses ----

export const TemplateSaved = Type.Object({ key: Type.String(), version: Type.Integer() });
export const TemplateList = Type.Object({
  items: Type.Array(
    Type.Object({
      key: Type.String(),
      version: Type.Integer(),
      name: Type.String(),
      issuingBody: Type.String(),
      documentNumber: Type.String(),
      publishedOn: Type.String(),
      timeZone: Type.String(),
      builtIn: Type.Boolean({ description: 'shipped with the system and stored at every start (the Datong plan, datong-2023 v1)' }),
      createdAt: Iso,
    }),
  ),
});

export const CampaignListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(CAMPAIGN_STATUSES)),
    templateKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })),
    unitCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', description: 'campaigns this county or department takes part in' })),
    launchedFrom: Type.Optional(Type.String({ format: 'date-time', description: 'launched at or after this instant' })),
    launchedTo: Type.Optional(Type.String({ format: 'date-time', description: 'launched before this instant' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const CampaignList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      status: Type.Enum(CAMPAIGN_STATUSES),
      templateKey: Type.String(),
      templateVersion: Type.Integer(),
      timeZone: Type.String(),
      currentPhases: Type.Array(PhaseKeyEnum),
      launchedAt: Iso,
      completedAt: Type.Union([Iso, Type.Null()]),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last' }),
});

export const CampaignLaunched = Type.Object({
  id: Type.String({ format: 'uuid' }),
  workflowId: Type.String(),
  name: Type.String(),
  spotCheckSeed: Type.String(),
  rosterSha256: Type.Union([Type.String(), Type.Null()], { description: 'SHA-256 of the roster frozen at launch, which the draw runs over: publish it with the seed' }),
});

const Counts = Type.Object({ total: Count, open: Count, overdue: Count });
const CountsBy = Type.Record(Type.String(), Counts);
const DrawRule = Type.Object({ minRatio: Type.Number(), strata: Type.Array(Type.Enum(['industry', 'county'])), population: Type.Enum(['COUNTY_SUPERVISED', 'ALL']) });

const SelfInspectionCounts = Type.Object({ due: Count, filed: Count, filedLate: Count, missed: Count, share: Type.Number({ minimum: 0, maximum: 1 }) });
const SelfInspectionCountsBy = Type.Record(Type.String(), SelfInspectionCounts);
const CoverageCounts = Type.Object({ required: Count, covered: Count, share: Type.Number({ minimum: 0, maximum: 1 }) });
const CoverageCountsBy = Type.Record(Type.String(), CoverageCounts);
/** domain/coverage.ts; absent from summaries frozen before coverage was counted. */
const Coverage = Type.Object(
  {
    selfInspection: Type.Object({ total: SelfInspectionCounts, byCounty: SelfInspectionCountsBy, byDepartment: SelfInspectionCountsBy, byIndustry: SelfInspectionCountsBy }),
    byCounty: CoverageCountsBy,
    byDepartment: CoverageCountsBy,
    byIndustry: CoverageCountsBy,
  },
  {
    description:
      'full coverage (全覆盖、无遗漏) over the roster frozen at launch: self-inspection duties filed / due / missed; per county, enterprises inspected (a recorded inspection) or self-inspected; per department, its key-supervision (CITY) enterprises inspected. Only recorded inspections count: a pending drawn inspection shows nowhere',
  },
);

/** What the live status shows and the summary snapshot freezes (db/campaigns.repo.ts campaignFigures). */
export const CampaignFigures = Type.Object({
  hazards: Type.Object({ total: Count, open: Count, overdue: Count, byCounty: CountsBy, byDepartment: CountsBy, byIndustry: CountsBy, byGrade: CountsBy, byState: CountsBy }),
  duties: Type.Object({
    units: Type.Record(Type.String(), Type.Array(Type.Object({ dutyKey: Type.String(), kind: Type.Enum(['IMPLEMENTATION_PLAN', 'PROGRESS_REPORT', 'SUMMARY', 'INSPECTION']), label: Type.String(), dueAt: Iso, state: DutyStateEnum, late: Type.Boolean() }))),
    missed: Count,
    submittedLate: Count,
    submitted: Count,
    total: Count,
  }),
  spotCheck: Type.Union([
    Type.Object({
      seed: Type.Union([Type.String(), Type.Null()], { description: 'null for counties and enterprises until the campaign completes: with the seed and its own roster a county could recompute who was drawn' }),
      strata: Type.Array(
        Type.Object({
          key: Type.String(),
          industry: Type.String(),
          countyCode: Type.Union([Type.String(), Type.Null()]),
          population: Count,
          required: Count,
          drawn: Count,
          inspected: Count,
          drawnRatio: Type.Number({ minimum: 0, maximum: 1 }),
        }),
        { description: "empty for counties until the campaign completes: a small stratum's figures name who was drawn (GET …/spot-check lists a county's recorded inspections)" },
      ),
    }),
    Type.Null(),
  ]),
  selfInspections: Type.Object({ declared: Count, problemsFound: Count }),
  supervisionFindings: Count,
  coverage: Type.Optional(Coverage),
});

const PhaseWindow = Type.Object({ status: Type.Enum(['PENDING', 'OPEN', 'CLOSED']), opensAt: Iso, closesAt: Iso });

export const CampaignStatus = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  status: Type.Enum(CAMPAIGN_STATUSES),
  currentPhases: Type.Array(PhaseKeyEnum),
  timeZone: Type.String(),
  phases: Type.Union([Type.Object(Object.fromEntries(PHASE_KEYS.map((k) => [k, PhaseWindow]))), Type.Null()], { description: 'null when the campaign workflow did not answer in time' }),
  participants: Type.Array(Type.Object({ unitCode: Type.String(), kind: Type.Enum(['COUNTY', 'DEPARTMENT']) })),
  ...CampaignFigures.properties,
});

export const PhaseMoved = Type.Object({ phase: PhaseKeyEnum, status: Type.Enum(['PENDING', 'OPEN', 'CLOSED']), opensAt: Iso, closesAt: Iso });

export const DutySubmitted = Type.Object({ dutyKey: Type.String(), state: DutyStateEnum, late: Type.Boolean(), submittedAt: Type.Union([Iso, Type.Null()]), dueAt: Iso });
export const InspectionRecorded = Type.Object({ state: DutyStateEnum, late: Type.Boolean(), submittedAt: Type.Union([Iso, Type.Null()]), dueAt: Iso });

export const SpotCheckDraw = Type.Object({
  seed: Type.Union([Type.String(), Type.Null()], { description: 'null for a county until the campaign completes (inspections are unannounced)' }),
  rule: DrawRule,
  rosterSize: Count,
  strata: Type.Array(
    Type.Object({ key: Type.String(), industry: Type.String(), countyCode: Type.Optional(Type.String()), population: Count, required: Count, drawn: Type.Array(Type.String()) }),
    { description: "each stratum's figures and the drawn enterprises the caller may know of; empty for a county until the campaign completes (a small stratum's figures name who was drawn)" },
  ),
  inspections: Type.Array(
    Type.Object({
      enterpriseId: Type.String({ format: 'uuid' }),
      countyCode: Type.String(),
      departmentCode: Type.String(),
      state: Type.Enum(INSPECTION_STATES, { description: 'NOT_STARTED: no inspection is owed (the enterprise was deactivated before the inspections started)' }),
      late: Type.Boolean(),
      submittedAt: Type.Union([Iso, Type.Null()]),
      active: Type.Boolean({ description: 'false once the enterprise was deactivated' }),
    }),
    { description: 'the drawn enterprises the caller may know of: all for the office, its own for a department, for a county those in its territory whose inspection is recorded (all of them once the campaign completes)' },
  ),
  drawnAt: Iso,
});
export const DrawVerification = Type.Object({
  matches: Type.Boolean({ description: 'true when problems is empty' }),
  problems: Type.Array(Type.String(), { description: 'why the recorded draw is not the one the published seed gives over the roster frozen at launch' }),
  seed: Type.Union([Type.String(), Type.Null()], { description: 'null for counties and enterprises until the campaign completes (inspections are unannounced)' }),
  rosterSize: Count,
  rule: DrawRule,
  rosterFrozen: Type.Boolean({ description: 'false for a campaign launched before rosters were frozen at launch: its draw ran over the roster as it stood at the draw' }),
  rosterSha256: Type.Union([Type.String(), Type.Null()], { description: 'the SHA-256 of the roster recorded at launch (campaign row)' }),
  computedRosterSha256: Type.Union([Type.String(), Type.Null()], { description: 'the SHA-256 of the stored roster, recomputed now (canonical JSON)' }),
});

export const SelfInspectionDeclared = Type.Object({
  campaignId: Type.String({ format: 'uuid' }),
  enterpriseId: Type.String({ format: 'uuid' }),
  problemsFound: Count,
  declaredAt: Iso,
  checklist: Type.Array(Type.Integer(), { maxItems: 500, description: "the numbers of the work items on the enterprise's checklist (the template's items for its industry)" }),
  duty: Type.Union([Type.Object({ state: DutyStateEnum, late: Type.Boolean(), submittedAt: Type.Union([Iso, Type.Null()]), dueAt: Iso }), Type.Null()], {
    description: 'the enterprise\'s self-inspection duty as filed; null where it has none (the phase not open yet, a campaign launched before such duties, an enterprise not on the roster)',
  }),
});
export const SupervisionFindingFiled = Type.Object({
  id: Type.String(),
  hazardId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  caseId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'a finding against a unit: the accountability case it opened or joined; null against an enterprise, or while the case is still to be opened (the reconciler opens it)',
  }),
  foundAt: Iso,
});

export const CampaignSummary = Type.Object({ campaignId: Type.String({ format: 'uuid' }), takenAt: Iso, figures: CampaignFigures });

/** GET /v1/campaigns/{id}/report (domain/campaign-report.ts CampaignReport). */
const ReportRow = Type.Object({
  key: Type.String(),
  nameZh: Type.String(),
  total: Count,
  rectified: Type.Union([Count, Type.Null()], { description: 'CLOSED hazards; null in a summary frozen before the report' }),
  open: Count,
  overdue: Count,
  rectificationRate: Type.Union([Type.Number(), Type.Null()]),
});
const CoverageRow = Type.Object({ key: Type.String(), required: Count, covered: Count, share: Type.Number() });
const RankedUnit = Type.Object({ unitCode: Type.String(), nameZh: Type.String(), total: Type.Number(), rank: Type.Integer({ minimum: 1 }) });
const Tally = Type.Record(Type.String(), Count);
export const CampaignReport = Type.Object({
  campaignId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  documentNumber: Type.String(),
  issuingBody: Type.String(),
  recipients: Type.Array(Type.String()),
  takenAt: Iso,
  hazards: Type.Object({
    total: Count,
    open: Count,
    overdue: Count,
    rectified: Type.Union([Count, Type.Null()]),
    rectificationRate: Type.Union([Type.Number(), Type.Null()]),
    byCounty: Type.Array(ReportRow),
    byDepartment: Type.Array(ReportRow),
    byIndustry: Type.Array(ReportRow),
  }),
  duties: Type.Object({ total: Count, submitted: Count, submittedLate: Count, missed: Count }),
  selfInspections: Type.Object({ declared: Count, problemsFound: Count }),
  supervisionFindings: Count,
  coverage: Type.Object({
    counties: Type.Array(CoverageRow),
    departments: Type.Array(CoverageRow),
    selfInspection: Type.Union([Type.Object({ due: Count, filed: Count, filedLate: Count, missed: Count, share: Type.Number() }), Type.Null()]),
  }),
  ranking: Type.Union([Type.Object({ COUNTY: Type.Array(RankedUnit), DEPARTMENT: Type.Array(RankedUnit) }), Type.Null()], { description: 'the ranking at the summary instant' }),
  cases: Type.Union([Type.Object({ total: Count, byStatus: Tally }), Type.Null()]),
  orders: Type.Union([Type.Object({ total: Count, byKind: Tally }), Type.Null()]),
});
