// The four-colour risk map (四色图) of a campaign: levels per enterprise with their reasons, and the
// counts per county × industry coloured by the worst level.
import { Type } from 'typebox';
import { RISK_LEVELS, RISK_METRICS } from '../../domain/risk-map';
import { INDUSTRY_CODES } from '../../domain/industries';
import { PageQuery } from './common';

const Level = Type.Enum(RISK_LEVELS, { description: 'RED (红), ORANGE (橙), YELLOW (黄), BLUE (蓝)' });
const Counts = Type.Object({ RED: Type.Integer(), ORANGE: Type.Integer(), YELLOW: Type.Integer(), BLUE: Type.Integer() });
const Metrics = Type.Object(Object.fromEntries(RISK_METRICS.map((m) => [m, Type.Integer()])) as Record<(typeof RISK_METRICS)[number], ReturnType<typeof Type.Integer>>);
const Location = Type.Union([Type.Object({ latitude: Type.Number(), longitude: Type.Number() }), Type.Null()]);

export const RiskMapParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const RiskRule = Type.Object({
  levels: Type.Array(Type.Object({ level: Type.String(), anyOf: Type.Array(Type.Object({ metric: Type.String(), atLeast: Type.Integer() })) })),
});

export const RiskMap = Type.Object({
  campaignId: Type.String(),
  at: Type.String({ format: 'date-time', description: 'the instant the figures were read: the map is of now' }),
  rule: RiskRule,
  totals: Counts,
  cells: Type.Array(
    Type.Object({
      countyCode: Type.String(),
      industry: Type.String(),
      level: Level,
      counts: Counts,
      total: Type.Integer(),
    }),
    { description: 'county × industry, coloured by the worst level of its enterprises; the list behind a cell: GET …/risk-map/enterprises?countyCode=&industry=' },
  ),
  points: Type.Array(Type.Object({ enterpriseId: Type.String(), level: Level, latitude: Type.Number(), longitude: Type.Number() }), {
    description: 'the enterprises with coordinates on the roster, for a scatter over the city',
  }),
});

export const RiskEnterprisesQuery = Type.Object(
  {
    countyCode: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.-]*$' })),
    industry: Type.Optional(Type.Enum(INDUSTRY_CODES)),
    level: Type.Optional(Level),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const RiskEnterprises = Type.Object({
  items: Type.Array(
    Type.Object({
      enterpriseId: Type.String(),
      name: Type.String(),
      creditCode: Type.String(),
      countyCode: Type.String(),
      departmentCode: Type.String(),
      industry: Type.String(),
      level: Level,
      reasons: Type.Array(Type.Object({ metric: Type.String(), value: Type.Integer(), atLeast: Type.Integer(), textZh: Type.String(), textEn: Type.String() }), {
        description: "the conditions of its level that it meets (none for BLUE)",
      }),
      metrics: Metrics,
      location: Location,
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
