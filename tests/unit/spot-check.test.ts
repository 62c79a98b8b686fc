import { describe, expect, it } from 'vitest';
import {
  drawSpotCheck,
  requiredSampleSize,
  seededRandom,
  verifyDraw,
  type RosterEntry,
  type SpotCheckDraw,
  type SpotCheckDrawRule,
} from '../../domain/spot-check';

const TEN_PERCENT: SpotCheckDrawRule = { minRatio: 0.1, strata: ['industry'], population: 'COUNTY_SUPERVISED' };
const BY_COUNTY: SpotCheckDrawRule = { ...TEN_PERCENT, strata: ['industry', 'county'] };

const entry = (enterpriseId: string, industry: string, over: Partial<RosterEntry> = {}): RosterEntry => ({
  enterpriseId,
  industry,
  countyCode: '140202',
  departmentCode: 'yjj',
  supervisionLevel: 'COUNTY',
  ...over,
});

/** n county-supervised enterprises of one industry, ids `<prefix>-000`, `<prefix>-001`, ... */
const many = (n: number, industry: string, prefix = industry.toLowerCase(), over: Partial<RosterEntry> = {}) =>
  Array.from({ length: n }, (_, i) => entry(`${prefix}-${String(i).padStart(3, '0')}`, industry, over));

/** A deterministic test-only generator (an LCG), independent of the code under test. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

const INDUSTRIES = ['COAL_MINE', 'NON_COAL_MINE', 'HAZARDOUS_CHEMICALS', 'CONSTRUCTION', 'FIRE_SAFETY'];
const COUNTIES = ['140202', '140203', '140212', '140213'];

/** About 100 enterprises spread over five industries and four counties, a fifth of them city-supervised. */
function randomRoster(seed: number, size = 100): RosterEntry[] {
  const pick = lcg(seed);
  return Array.from({ length: size }, (_, i) =>
    entry(`91140200MA${String(seed).padStart(2, '0')}${String(i).padStart(5, '0')}`, INDUSTRIES[pick(INDUSTRIES.length)]!, {
      countyCode: COUNTIES[pick(COUNTIES.length)]!,
      departmentCode: `dept-${pick(3)}`,
      supervisionLevel: pick(5) === 0 ? 'CITY' : 'COUNTY',
    }),
  );
}

