// GET /v1/campaigns/{id}/ranking: the scheme, the instant, and per unit each indicator's value and points, its total and rank.
import { Type } from 'typebox';
import { SCORING_DIRECTIONS, SCORING_INDICATORS, UNIT_KINDS } from '../../domain/scoring';

export const RankingParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const RankingQuery = Type.Object(
  {
    at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'the instant (ISO-8601 with an offset); now by default; not in the future' })),
    kind: Type.Optional(Type.Enum(UNIT_KINDS, { description: 'the units ranked; COUNTY by default' })),
  },
  { additionalProperties: false },
);

const Rule = Type.Object({ indicator: Type.Enum(SCORING_INDICATORS), weight: Type.Number(), direction: Type.Enum(SCORING_DIRECTIONS), zeroAt: Type.Number(), fullAt: Type.Number() });
const Indicator = Type.Object({
  indicator: Type.Enum(SCORING_INDICATORS),
  numerator: Type.Integer({ minimum: 0 }),
  denominator: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null for a count (OPEN_CASES)' }),
  value: Type.Union([Type.Number(), Type.Null()], { description: 'numerator / denominator, or the count; null when there was nothing to measure (the indicator gives its whole weight)' }),
  weight: Type.Number(),
  points: Type.Number(),
});
const UnitScore = Type.Object({ unitCode: Type.String(), kind: Type.Enum(UNIT_KINDS), indicators: Type.Array(Indicator), total: Type.Number(), rank: Type.Integer({ minimum: 1 }) });

export const Ranking = Type.Object({
  campaignId: Type.String({ format: 'uuid' }),
  at: Type.String({ format: 'date-time' }),
  kind: Type.Enum(UNIT_KINDS),
  scheme: Type.Array(Rule, { description: "the template's rules for this kind (the default scheme for a campaign launched before scoring)" }),
  units: Type.Array(UnitScore, { description: 'highest total first; equal totals share a rank and are listed by unit code' }),
});
