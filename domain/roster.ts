// The roster a campaign's spot-check draw runs over, frozen at launch: which enterprises it holds
// and how a recorded draw is checked against it. The SHA-256 itself is taken where hashing lives
// (db/campaign-roster.repo.ts): this file stays importable by the workflow sandbox.
import { canonicalJson } from './canonical-json';
import type { SupervisionLevel } from './enterprise';
import { verifyDraw, type RosterEntry, type SpotCheckDrawRule, type SpotCheckStratum } from './spot-check';

/** A roster row as the draw sees it: nothing else of the enterprise is frozen or hashed. */
function rosterEntryOf(e: { id: string; industry: string; countyCode: string; departmentCode: string; supervisionLevel: string }): RosterEntry {
  const supervisionLevel: SupervisionLevel = e.supervisionLevel === 'CITY' ? 'CITY' : 'COUNTY';
  return { enterpriseId: e.id, industry: e.industry, countyCode: e.countyCode, departmentCode: e.departmentCode, supervisionLevel };
}

/**
 * The roster a campaign draws over: the active enterprises (not deactivated) of its participating
 * counties in its template's industries, sorted by enterprise id (code-unit order), so the same
 * roster is always the same text and the same hash.
 */
export function rosterInScope(
  rows: { id: string; industry: string; countyCode: string; departmentCode: string; supervisionLevel: string; deactivatedAt: Date | null }[],
  scope: { counties: string[]; industries: string[] },
): RosterEntry[] {
  const counties = new Set(scope.counties);
  const industries = new Set(scope.industries);
  return rows
    .filter((e) => e.deactivatedAt === null && counties.has(e.countyCode) && industries.has(e.industry))
    .map(rosterEntryOf)
    .sort((a, b) => (a.enterpriseId < b.enterpriseId ? -1 : a.enterpriseId > b.enterpriseId ? 1 : 0));
}

/** The text a roster's SHA-256 is taken over: the canonical JSON of the entries as stored (keys sorted, no whitespace, UTF-8). */
export const rosterHashInput = (entries: unknown): string => canonicalJson(entries);

/** The draw rule of a campaign template's spot-check part. */
export const drawRuleOf = (spotCheck: SpotCheckDrawRule): SpotCheckDrawRule => ({ minRatio: spotCheck.minRatio, strata: spotCheck.strata, population: spotCheck.population });

export interface DrawEvidence {
  /** The seed published at launch (the campaign row) and the rule of the campaign's template. */
  seed: string;
  rule: SpotCheckDrawRule;
  /** The draw as recorded on the ledger. */
  draw: { seed: string; rule: SpotCheckDrawRule; roster: RosterEntry[]; strata: SpotCheckStratum[] };
  /** The roster frozen at launch with the SHA-256 of its stored text recomputed now; null when none is stored. */
  frozen: { entries: RosterEntry[]; sha256: string } | null;
  /** The roster hash recorded at launch: on the campaign row, and in the append-only audit log. Null where none was recorded. */
  recordedSha256: string | null;
  auditedSha256: string | null;
}

/**
 * Every reason a recorded draw is not the one the published seed gives over the roster frozen at
 * launch; empty when it is. A campaign launched before rosters were frozen (no snapshot, no
 * recorded hash) is checked as before: the draw recomputed over the roster recorded with it.
 */
export function drawProblems(e: DrawEvidence): string[] {
  const problems: string[] = [];
  // Never the seeds themselves: the answer goes to keys that may not read the seed yet.
  if (e.draw.seed !== e.seed) problems.push('the draw records another seed than the one published at launch');
  if (canonicalJson(e.draw.rule) !== canonicalJson(e.rule)) problems.push(`the draw records the rule ${canonicalJson(e.draw.rule)}, but the campaign's template has ${canonicalJson(e.rule)}`);
  if (e.frozen === null && e.recordedSha256 === null) {
    if (!verifyDraw(e.draw.roster, e.rule, e.seed, { seed: e.seed, strata: e.draw.strata })) {
      problems.push('the draw recomputed from the roster recorded with it and the published seed differs from the recorded draw');
    }
    return problems;
  }
  if (e.frozen === null) {
    problems.push(`a roster was frozen at launch (SHA-256 ${e.recordedSha256}) but it is no longer on the ledger`);
    return problems;
  }
  if (e.recordedSha256 === null) problems.push('the campaign row no longer records the hash of the roster frozen at launch');
  else if (e.frozen.sha256 !== e.recordedSha256) {
    problems.push(`the stored roster hashes to ${e.frozen.sha256}, but the hash recorded at launch is ${e.recordedSha256}: the roster was edited after launch`);
  }
  if (e.auditedSha256 === null) problems.push('the audit log holds no roster hash for this campaign');
  else if (e.recordedSha256 !== null && e.auditedSha256 !== e.recordedSha256) {
    problems.push(`the campaign row records the roster hash ${e.recordedSha256}, but the audit log recorded ${e.auditedSha256} at launch`);
  }
  if (rosterHashInput(e.draw.roster) !== rosterHashInput(e.frozen.entries)) problems.push('the roster recorded with the draw is not the roster frozen at launch');
  if (!verifyDraw(e.frozen.entries, e.rule, e.seed, { seed: e.seed, strata: e.draw.strata })) {
    problems.push('the draw recomputed from the stored roster and the published seed differs from the recorded draw');
  }
  return problems;
}
