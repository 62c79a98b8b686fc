// Scoring and ranking (打分排队): the scheme is template data, the ranking a pure function of a
// ledger snapshot taken at an instant (db/scoring.repo.ts reads only what was on the ledger by
// then), so any past ranking can be computed again and comes out the same.
//
// The rule, one for every indicator: an indicator's value is a share or a count; it scores
//   points = weight × clamp((value − zeroAt) / (fullAt − zeroAt), 0, 1)
// i.e. nothing at `zeroAt` or worse, the whole weight at `fullAt` or better, linear between,
// rounded to two decimals. `direction` says which way is better and must agree with the scale
// (HIGHER_IS_BETTER: fullAt > zeroAt; LOWER_IS_BETTER: fullAt < zeroAt).
// Nothing to measure (no duty due yet, no hazard found, no inspection filed): the value is null
// and the indicator gives its whole weight: a unit is not marked down for what it was not yet
// asked to do, and nothing divides by zero.
// A unit's total is the sum of its points (two decimals). Rank: by total, highest first; equal
// totals share a rank (competition ranking: 1, 1, 3) and are listed by unit code.
import type { FieldError } from './errors';
import type { HazardSource } from './hazard';

export const UNIT_KINDS = ['COUNTY', 'DEPARTMENT'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/**
 * The indicators and their sources on the ledger (read by db/scoring.repo.ts as of the instant):
 * - DUTY_TIMELINESS: the unit's reporting duties (plan, progress reports, summary: `duties` and
 *   `duty_events`) due by the instant or filed before it; value = filed on time (DUTY_SUBMITTED,
 *   not DUTY_SUBMITTED_LATE) / counted.
 * - SELF_INSPECTION_COVERAGE (counties): the county's enterprises on the roster frozen at launch
 *   (`campaign_rosters`) whose SELF_INSPECTION duty was assigned by then; value = those whose duty
 *   was filed by then (a DUTY_SUBMITTED or DUTY_SUBMITTED_LATE in `duty_events`) / counted. A
 *   campaign launched before those duties: every roster enterprise, declared by then
 *   (`self_inspections.declared_at`).
 * - INSPECTION_COVERAGE (departments): the department's spot-check inspection duties (INSPECTION)
 *   due by then or filed before; value = filed (on time or late) / counted.
 * - RECTIFICATION_RATE: hazards found in the campaign in the unit's scope (its county, or the
 *   department supervising the enterprise), found by then (`hazard_events`); value = closed by then / found.
 * - OVERDUE_RATE: of the same hazards, those overdue at some point by then (an OVERDUE event) / found.
 * - FINDINGS_PER_INSPECTION (departments): hazards from spot-check inspections (source SPOT_CHECK)
 *   in the department's scope / inspections it filed; null before the first inspection is filed.
 * - OPEN_CASES: accountability cases of the campaign whose subject is the unit, opened by then and
 *   not resolved by then (`case_events`); value = the count (never null).
 */
export const SCORING_INDICATORS = ['DUTY_TIMELINESS', 'SELF_INSPECTION_COVERAGE', 'INSPECTION_COVERAGE', 'RECTIFICATION_RATE', 'OVERDUE_RATE', 'FINDINGS_PER_INSPECTION', 'OPEN_CASES'] as const;
export type ScoringIndicator = (typeof SCORING_INDICATORS)[number];

/** Which indicators a unit kind can be scored on. */
export const INDICATORS_OF: Record<UnitKind, readonly ScoringIndicator[]> = {
  COUNTY: ['DUTY_TIMELINESS', 'SELF_INSPECTION_COVERAGE', 'RECTIFICATION_RATE', 'OVERDUE_RATE', 'OPEN_CASES'],
  DEPARTMENT: ['DUTY_TIMELINESS', 'INSPECTION_COVERAGE', 'FINDINGS_PER_INSPECTION', 'RECTIFICATION_RATE', 'OVERDUE_RATE', 'OPEN_CASES'],
};

export const SCORING_DIRECTIONS = ['HIGHER_IS_BETTER', 'LOWER_IS_BETTER'] as const;
export type ScoringDirection = (typeof SCORING_DIRECTIONS)[number];

export interface IndicatorRule {
  indicator: ScoringIndicator;
  /** The points the indicator gives at best. */
  weight: number;
  direction: ScoringDirection;
  /** The value at which (and beyond which, the wrong way) it gives no points. */
  zeroAt: number;
  /** The value at which (and beyond which, the right way) it gives its whole weight. */
  fullAt: number;
}

export type ScoringScheme = Record<UnitKind, IndicatorRule[]>;

export const MAX_WEIGHT = 1000;
export const MAX_SCALE_VALUE = 1e6;

const rule = (indicator: ScoringIndicator, weight: number, zeroAt: number, fullAt: number): IndicatorRule => ({
  indicator,
  weight,
  direction: fullAt > zeroAt ? 'HIGHER_IS_BETTER' : 'LOWER_IS_BETTER',
  zeroAt,
  fullAt,
});

/**
 * The default scheme (100 points per kind), used by the Datong template and the demo: shares score
 * linearly from 0 to 100%; an overdue rate of 50% or more scores nothing; three open cases or more
 * score nothing; two or more findings per inspection score in full (an inspection that finds
 * nothing at all is the "安全检查流于形式" the plan warns of).
 */
export function defaultScoringScheme(): ScoringScheme {
  return {
    COUNTY: [rule('DUTY_TIMELINESS', 25, 0, 1), rule('SELF_INSPECTION_COVERAGE', 25, 0, 1), rule('RECTIFICATION_RATE', 25, 0, 1), rule('OVERDUE_RATE', 15, 0.5, 0), rule('OPEN_CASES', 10, 3, 0)],
    DEPARTMENT: [
      rule('DUTY_TIMELINESS', 20, 0, 1),
      rule('INSPECTION_COVERAGE', 25, 0, 1),
      rule('FINDINGS_PER_INSPECTION', 10, 0, 2),
      rule('RECTIFICATION_RATE', 20, 0, 1),
      rule('OVERDUE_RATE', 15, 0.5, 0),
      rule('OPEN_CASES', 10, 3, 0),
    ],
  };
}

// ---- The snapshot: the ledger as it stood at the instant ----

export interface SnapshotDuty {
  holderCode: string;
  /** IMPLEMENTATION_PLAN, PROGRESS_REPORT, SUMMARY, INSPECTION (other kinds are not scored). */
  kind: string;
  /** Its due instant as it stood at the snapshot's instant (epoch ms). */
  dueAt: number;
  /** Filed by the instant: on time, late, or not (yet). */
  filed: 'ON_TIME' | 'LATE' | null;
}

export interface SnapshotHazard {
  countyCode: string;
  departmentCode: string;
  source: HazardSource;
  closed: boolean;
  /** Overdue at some point by the instant. */
  overdue: boolean;
}

export interface ScoringSnapshot {
  /** The instant (epoch ms). */
  at: number;
  units: { code: string; kind: UnitKind }[];
  /** The units' duties assigned by the instant. */
  duties: SnapshotDuty[];
  /** Hazards found in the campaign by the instant. */
  hazards: SnapshotHazard[];
  /** The subject unit of each accountability case of the campaign open at the instant. */
  openCases: string[];
  /** The frozen roster's enterprises, with whether each declared its self-inspection by the instant. */
  selfInspections: { countyCode: string; declared: boolean }[];
}

export interface IndicatorScore {
  indicator: ScoringIndicator;
  numerator: number;
  /** Null for a count (OPEN_CASES). */
  denominator: number | null;
  /** numerator / denominator (or the count); null when there is nothing to measure. */
  value: number | null;
  weight: number;
  points: number;
}

export interface UnitScore {
  unitCode: string;
  kind: UnitKind;
  indicators: IndicatorScore[];
  total: number;
  rank: number;
}

const REPORTING_DUTIES = ['IMPLEMENTATION_PLAN', 'PROGRESS_REPORT', 'SUMMARY'];
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A duty counts once it is due or filed: one filed early is not waited for. */
const counted = (d: SnapshotDuty, at: number) => d.dueAt <= at || d.filed !== null;

/** The numerator and denominator of an indicator for a unit. */
function measure(s: ScoringSnapshot, unit: { code: string; kind: UnitKind }, indicator: ScoringIndicator): { numerator: number; denominator: number | null } {
  const duties = s.duties.filter((d) => d.holderCode === unit.code && counted(d, s.at));
  const inScope = s.hazards.filter((h) => (unit.kind === 'COUNTY' ? h.countyCode : h.departmentCode) === unit.code);
  const inspections = duties.filter((d) => d.kind === 'INSPECTION');
  switch (indicator) {
    case 'DUTY_TIMELINESS': {
      const reporting = duties.filter((d) => REPORTING_DUTIES.includes(d.kind));
      return { numerator: reporting.filter((d) => d.filed === 'ON_TIME').length, denominator: reporting.length };
    }
    case 'SELF_INSPECTION_COVERAGE': {
      const roster = s.selfInspections.filter((e) => e.countyCode === unit.code);
      return { numerator: roster.filter((e) => e.declared).length, denominator: roster.length };
    }
    case 'INSPECTION_COVERAGE':
      return { numerator: inspections.filter((d) => d.filed !== null).length, denominator: inspections.length };
    case 'RECTIFICATION_RATE':
      return { numerator: inScope.filter((h) => h.closed).length, denominator: inScope.length };
    case 'OVERDUE_RATE':
      return { numerator: inScope.filter((h) => h.overdue).length, denominator: inScope.length };
    case 'FINDINGS_PER_INSPECTION':
      return { numerator: inScope.filter((h) => h.source === 'SPOT_CHECK').length, denominator: inspections.filter((d) => d.filed !== null).length };
    case 'OPEN_CASES':
      return { numerator: s.openCases.filter((c) => c === unit.code).length, denominator: null };
  }
}

/** The points a value gives under a rule (see the rule at the top); null gives the whole weight. */
export function pointsFor(r: IndicatorRule, value: number | null): number {
  if (value === null) return r.weight;
  const share = Math.min(1, Math.max(0, (value - r.zeroAt) / (r.fullAt - r.zeroAt)));
  return round2(r.weight * share);
}

/** Scores one indicator of a unit. */
export function scoreIndicator(s: ScoringSnapshot, unit: { code: string; kind: UnitKind }, r: IndicatorRule): IndicatorScore {
  const { numerator, denominator } = measure(s, unit, r.indicator);
  const value = denominator === null ? numerator : denominator === 0 ? null : numerator / denominator;
  return { indicator: r.indicator, numerator, denominator, value, weight: r.weight, points: pointsFor(r, value) };
}

/** The ranking of the snapshot's units of one kind under the scheme: highest total first, ties share a rank and go by unit code. */
export function rank(s: ScoringSnapshot, scheme: ScoringScheme, kind: UnitKind): UnitScore[] {
  const scored = s.units
    .filter((u) => u.kind === kind)
    .map((u) => {
      const indicators = scheme[kind].map((r) => scoreIndicator(s, u, r));
      return { unitCode: u.code, kind, indicators, total: round2(indicators.reduce((a, i) => a + i.points, 0)), rank: 0 };
    })
    .sort((a, b) => b.total - a.total || (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0));
  scored.forEach((u, i) => {
    const prev = scored[i - 1];
    u.rank = prev && prev.total === u.total ? prev.rank : i + 1;
  });
  return scored;
}

// ---- Validation (a template's `scoring`, from outside) ----

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)));

