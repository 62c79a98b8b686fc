// The campaign template (domain/campaign.ts CampaignTemplate) as a schema: the body of
// POST /v1/campaign-templates and the answer of GET /v1/campaign-templates/{key}/{version}, so a
// stored template can be read, edited and stored again as a new version.
//
// Where the schema stops and validateTemplate (domain/campaign-template.ts) starts: the schema
// refuses what is malformed (400): an unknown field, a wrong JSON type, a missing field, a text or
// list too long, a number no store could hold. validateTemplate refuses what is well formed but
// not a plan (422, naming the field with the values it takes): an unknown industry, phase or
// stratum, a share outside (0, 1], a date that does not exist or is out of order, a phase missing
// or twice, a duration that is not one. The progress report's `rule` chooses the shape of its
// object (its fields), so an unknown rule is malformed.
import { Type } from 'typebox';
import { CASE_RUNGS } from '../../domain/accountability';
import { BEFORE_DAY_READINGS, PHASE_KEYS } from '../../domain/campaign';
import { INDUSTRY_CODES } from '../../domain/industries';
import { SCORING_DIRECTIONS, SCORING_INDICATORS } from '../../domain/scoring';
import { RISK_METRICS } from '../../domain/risk-map';
import { INT4_MAX, SingleLine, Text } from './common';
import { PolicyOverride, TimeZone } from './hazards';

const NUMBER_LIMIT = 1e15;
const Name = (maxLength: number, description?: string) => SingleLine({ minLength: 1, maxLength, ...(description ? { description } : {}) });
/** A code the domain checks against its list (422 naming the allowed values). */
const Code = (allowed: readonly string[]) => SingleLine({ minLength: 1, maxLength: 64, description: `one of ${allowed.join(', ')}` });
const PhaseKey = Code(PHASE_KEYS);
const LocalInstant = SingleLine({ minLength: 1, maxLength: 40, description: 'YYYY-MM-DD (a start: the start of that local day; an end or a due date: by the end of it), or a local YYYY-MM-DDTHH:mm[:ss] exactly, in the template time zone' });
const Duration = SingleLine({ minLength: 1, maxLength: 40, description: 'ISO-8601 duration, e.g. P3D or PT30S' });
const Offsets = Type.Array(Duration, { maxItems: 10, description: 'ISO-8601 durations before the due instant; calendar-only ones (P3D) go out at 09:00 local' });

const Phase = Type.Object({ key: PhaseKey, nameZh: Name(100), nameEn: Name(100), start: LocalInstant, end: LocalInstant }, { additionalProperties: false });

