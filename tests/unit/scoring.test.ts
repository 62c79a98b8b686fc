// Scoring and ranking (打分排队) on hand-computed snapshots: each indicator, the linear scale both
// ways, weights, ties, a unit with nothing to measure, and the scheme's validation with field paths.
import { describe, expect, it } from 'vitest';
import { validateTemplate } from '../../domain/campaign-template';
import { datong2023Template, demoTemplate } from '../../domain/campaign';
import { defaultScoringScheme, pointsFor, rank, validateScoringScheme, type IndicatorRule, type ScoringScheme, type ScoringSnapshot, type SnapshotHazard } from '../../domain/scoring';

const T = Date.UTC(2024, 0, 15);
const before = T - 86_400_000;
const after = T + 86_400_000;

const hazard = (countyCode: string, departmentCode: string, over: Partial<SnapshotHazard> = {}): SnapshotHazard => ({ countyCode, departmentCode, source: 'SELF_INSPECTION', closed: false, overdue: false, ...over });

/** County C1 and C2, departments D1 and D2. */
const snapshot: ScoringSnapshot = {
  at: T,
  units: [
    { code: 'C2', kind: 'COUNTY' },
    { code: 'C1', kind: 'COUNTY' },
    { code: 'D1', kind: 'DEPARTMENT' },
    { code: 'D2', kind: 'DEPARTMENT' },
  ],
  duties: [
    // C1: 4 reporting duties due, 3 on time, 1 late; one not yet due and not filed (not counted); one not due but filed early on time (counted).
    { holderCode: 'C1', kind: 'IMPLEMENTATION_PLAN', dueAt: before, filed: 'ON_TIME' },
    { holderCode: 'C1', kind: 'PROGRESS_REPORT', dueAt: before, filed: 'ON_TIME' },
    { holderCode: 'C1', kind: 'PROGRESS_REPORT', dueAt: before, filed: 'LATE' },
    { holderCode: 'C1', kind: 'PROGRESS_REPORT', dueAt: before, filed: null },
    { holderCode: 'C1', kind: 'PROGRESS_REPORT', dueAt: after, filed: null },
    { holderCode: 'C1', kind: 'SUMMARY', dueAt: after, filed: 'ON_TIME' },
    // D1: 1 reporting duty on time; inspections: 4 due, 3 filed (one late), 1 not; one not yet due.
    { holderCode: 'D1', kind: 'IMPLEMENTATION_PLAN', dueAt: before, filed: 'ON_TIME' },
    { holderCode: 'D1', kind: 'INSPECTION', dueAt: before, filed: 'ON_TIME' },
    { holderCode: 'D1', kind: 'INSPECTION', dueAt: before, filed: 'ON_TIME' },
    { holderCode: 'D1', kind: 'INSPECTION', dueAt: before, filed: 'LATE' },
    { holderCode: 'D1', kind: 'INSPECTION', dueAt: before, filed: null },
    { holderCode: 'D1', kind: 'INSPECTION', dueAt: after, filed: null },
    // D2: its one reporting duty missed; nothing else.
    { holderCode: 'D2', kind: 'IMPLEMENTATION_PLAN', dueAt: before, filed: null },
  ],
  hazards: [
    hazard('C1', 'D1', { closed: true, source: 'SPOT_CHECK' }),
    hazard('C1', 'D1', { overdue: true, source: 'SPOT_CHECK' }),
    hazard('C1', 'D2', { closed: true, overdue: true }),
    hazard('C1', 'D1', { source: 'SPOT_CHECK' }),
    hazard('C2', 'D2'),
  ],
  openCases: ['C1', 'D2', 'D2'],
  selfInspections: [
    { countyCode: 'C1', declared: true },
    { countyCode: 'C1', declared: false },
    { countyCode: 'C1', declared: true },
    { countyCode: 'C1', declared: true },
    { countyCode: 'C2', declared: false },
  ],
};

const ind = (scores: ReturnType<typeof rank>, unit: string, indicator: string) => scores.find((u) => u.unitCode === unit)!.indicators.find((i) => i.indicator === indicator)!;

