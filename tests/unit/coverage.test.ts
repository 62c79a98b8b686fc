import { describe, expect, it } from 'vitest';
import { coverageOf } from '../../domain/coverage';
import type { RosterEntry } from '../../domain/spot-check';

const e = (enterpriseId: string, countyCode: string, departmentCode: string, industry: string, supervisionLevel: 'CITY' | 'COUNTY' = 'COUNTY'): RosterEntry => ({ enterpriseId, countyCode, departmentCode, industry, supervisionLevel });

describe('coverage over a roster', () => {
  const roster = [e('a1', 'A', 'D1', 'COAL_MINE'), e('a2', 'A', 'D1', 'FIRE_SAFETY'), e('a3', 'A', 'D2', 'FIRE_SAFETY', 'CITY'), e('b1', 'B', 'D2', 'FIRE_SAFETY', 'CITY'), e('b2', 'B', 'D1', 'COAL_MINE')];
  const selfDuties = [
    { enterpriseId: 'a1', state: 'SUBMITTED', late: false },
    { enterpriseId: 'a2', state: 'SUBMITTED', late: true },
    { enterpriseId: 'a3', state: 'PENDING', late: false },
    { enterpriseId: 'b1', state: 'MISSED', late: false },
    { enterpriseId: 'b2', state: 'MISSED', late: false },
    // Not on the roster (deactivated since launch and left out): not counted.
    { enterpriseId: 'gone', state: 'SUBMITTED', late: false },
  ];
  const c = coverageOf(roster, selfDuties, new Set(['a3', 'b2']));

  it('counts self-inspection duties filed, filed late and missed per county, department and industry', () => {
    expect(c.selfInspection.total).toEqual({ due: 5, filed: 2, filedLate: 1, missed: 2, share: 2 / 5 });
    expect(c.selfInspection.byCounty).toEqual({ A: { due: 3, filed: 2, filedLate: 1, missed: 0, share: 2 / 3 }, B: { due: 2, filed: 0, filedLate: 0, missed: 2, share: 0 } });
    expect(c.selfInspection.byDepartment.D1).toEqual({ due: 3, filed: 2, filedLate: 1, missed: 1, share: 2 / 3 });
    expect(c.selfInspection.byIndustry.COAL_MINE).toEqual({ due: 2, filed: 1, filedLate: 0, missed: 1, share: 1 / 2 });
  });

  it('covers a county by inspection or self-inspection, and a department by inspecting its key-supervision enterprises only', () => {
    expect(c.byCounty).toEqual({ A: { required: 3, covered: 3, share: 1 }, B: { required: 2, covered: 1, share: 1 / 2 } });
    // D2 supervises a3 and b1 at city level: a3 inspected, b1 not (its missed self-inspection does not count for a department).
    expect(c.byDepartment).toEqual({ D2: { required: 2, covered: 1, share: 1 / 2 } });
    expect(c.byIndustry).toEqual({ COAL_MINE: { required: 2, covered: 2, share: 1 }, FIRE_SAFETY: { required: 3, covered: 2, share: 2 / 3 } });
  });

  it('gives zero shares, not NaN, where nothing is due', () => {
    expect(coverageOf([e('x', 'C', 'D', 'COAL_MINE')], [], new Set()).selfInspection.total).toEqual({ due: 0, filed: 0, filedLate: 0, missed: 0, share: 0 });
  });
});