const WorkLine = Type.Object(
  {
    line: Type.Integer({ minimum: -INT4_MAX, maximum: INT4_MAX, description: '1, 2, 3 or 4' }),
    nameZh: Name(200),
    nameEn: Name(200),
    items: Type.Array(
      Type.Object(
        {
          no: Type.Integer({ minimum: -INT4_MAX, maximum: INT4_MAX, description: 'the item number in the plan, unique over all lines' }),
          textZh: Text({ minLength: 1, maxLength: 4000 }),
          selfInspection: Type.Optional(
            Type.Union([Type.Literal('ALL'), Type.Array(Code(INDUSTRY_CODES), { minItems: 1, maxItems: 50 })], {
              description: "the enterprises whose self-inspection checklist holds this item: ALL, or those of these industries; absent, an item of the regulators'",
            }),
          ),
          leads: Type.Optional(
            Type.Object(
              {
                kinds: Type.Optional(Type.Array(Code(['COUNTY', 'DEPARTMENT']), { maxItems: 2 })),
                industries: Type.Optional(Type.Array(Code(INDUSTRY_CODES), { maxItems: 50 })),
                units: Type.Optional(Type.Array(SingleLine({ minLength: 1, maxLength: 64, description: 'a unit code' }), { maxItems: 200 })),
              },
              {
                additionalProperties: false,
                description:
                  '牵头单位, who reports on this item in the monthly progress reports: every unit of these kinds, the departments supervising enterprises of these industries on the roster (谁主管谁牵头), these units by code; absent, no unit reports on it',
              },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

const Window = { from: PhaseKey, to: PhaseKey };
const ProgressReport = Type.Union([
  Type.Object(
    { rule: Type.Literal('MONTHLY_BEFORE_DAY'), day: Type.Integer({ minimum: -INT4_MAX, maximum: INT4_MAX, description: '每月day日前: 1-31 (2-31 read EXCLUSIVE), clamped to the month’s last day' }), ...Window },
    { additionalProperties: false, description: 'one report per month whose due day falls between the opening of `from` and the close of `to`' },
  ),
  Type.Object({ rule: Type.Literal('EVERY'), every: Duration, ...Window }, { additionalProperties: false, description: 'a report every `every` from the opening of `from` while inside the window' }),
]);

const Reporting = Type.Object(
  {
    implementationPlan: Type.Object({ due: LocalInstant, phase: Code(['MOBILIZATION']) }, { additionalProperties: false }),
    progressReport: ProgressReport,
    summary: Type.Object({ due: LocalInstant }, { additionalProperties: false }),
    reminderOffsets: Offsets,
    beforeDay: Type.Optional(Code(BEFORE_DAY_READINGS)),
  },
  { additionalProperties: false, description: '"X日前" dates are read by beforeDay: INCLUSIVE (the default) = by the end of day X' },
);

const SpotCheck = Type.Object(
  {
    minRatio: Type.Number({ minimum: -NUMBER_LIMIT, maximum: NUMBER_LIMIT, description: 'the share drawn per stratum, in (0, 1]' }),
    strata: Type.Array(Code(['industry', 'county']), { maxItems: 10 }),
    population: Code(['COUNTY_SUPERVISED', 'ALL']),
    inspectionDue: Type.Optional(Duration),
    reminderOffsets: Offsets,
  },
  { additionalProperties: false, description: 'inspectionDue is read only by campaigns launched before inspections became due at the spot-check close' },
);

const Rung = Type.Object({ reviewTime: Type.Optional(Duration), reminderOffsets: Type.Optional(Offsets) }, { additionalProperties: false });
const CaseLadder = Type.Object(
  {
    rungs: Type.Optional(Type.Object(Object.fromEntries(CASE_RUNGS.map((r) => [r, Type.Optional(Rung)])), { additionalProperties: false })),
    allowSkip: Type.Optional(Type.Boolean()),
    sendTime: Type.Optional(SingleLine({ minLength: 1, maxLength: 8, description: 'HH:mm local' })),
  },
  { additionalProperties: false, description: 'the accountability ladder of cases opened in this campaign, over the default' },
);

const IndicatorRule = Type.Object(
  {
    indicator: Code(SCORING_INDICATORS),
    weight: Type.Number({ minimum: -NUMBER_LIMIT, maximum: NUMBER_LIMIT, description: 'the points the indicator gives at best, in (0, 1000]' }),
    direction: Code(SCORING_DIRECTIONS),
    zeroAt: Type.Number({ minimum: -NUMBER_LIMIT, maximum: NUMBER_LIMIT, description: 'the value giving no points' }),
    fullAt: Type.Number({ minimum: -NUMBER_LIMIT, maximum: NUMBER_LIMIT, description: 'the value giving the whole weight; linear between' }),
  },
  { additionalProperties: false },
);
const Scoring = Type.Object(
  { COUNTY: Type.Array(IndicatorRule, { maxItems: 20 }), DEPARTMENT: Type.Array(IndicatorRule, { maxItems: 20 }) },
  { additionalProperties: false, description: '打分排队: per unit kind, the indicators with their weights and linear scales (domain/scoring.ts)' },
);

const RiskCondition = Type.Object(
  { metric: Code(RISK_METRICS), atLeast: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'the level applies when the figure is at least this' }) },
  { additionalProperties: false },
);
const RiskMap = Type.Object(
  {
    levels: Type.Array(Type.Object({ level: Code(['RED', 'ORANGE', 'YELLOW']), anyOf: Type.Array(RiskCondition, { maxItems: 10, description: 'any one met puts the enterprise at this level' }) }, { additionalProperties: false }), {
      maxItems: 3,
      description: 'worst level first, each at most once; an enterprise meeting none is BLUE',
    }),
  },
  { additionalProperties: false, description: "四色图: an enterprise's level from its open hazards (OPEN_MAJOR, OPEN_GENERAL, OVERDUE, ESCALATED) and SUSPENDED (1 under 停产整顿); absent: the default rule (domain/risk-map.ts)" },
);

export const CampaignTemplateSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    version: Type.Integer({ minimum: 1, maximum: INT4_MAX }),
    name: Name(200),
    issuingBody: Name(200),
    documentNumber: Name(100),
    publishedOn: SingleLine({ minLength: 1, maxLength: 10, description: 'YYYY-MM-DD' }),
    timeZone: Type.Optional(TimeZone),
    phases: Type.Array(Phase, { maxItems: 10, description: `each of ${PHASE_KEYS.join(', ')} exactly once` }),
    industries: Type.Array(Code(INDUSTRY_CODES), { maxItems: 50 }),
    workLines: Type.Array(WorkLine, { maxItems: 10 }),
    reporting: Reporting,
    spotCheck: SpotCheck,
    hazardPolicies: Type.Optional(Type.Object({ GENERAL: Type.Optional(PolicyOverride), MAJOR: Type.Optional(PolicyOverride) }, { additionalProperties: false, description: 'per grade, over the defaults, for hazards found in this campaign; steps may count working days (P3WD)' })),
    caseLadder: Type.Optional(CaseLadder),
    scoring: Type.Optional(Scoring),
    riskMap: Type.Optional(RiskMap),
  },
  { $id: 'CampaignTemplate', additionalProperties: false, description: 'a campaign template: the plan as data (see domain/campaign.ts and the Datong plan, datong-2023)' },
);