describe('indicators', () => {
  const counties = rank(snapshot, defaultScoringScheme(), 'COUNTY');
  const departments = rank(snapshot, defaultScoringScheme(), 'DEPARTMENT');

  it('duty timeliness counts duties due or filed by the instant, on time over counted', () => {
    // C1: counted = 4 due + 1 filed early = 5; on time = 2 due + 1 early = 3.
    expect(ind(counties, 'C1', 'DUTY_TIMELINESS')).toMatchObject({ numerator: 3, denominator: 5, value: 0.6, weight: 25, points: 15 });
    // Inspection duties are not reporting duties: D1 has 1 of 1.
    expect(ind(departments, 'D1', 'DUTY_TIMELINESS')).toMatchObject({ numerator: 1, denominator: 1, value: 1, points: 20 });
    expect(ind(departments, 'D2', 'DUTY_TIMELINESS')).toMatchObject({ numerator: 0, denominator: 1, value: 0, points: 0 });
  });

  it('self-inspection coverage is the share of the county roster that declared', () => {
    expect(ind(counties, 'C1', 'SELF_INSPECTION_COVERAGE')).toMatchObject({ numerator: 3, denominator: 4, value: 0.75, points: 18.75 });
    expect(ind(counties, 'C2', 'SELF_INSPECTION_COVERAGE')).toMatchObject({ numerator: 0, denominator: 1, value: 0, points: 0 });
  });

  it('inspection coverage counts filed inspections, late ones too, over those due', () => {
    expect(ind(departments, 'D1', 'INSPECTION_COVERAGE')).toMatchObject({ numerator: 3, denominator: 4, value: 0.75, weight: 25, points: 18.75 });
  });

  it('rectification and overdue rates are over the hazards found in the unit scope', () => {
    // C1: 4 found, 2 closed, 2 overdue at some point.
    expect(ind(counties, 'C1', 'RECTIFICATION_RATE')).toMatchObject({ numerator: 2, denominator: 4, value: 0.5, points: 12.5 });
    // Overdue 50% is zeroAt: no points.
    expect(ind(counties, 'C1', 'OVERDUE_RATE')).toMatchObject({ numerator: 2, denominator: 4, value: 0.5, points: 0 });
    // D1: 3 found (all spot-check), 1 closed, 1 overdue: 1/3 overdue gives 15 × (0.5 − 1/3) / 0.5 = 5.
    expect(ind(departments, 'D1', 'RECTIFICATION_RATE')).toMatchObject({ numerator: 1, denominator: 3, points: 6.67 });
    expect(ind(departments, 'D1', 'OVERDUE_RATE')).toMatchObject({ numerator: 1, denominator: 3, points: 5 });
  });

  it('findings per inspection: spot-check hazards in the department over inspections filed', () => {
    // 3 / 3 = 1 per inspection: half of 10 points (fullAt 2).
    expect(ind(departments, 'D1', 'FINDINGS_PER_INSPECTION')).toMatchObject({ numerator: 3, denominator: 3, value: 1, points: 5 });
  });

  it('open cases are a count about the unit, scored down to nothing at three', () => {
    expect(ind(counties, 'C1', 'OPEN_CASES')).toMatchObject({ numerator: 1, denominator: null, value: 1, points: 6.67 });
    expect(ind(departments, 'D2', 'OPEN_CASES')).toMatchObject({ value: 2, points: 3.33 });
    expect(ind(counties, 'C2', 'OPEN_CASES')).toMatchObject({ value: 0, points: 10 });
  });

  it('nothing to measure gives a null value and the whole weight (no division by zero)', () => {
    // C2 had no duty due and found one hazard; D2 filed no inspection and had none due.
    expect(ind(counties, 'C2', 'DUTY_TIMELINESS')).toMatchObject({ numerator: 0, denominator: 0, value: null, points: 25 });
    expect(ind(departments, 'D2', 'INSPECTION_COVERAGE')).toMatchObject({ denominator: 0, value: null, points: 25 });
    expect(ind(departments, 'D2', 'FINDINGS_PER_INSPECTION')).toMatchObject({ denominator: 0, value: null, points: 10 });
  });

  it('totals are the sums of the points, ranked highest first', () => {
    // C1: 15 + 18.75 + 12.5 + 0 + 6.67 = 52.92; C2: 25 + 0 + 0 (0 of 1 closed) + 15 (0 of 1 overdue) + 10 = 50.
    expect(counties.map((u) => [u.unitCode, u.total, u.rank])).toEqual([
      ['C1', 52.92, 1],
      ['C2', 50, 2],
    ]);
    // D1: 20 + 18.75 + 5 + 6.67 + 5 + 10 = 65.42; D2: 0 + 25 (none due) + 10 (none filed) + 10 (1 of 2 closed) + 0 (1 of 2 overdue) + 3.33 = 48.33.
    expect(departments.map((u) => [u.unitCode, u.total, u.rank])).toEqual([
      ['D1', 65.42, 1],
      ['D2', 48.33, 2],
    ]);
  });
});