function shuffled<T>(list: T[], seed: number): T[] {
  const pick = lcg(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const stratum = (draw: SpotCheckDraw, key: string) => draw.strata.find((s) => s.key === key);

describe('requiredSampleSize', () => {
  it('takes 3 of 30 at 10%', () => {
    expect(requiredSampleSize(0.1, 30)).toBe(3);
  });

  it('rounds away floating-point noise before the ceiling: 7% of 100 and 14% of 50 are 7, not 8', () => {
    // 0.1 × 30 happens to be exactly 3 in binary floating point, but these are not:
    expect(0.07 * 100).toBe(7.000000000000001);
    expect(0.14 * 50).toBe(7.000000000000001);
    expect(requiredSampleSize(0.07, 100)).toBe(7);
    expect(requiredSampleSize(0.14, 50)).toBe(7);
  });

  it.each([
    [0.1, 31, 4],
    [0.1, 1, 1],
    [0.1, 9, 1],
    [0.1, 10, 1],
    [0.1, 11, 2],
    [0.1, 100, 10],
    [0.07, 101, 8],
    [0.1, 0, 0],
    [1, 7, 7],
    [0.5, 3, 2],
  ])('takes ceil(%d × %d) = %d', (ratio, population, required) => {
    expect(requiredSampleSize(ratio, population)).toBe(required);
  });
});

describe('seededRandom', () => {
  it('gives the same unsigned 32-bit sequence for the same seed and another for another seed', () => {
    const take = (seed: string) => {
      const next = seededRandom(seed);
      return Array.from({ length: 5 }, () => next());
    };
    expect(take('2023-12-01')).toEqual(take('2023-12-01'));
    expect(take('2023-12-01')).not.toEqual(take('2023-12-02'));
    for (const x of take('抽查')) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });
});

describe('drawSpotCheck', () => {
  it('draws 3 of 30, 4 of 31 and 1 of 1, each from its own industry', () => {
    const roster = [...many(30, 'COAL_MINE'), ...many(31, 'CONSTRUCTION'), ...many(1, 'FIRE_SAFETY')];
    const draw = drawSpotCheck(roster, TEN_PERCENT, 'seed-1');
    expect(draw.strata.map((s) => [s.key, s.population, s.required, s.drawn.length])).toEqual([
      ['COAL_MINE', 30, 3, 3],
      ['CONSTRUCTION', 31, 4, 4],
      ['FIRE_SAFETY', 1, 1, 1],
    ]);
    expect(stratum(draw, 'FIRE_SAFETY')!.drawn).toEqual(['fire_safety-000']);
    for (const s of draw.strata) {
      expect(new Set(s.drawn).size).toBe(s.drawn.length);
      for (const id of s.drawn) expect(id.startsWith(s.industry.toLowerCase())).toBe(true);
    }
  });

  it('leaves out an industry with no enterprise in the population', () => {
    const draw = drawSpotCheck([...many(5, 'COAL_MINE'), ...many(4, 'METALLURGY_TRADE', 'met', { supervisionLevel: 'CITY' })], TEN_PERCENT, 's');
    expect(draw.strata.map((s) => s.key)).toEqual(['COAL_MINE']);
    expect(drawSpotCheck([], TEN_PERCENT, 's')).toEqual({ seed: 's', strata: [] });
  });

  it('draws only county-supervised enterprises when the population is COUNTY_SUPERVISED, and everyone with ALL', () => {
    const roster = [...many(20, 'COAL_MINE', 'county'), ...many(20, 'COAL_MINE', 'city', { supervisionLevel: 'CITY' })];
    const county = drawSpotCheck(roster, TEN_PERCENT, 'seed');
    expect(county.strata[0]).toMatchObject({ population: 20, required: 2 });
    expect(county.strata[0]!.drawn.every((id) => id.startsWith('county-'))).toBe(true);
    const all = drawSpotCheck(roster, { ...TEN_PERCENT, population: 'ALL' }, 'seed');
    expect(all.strata[0]).toMatchObject({ population: 40, required: 4 });
  });

  it('checks at least 10% of every industry of a random roster of 100, with no city-supervised enterprise drawn', () => {
    for (const rosterSeed of [1, 2, 3, 4, 5]) {
      const roster = randomRoster(rosterSeed);
      const draw = drawSpotCheck(roster, TEN_PERCENT, `draw-${rosterSeed}`);
      const countyOf = (industry: string) => roster.filter((e) => e.industry === industry && e.supervisionLevel === 'COUNTY');
      const present = INDUSTRIES.filter((i) => countyOf(i).length > 0).sort();
      expect(draw.strata.map((s) => s.key)).toEqual(present);
      for (const s of draw.strata) {
        const members = new Set(countyOf(s.industry).map((e) => e.enterpriseId));
        expect(s.population).toBe(members.size);
        expect(s.required).toBe(Math.ceil(members.size / 10));
        expect(s.drawn.length).toBe(s.required);
        expect(s.drawn.length * 10).toBeGreaterThanOrEqual(s.population);
        expect(new Set(s.drawn).size).toBe(s.drawn.length);
        for (const id of s.drawn) expect(members.has(id)).toBe(true);
      }
    }
  });

  it('gives the same draw for the same seed and roster in any input order', () => {
    const roster = randomRoster(7);
    const draw = drawSpotCheck(roster, BY_COUNTY, '2023-12-01/yjj');
    expect(drawSpotCheck([...roster].reverse(), BY_COUNTY, '2023-12-01/yjj')).toEqual(draw);
    expect(drawSpotCheck(shuffled(roster, 99), BY_COUNTY, '2023-12-01/yjj')).toEqual(draw);
  });

  it('gives a different draw for a different seed', () => {
    const roster = many(50, 'COAL_MINE');
    const a = drawSpotCheck(roster, TEN_PERCENT, 'seed-a').strata[0]!.drawn;
    const b = drawSpotCheck(roster, TEN_PERCENT, 'seed-b').strata[0]!.drawn;
    expect(a).toHaveLength(5);
    expect(b).toHaveLength(5);
    expect(a).not.toEqual(b);
  });

  it('keeps the draw of an industry when another industry of the roster changes', () => {
    const coal = many(40, 'COAL_MINE');
    const before = drawSpotCheck([...coal, ...many(10, 'CONSTRUCTION')], TEN_PERCENT, 's');
    const after = drawSpotCheck([...coal, ...many(25, 'CONSTRUCTION')], TEN_PERCENT, 's');
    expect(stratum(after, 'COAL_MINE')).toEqual(stratum(before, 'COAL_MINE'));
  });

  it('draws at least 10% in every county of every industry when strata include county', () => {
    const roster = randomRoster(11, 120);
    const draw = drawSpotCheck(roster, BY_COUNTY, 'by-county');
    const expectedKeys = [...new Set(roster.filter((e) => e.supervisionLevel === 'COUNTY').map((e) => `${e.industry}/${e.countyCode}`))].sort();
    expect(draw.strata.map((s) => s.key)).toEqual(expectedKeys);
    for (const s of draw.strata) {
      expect(s.countyCode).toBe(s.key.split('/')[1]);
      const members = roster.filter((e) => e.industry === s.industry && e.countyCode === s.countyCode && e.supervisionLevel === 'COUNTY');
      expect(s.population).toBe(members.length);
      expect(s.drawn.length).toBe(Math.ceil(members.length / 10));
      for (const id of s.drawn) expect(members.some((m) => m.enterpriseId === id)).toBe(true);
    }
  });

  it('names no county when strata are by industry only', () => {
    const draw = drawSpotCheck(randomRoster(3), TEN_PERCENT, 's');
    for (const s of draw.strata) expect(s).not.toHaveProperty('countyCode');
  });

  it('sorts strata by key and drawn ids for display', () => {
    const draw = drawSpotCheck(randomRoster(5), { ...BY_COUNTY, minRatio: 0.5 }, 'sorted');
    const keys = draw.strata.map((s) => s.key);
    expect(keys).toEqual([...keys].sort());
    for (const s of draw.strata) expect(s.drawn).toEqual([...s.drawn].sort());
  });

  it('picks every member of a stratum about equally often over many seeds (no modulo or ordering bias)', () => {
    const roster = many(10, 'COAL_MINE');
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const [id] = drawSpotCheck(roster, TEN_PERCENT, `seed-${i}`).strata[0]!.drawn;
      counts.set(id!, (counts.get(id!) ?? 0) + 1);
    }
    expect(counts.size).toBe(10);
    // Expected 200 each; binomial sd ≈ 13.4, so ±60 is more than 4 sd.
    for (const n of counts.values()) expect(n).toBeGreaterThan(140);
    for (const n of counts.values()) expect(n).toBeLessThan(260);
  });

  it('keeps a published draw of a fixed roster stable across releases (regression pin, not a hand calculation)', () => {
    const roster = [...many(12, 'COAL_MINE', 'c'), ...many(25, 'CONSTRUCTION', 'b')];
    expect(drawSpotCheck(roster, TEN_PERCENT, '同安发〔2023〕15号')).toEqual(PINNED_DRAW);
  });

  it('refuses a roster naming one enterprise twice and a rule it cannot draw with', () => {
    expect(() => drawSpotCheck([entry('e1', 'COAL_MINE'), entry('e1', 'CONSTRUCTION')], TEN_PERCENT, 's')).toThrow(RangeError);
    expect(() => drawSpotCheck(many(3, 'COAL_MINE'), { ...TEN_PERCENT, minRatio: 0 }, 's')).toThrow(RangeError);
    expect(() => drawSpotCheck(many(3, 'COAL_MINE'), { ...TEN_PERCENT, strata: ['county'] }, 's')).toThrow(RangeError);
  });
});

describe('verifyDraw', () => {
  const roster = randomRoster(21);
  const seed = 'campaign:datong-2023:v1/SPOT_CHECK';
  const draw = drawSpotCheck(roster, BY_COUNTY, seed);
  const tampered = (edit: (d: SpotCheckDraw) => void): SpotCheckDraw => {
    const d = structuredClone(draw);
    edit(d);
    return d;
  };

  it('confirms the real draw, recomputed from a roster in another order', () => {
    expect(verifyDraw(shuffled(roster, 5), BY_COUNTY, seed, draw)).toBe(true);
  });

  it('confirms a published draw whose strata were reordered', () => {
    expect(verifyDraw(roster, BY_COUNTY, seed, tampered((d) => d.strata.reverse()))).toBe(true);
  });

  it('refuses a draw with one enterprise swapped for another of the same stratum', () => {
    const s = draw.strata.find((x) => x.population > x.required)!;
    const members = roster.filter((e) => `${e.industry}/${e.countyCode}` === s.key && e.supervisionLevel === 'COUNTY').map((e) => e.enterpriseId);
    const outsider = members.find((id) => !s.drawn.includes(id))!;
    const i = draw.strata.indexOf(s);
    expect(verifyDraw(roster, BY_COUNTY, seed, tampered((d) => (d.strata[i]!.drawn[0] = outsider)))).toBe(false);
  });

  it('refuses a draw with a lower required count, a missing stratum, another seed or another rule', () => {
    expect(verifyDraw(roster, BY_COUNTY, seed, tampered((d) => (d.strata[0]!.required -= 1)))).toBe(false);
    expect(verifyDraw(roster, BY_COUNTY, seed, tampered((d) => d.strata.pop()))).toBe(false);
    expect(verifyDraw(roster, BY_COUNTY, 'another seed', draw)).toBe(false);
    expect(verifyDraw(roster, TEN_PERCENT, seed, draw)).toBe(false);
  });

  it('refuses a draw made from another roster', () => {
    expect(verifyDraw(roster.slice(1), BY_COUNTY, seed, draw)).toBe(false);
  });

  it('answers false, without throwing, for a malformed claim or a broken roster', () => {
    expect(verifyDraw(roster, BY_COUNTY, seed, { seed } as SpotCheckDraw)).toBe(false);
    expect(verifyDraw(roster, BY_COUNTY, seed, null as unknown as SpotCheckDraw)).toBe(false);
    expect(verifyDraw(roster, BY_COUNTY, seed, tampered((d) => ((d.strata[0] as { drawn: unknown }).drawn = [1, 2])))).toBe(false);
    expect(verifyDraw([...roster, roster[0]!], BY_COUNTY, seed, draw)).toBe(false);
  });
});

// Recorded from this implementation (cyrb128 → sfc32, partial Fisher–Yates over ids sorted by code
// unit). If this changes, draws published by earlier versions no longer verify: treat it as a break.
const PINNED_DRAW: SpotCheckDraw = {
  seed: '同安发〔2023〕15号',
  strata: [
    { key: 'COAL_MINE', industry: 'COAL_MINE', population: 12, required: 2, drawn: ['c-000', 'c-006'] },
    { key: 'CONSTRUCTION', industry: 'CONSTRUCTION', population: 25, required: 3, drawn: ['b-010', 'b-014', 'b-023'] },
  ],
};
