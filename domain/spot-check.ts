// Spot-check sampling (检查抽查): city departments check at least a share (the Datong plan: 10%)
// of the county-supervised enterprises in their industry. The draw is a pure function of
// (roster, rule, seed), so anyone holding the published roster and seed can recompute it.
// No crypto, no Math.random: the workflow sandbox imports this file and replays it.
import type { SupervisionLevel } from './enterprise';

export interface RosterEntry {
  enterpriseId: string;
  industry: string;
  countyCode: string;
  departmentCode: string;
  supervisionLevel: SupervisionLevel;
}

export type SpotCheckStratumBy = 'industry' | 'county';
export type SpotCheckPopulation = 'COUNTY_SUPERVISED' | 'ALL';

export interface SpotCheckDrawRule {
  /** Share of each stratum to draw, in (0, 1]. */
  minRatio: number;
  /** Must include 'industry'; add 'county' to draw the share in every county separately. */
  strata: SpotCheckStratumBy[];
  /** COUNTY_SUPERVISED: only enterprises supervised by a county (the plan's 抽查 population). */
  population: SpotCheckPopulation;
}

export interface SpotCheckStratum {
  /** `INDUSTRY` or `INDUSTRY/COUNTY` when strata include 'county'. */
  key: string;
  industry: string;
  countyCode?: string;
  population: number;
  required: number;
  /** Enterprise ids drawn, sorted (code-unit order) for display. */
  drawn: string[];
}

export interface SpotCheckDraw {
  seed: string;
  /** Non-empty strata only, sorted by key (code-unit order). */
  strata: SpotCheckStratum[];
}

// Locale-independent ordering: localeCompare would make the draw depend on the host's ICU data.
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * cyrb128: a 128-bit non-cryptographic hash of a string (UTF-16 code units), used only to seed
 * sfc32. The draw needs reproducibility, not secrecy: fix and publish the seed before the roster
 * is final (for example a workflow ID plus the draw date) so nobody can shop for a seed.
 */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32 (Chris Doty-Humphrey's small fast chaotic PRNG): returns uniform unsigned 32-bit integers. */
export function seededRandom(seed: string): () => number {
  let [a, b, c, d] = cyrb128(seed);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix a weak seed.
  for (let i = 0; i < 15; i++) next();
  return next;
}

const TWO_POW_32 = 4_294_967_296;

/** A uniform integer in [0, n) without modulo bias (rejection sampling), n ≤ 2^32. */
function randomBelow(next: () => number, n: number): number {
  const limit = TWO_POW_32 - (TWO_POW_32 % n);
  for (;;) {
    const x = next();
    if (x < limit) return x % n;
  }
}

/**
 * ceil(ratio × population), at least 1 for a non-empty stratum and at most the population.
 * The product is rounded to 12 significant digits first: 0.07 × 100 is 7.000000000000001 in
 * binary floating point, and 7% of 100 enterprises must be 7, not 8.
 */
export function requiredSampleSize(ratio: number, population: number): number {
  if (population <= 0) return 0;
  const product = Number((ratio * population).toPrecision(12));
  return Math.min(population, Math.max(1, Math.ceil(product)));
}

/** Why a rule cannot be drawn with, or null when it can. */
export function drawRuleProblem(rule: SpotCheckDrawRule): string | null {
  if (typeof rule.minRatio !== 'number' || !Number.isFinite(rule.minRatio) || rule.minRatio <= 0 || rule.minRatio > 1) {
    return `minRatio must be a number in (0, 1], got ${String(rule.minRatio)}`;
  }
  if (!Array.isArray(rule.strata) || !rule.strata.includes('industry')) return "strata must include 'industry'";
  if (rule.strata.some((s) => s !== 'industry' && s !== 'county')) return "strata may only be 'industry' and 'county'";
  if (rule.population !== 'COUNTY_SUPERVISED' && rule.population !== 'ALL') return "population must be 'COUNTY_SUPERVISED' or 'ALL'";
  return null;
}

/**
 * Draws the spot-check sample. Reproducible: the same seed and the same roster, in any input
 * order, give the same draw. Each stratum's population is sorted by enterpriseId and shuffled by
 * a partial Fisher–Yates (the first `required` positions) driven by sfc32 seeded with
 * `seed + '\u0000' + stratum key`, so a change of roster in one stratum leaves the others' draws
 * unchanged. Throws RangeError on a bad rule or duplicated enterprise ids (a broken roster).
 */
export function drawSpotCheck(roster: RosterEntry[], rule: SpotCheckDrawRule, seed: string): SpotCheckDraw {
  const problem = drawRuleProblem(rule);
  if (problem) throw new RangeError(`invalid spot-check rule: ${problem}`);
  const seen = new Set<string>();
  for (const e of roster) {
    if (seen.has(e.enterpriseId)) throw new RangeError(`enterprise ${e.enterpriseId} appears twice in the roster`);
    seen.add(e.enterpriseId);
  }
  const byCounty = rule.strata.includes('county');
  const groups = new Map<string, { industry: string; countyCode?: string; ids: string[] }>();
  for (const e of roster) {
    if (rule.population === 'COUNTY_SUPERVISED' && e.supervisionLevel !== 'COUNTY') continue;
    const key = byCounty ? `${e.industry}/${e.countyCode}` : e.industry;
    let g = groups.get(key);
    if (!g) {
      g = byCounty ? { industry: e.industry, countyCode: e.countyCode, ids: [] } : { industry: e.industry, ids: [] };
      groups.set(key, g);
    }
    g.ids.push(e.enterpriseId);
  }
  const strata: SpotCheckStratum[] = [];
  for (const key of [...groups.keys()].sort(compareCodeUnits)) {
    const g = groups.get(key)!;
    const pool = [...g.ids].sort(compareCodeUnits);
    const required = requiredSampleSize(rule.minRatio, pool.length);
    const next = seededRandom(`${seed}\u0000${key}`);
    for (let i = 0; i < required; i++) {
      const j = i + randomBelow(next, pool.length - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const drawn = pool.slice(0, required).sort(compareCodeUnits);
    strata.push(
      g.countyCode === undefined
        ? { key, industry: g.industry, population: pool.length, required, drawn }
        : { key, industry: g.industry, countyCode: g.countyCode, population: pool.length, required, drawn },
    );
  }
  return { seed, strata };
}

/**
 * Recomputes the draw and compares it with a published one. Strata order and the order of
 * drawn ids do not matter; everything else must match exactly. Never throws: a malformed
 * claim, a bad rule or a broken roster is simply not a valid draw.
 */
export function verifyDraw(roster: RosterEntry[], rule: SpotCheckDrawRule, seed: string, claimed: SpotCheckDraw): boolean {
  let actual: SpotCheckDraw;
  try {
    actual = drawSpotCheck(roster, rule, seed);
  } catch {
    return false;
  }
  return canonical(claimed) === canonical(actual);
}

function canonical(draw: unknown): string {
  if (typeof draw !== 'object' || draw === null) return 'invalid';
  const { seed, strata } = draw as Partial<SpotCheckDraw>;
  if (typeof seed !== 'string' || !Array.isArray(strata)) return 'invalid';
  const rows = strata.map((s: Partial<SpotCheckStratum> | null) => {
    if (typeof s !== 'object' || s === null || !Array.isArray(s.drawn) || s.drawn.some((id) => typeof id !== 'string')) return 'invalid';
    return JSON.stringify([s.key, s.industry, s.countyCode ?? null, s.population, s.required, [...s.drawn].sort(compareCodeUnits)]);
  });
  return JSON.stringify([seed, rows.sort(compareCodeUnits)]);
}