describe('the scale', () => {
  const higher: IndicatorRule = { indicator: 'RECTIFICATION_RATE', weight: 40, direction: 'HIGHER_IS_BETTER', zeroAt: 0.2, fullAt: 0.8 };
  const lower: IndicatorRule = { indicator: 'OPEN_CASES', weight: 10, direction: 'LOWER_IS_BETTER', zeroAt: 4, fullAt: 0 };

  it('is linear between zeroAt and fullAt and clamped beyond, either way', () => {
    expect([0, 0.2, 0.5, 0.8, 1].map((v) => pointsFor(higher, v))).toEqual([0, 0, 20, 40, 40]);
    expect([0, 1, 3, 4, 9].map((v) => pointsFor(lower, v))).toEqual([10, 7.5, 2.5, 0, 0]);
  });

  it('weights decide the order: the same snapshot ranks the other way under another scheme', () => {
    const s: ScoringSnapshot = {
      at: T,
      units: [
        { code: 'A', kind: 'COUNTY' },
        { code: 'B', kind: 'COUNTY' },
      ],
      duties: [
        { holderCode: 'A', kind: 'SUMMARY', dueAt: before, filed: 'ON_TIME' },
        { holderCode: 'B', kind: 'SUMMARY', dueAt: before, filed: null },
      ],
      hazards: [hazard('A', 'X'), hazard('B', 'X', { closed: true })],
      openCases: [],
      selfInspections: [],
    };
    const scheme = (duty: number, rect: number): ScoringScheme => ({
      COUNTY: [
        { indicator: 'DUTY_TIMELINESS', weight: duty, direction: 'HIGHER_IS_BETTER', zeroAt: 0, fullAt: 1 },
        { indicator: 'RECTIFICATION_RATE', weight: rect, direction: 'HIGHER_IS_BETTER', zeroAt: 0, fullAt: 1 },
      ],
      DEPARTMENT: [],
    });
    expect(rank(s, scheme(70, 30), 'COUNTY').map((u) => [u.unitCode, u.total])).toEqual([
      ['A', 70],
      ['B', 30],
    ]);
    expect(rank(s, scheme(30, 70), 'COUNTY').map((u) => [u.unitCode, u.total])).toEqual([
      ['B', 70],
      ['A', 30],
    ]);
  });

  it('equal totals share a rank, listed by unit code; the next rank skips', () => {
    const s: ScoringSnapshot = {
      at: T,
      units: ['Z', 'M', 'A', 'Q'].map((code) => ({ code, kind: 'COUNTY' as const })),
      duties: [{ holderCode: 'Q', kind: 'SUMMARY', dueAt: before, filed: null }],
      hazards: [],
      openCases: ['A'],
      selfInspections: [],
    };
    const scheme: ScoringScheme = {
      COUNTY: [
        { indicator: 'DUTY_TIMELINESS', weight: 50, direction: 'HIGHER_IS_BETTER', zeroAt: 0, fullAt: 1 },
        { indicator: 'OPEN_CASES', weight: 50, direction: 'LOWER_IS_BETTER', zeroAt: 1, fullAt: 0 },
      ],
      DEPARTMENT: [],
    };
    expect(rank(s, scheme, 'COUNTY').map((u) => [u.unitCode, u.total, u.rank])).toEqual([
      ['M', 100, 1],
      ['Z', 100, 1],
      ['A', 50, 3],
      ['Q', 50, 3],
    ]);
  });
});

describe('the scheme in a template', () => {
  it('the Datong and demo templates carry the default scheme and validate', () => {
    expect(datong2023Template.scoring).toEqual(defaultScoringScheme());
    const v = validateTemplate(datong2023Template);
    expect(v.ok && v.template.scoring).toEqual(defaultScoringScheme());
    const d = validateTemplate(demoTemplate(Date.UTC(2030, 0, 1)));
    expect(d.ok && d.template.scoring).toEqual(defaultScoringScheme());
  });

  it('every bad rule is named by its path', () => {
    const bad = {
      COUNTY: [
        { indicator: 'INSPECTION_COVERAGE', weight: 10, direction: 'HIGHER_IS_BETTER', zeroAt: 0, fullAt: 1 },
        { indicator: 'OVERDUE_RATE', weight: 0, direction: 'HIGHER_IS_BETTER', zeroAt: 0.5, fullAt: 0 },
        { indicator: 'OVERDUE_RATE', weight: 5, direction: 'SIDEWAYS', zeroAt: -1, fullAt: 0 },
      ],
      DEPARTMENT: [],
      CITY: [],
    };
    const fields = validateScoringScheme(bad, 'scoring').errors.map((e) => e.field);
    expect(fields.sort()).toEqual(
      ['scoring.CITY', 'scoring.COUNTY[0].indicator', 'scoring.COUNTY[1].weight', 'scoring.COUNTY[1].fullAt', 'scoring.COUNTY[2].indicator', 'scoring.COUNTY[2].direction', 'scoring.COUNTY[2].zeroAt', 'scoring.DEPARTMENT'].sort(),
    );
    const t = validateTemplate({ ...datong2023Template, scoring: bad });
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.errors.map((e) => e.field)).toContain('scoring.COUNTY[1].fullAt');
  });
});