/** Checks a scheme from outside; every problem with its path under `path` (`scoring.COUNTY[2].fullAt`). */
export function validateScoringScheme(v: unknown, path: string): { errors: FieldError[]; scheme: ScoringScheme | null } {
  const errors: FieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field, reason });
  if (!isRecord(v)) return { errors: [{ field: path, reason: `must be an object with COUNTY and DEPARTMENT lists of indicators, got ${show(v)}` }], scheme: null };
  for (const k of Object.keys(v)) if (!(UNIT_KINDS as readonly string[]).includes(k)) err(`${path}.${k}`, `'${k}' is not a unit kind: COUNTY or DEPARTMENT`);
  const scheme: ScoringScheme = { COUNTY: [], DEPARTMENT: [] };
  for (const kind of UNIT_KINDS) {
    const list = v[kind];
    const kpath = `${path}.${kind}`;
    if (!Array.isArray(list) || list.length === 0) {
      err(kpath, `is required: a non-empty list of indicators (${INDICATORS_OF[kind].join(', ')})`);
      continue;
    }
    const seen = new Map<string, number>();
    list.forEach((r: unknown, i) => {
      const rpath = `${kpath}[${i}]`;
      if (!isRecord(r)) return err(rpath, `must be an object { indicator, weight, direction, zeroAt, fullAt }, got ${show(r)}`);
      const ind = r.indicator;
      if (typeof ind !== 'string' || !INDICATORS_OF[kind].includes(ind as ScoringIndicator)) err(`${rpath}.indicator`, `${show(ind)} is not an indicator of a ${kind.toLowerCase()}: one of ${INDICATORS_OF[kind].join(', ')}`);
      else if (seen.has(ind)) err(`${rpath}.indicator`, `'${ind}' is listed twice (first at ${kpath}[${seen.get(ind)}])`);
      else seen.set(ind, i);
      const weight = r.weight;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > MAX_WEIGHT) err(`${rpath}.weight`, `must be a number of points in (0, ${MAX_WEIGHT}], got ${show(weight)}`);
      const num = (name: 'zeroAt' | 'fullAt'): number | null => {
        const x = r[name];
        if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > MAX_SCALE_VALUE) {
          err(`${rpath}.${name}`, `must be a value from 0 to ${MAX_SCALE_VALUE} (a share such as 0.5, or a count), got ${show(x)}`);
          return null;
        }
        return x;
      };
      const zeroAt = num('zeroAt');
      const fullAt = num('fullAt');
      const direction = r.direction;
      if (direction !== 'HIGHER_IS_BETTER' && direction !== 'LOWER_IS_BETTER') err(`${rpath}.direction`, `must be 'HIGHER_IS_BETTER' or 'LOWER_IS_BETTER', got ${show(direction)}`);
      else if (zeroAt !== null && fullAt !== null) {
        if (zeroAt === fullAt) err(`${rpath}.fullAt`, `must differ from zeroAt (${zeroAt}): the scale runs from zeroAt to fullAt`);
        else if ((direction === 'HIGHER_IS_BETTER') !== fullAt > zeroAt) {
          err(`${rpath}.fullAt`, `${fullAt} is ${fullAt > zeroAt ? 'above' : 'below'} zeroAt ${zeroAt}, which contradicts direction ${direction} (${direction === 'HIGHER_IS_BETTER' ? 'fullAt > zeroAt' : 'fullAt < zeroAt'})`);
        }
      }
      if (typeof ind === 'string' && (INDICATORS_OF[kind] as readonly string[]).includes(ind) && typeof weight === 'number' && zeroAt !== null && fullAt !== null && (direction === 'HIGHER_IS_BETTER' || direction === 'LOWER_IS_BETTER')) {
        scheme[kind].push({ indicator: ind as ScoringIndicator, weight, direction, zeroAt, fullAt });
      }
    });
  }
  return { errors, scheme: errors.length === 0 ? scheme : null };
}

/** A copy (templates are copied by hand: structuredClone may be missing in the workflow sandbox). */
export const copyScoringScheme = (s: ScoringScheme): ScoringScheme => ({ COUNTY: s.COUNTY.map((r) => ({ ...r })), DEPARTMENT: s.DEPARTMENT.map((r) => ({ ...r })) });
