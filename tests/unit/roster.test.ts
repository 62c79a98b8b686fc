// The roster frozen at launch: which enterprises it holds (active ones of the participating
// counties, in the template's industries), its SHA-256 over canonical JSON, and the checks that
// prove a recorded draw was made from it with the published seed. Pure: no database.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rosterSha256 } from '../../db/campaign-roster.repo';
import { drawProblems, rosterInScope, type DrawEvidence } from '../../domain/roster';
import { drawSpotCheck, type RosterEntry, type SpotCheckDrawRule } from '../../domain/spot-check';
import { drawDisclosed, mayKnowInspection } from '../../domain/unannounced';
import type { Actor, Role } from '../../domain/hazard';

const EVERYONE: SpotCheckDrawRule = { minRatio: 1, strata: ['industry'], population: 'COUNTY_SUPERVISED' };
const TEN_PERCENT: SpotCheckDrawRule = { minRatio: 0.1, strata: ['industry'], population: 'COUNTY_SUPERVISED' };

const row = (id: string, over: Partial<Parameters<typeof rosterInScope>[0][number]> = {}) => ({
  id,
  industry: 'HAZARDOUS_CHEMICALS',
  countyCode: 'pingcheng',
  departmentCode: 'yjj',
  supervisionLevel: 'COUNTY',
  deactivatedAt: null,
  ...over,
});
const SCOPE = { counties: ['pingcheng', 'yungang'], industries: ['HAZARDOUS_CHEMICALS', 'CONSTRUCTION'] };

/** 30 enterprises: ids e-00 … e-29, alternating between the two counties and two industries. */
const ROWS = Array.from({ length: 30 }, (_, i) =>
  row(`e-${String(i).padStart(2, '0')}`, { countyCode: i % 2 ? 'yungang' : 'pingcheng', industry: i % 3 ? 'HAZARDOUS_CHEMICALS' : 'CONSTRUCTION' }),
);
const ROSTER = rosterInScope(ROWS, SCOPE);

describe('the roster in scope', () => {
  it('holds the active enterprises of the participating counties in the template industries, sorted by id, with only what the draw reads', () => {
    const rows = [
      row('c'),
      row('a', { supervisionLevel: 'CITY' }),
      row('b', { deactivatedAt: new Date('2024-01-10T02:00:00Z') }),
      row('d', { countyCode: 'xinrong' }),
      row('e', { industry: 'COAL_MINE' }),
    ];
    expect(rosterInScope(rows, SCOPE)).toEqual([
      { enterpriseId: 'a', industry: 'HAZARDOUS_CHEMICALS', countyCode: 'pingcheng', departmentCode: 'yjj', supervisionLevel: 'CITY' },
      { enterpriseId: 'c', industry: 'HAZARDOUS_CHEMICALS', countyCode: 'pingcheng', departmentCode: 'yjj', supervisionLevel: 'COUNTY' },
    ]);
  });

  it('never lets a deactivated enterprise be drawn, even when the rule draws everyone', () => {
    const closed = ROWS.map((r, i) => (i % 5 === 0 ? { ...r, deactivatedAt: new Date('2023-12-20T00:00:00Z') } : r));
    const drawn = drawSpotCheck(rosterInScope(closed, SCOPE), EVERYONE, 'seed').strata.flatMap((s) => s.drawn);
    expect(drawn).toHaveLength(24);
    for (const r of closed.filter((x) => x.deactivatedAt !== null)) expect(drawn).not.toContain(r.id);
    for (const r of closed.filter((x) => x.deactivatedAt === null)) expect(drawn).toContain(r.id);
  });

  it('is the same roster whatever order the rows come in', () => {
    expect(rosterInScope([...ROWS].reverse(), SCOPE)).toEqual(ROSTER);
  });
});

describe('the roster hash', () => {
  it('is the SHA-256 of the canonical JSON (keys sorted, no whitespace, UTF-8) of the stored entries', () => {
    const entries: RosterEntry[] = [{ supervisionLevel: 'COUNTY', industry: '危险化学品', enterpriseId: 'a', departmentCode: 'yjj', countyCode: 'pingcheng' }];
    const text = '[{"countyCode":"pingcheng","departmentCode":"yjj","enterpriseId":"a","industry":"危险化学品","supervisionLevel":"COUNTY"}]';
    expect(rosterSha256(entries)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
  });

  it('does not depend on the key order an object came back in (jsonb reorders keys)', () => {
    const reordered = ROSTER.map((e) => ({ supervisionLevel: e.supervisionLevel, departmentCode: e.departmentCode, countyCode: e.countyCode, industry: e.industry, enterpriseId: e.enterpriseId }));
    expect(rosterSha256(reordered)).toBe(rosterSha256(ROSTER));
  });

  it('changes with any edit: a field, an added or a removed enterprise', () => {
    const base = rosterSha256(ROSTER);
    const edits: RosterEntry[][] = [
      ROSTER.map((e, i) => (i === 7 ? { ...e, countyCode: 'xinrong' } : e)),
      ROSTER.map((e, i) => (i === 0 ? { ...e, supervisionLevel: 'CITY' as const } : e)),
      [...ROSTER, { ...ROSTER[0]!, enterpriseId: 'e-99' }],
      ROSTER.slice(1),
    ];
    for (const edited of edits) expect(rosterSha256(edited)).not.toBe(base);
  });
});

describe('checking a recorded draw against the roster frozen at launch', () => {
  const seed = 'campaign:8f0c-seed';
  const honest = (): DrawEvidence => {
    const draw = drawSpotCheck(ROSTER, TEN_PERCENT, seed);
    const sha256 = rosterSha256(ROSTER);
    return { seed, rule: TEN_PERCENT, draw: { seed, rule: TEN_PERCENT, roster: ROSTER, strata: draw.strata }, frozen: { entries: ROSTER, sha256 }, recordedSha256: sha256, auditedSha256: sha256 };
  };

  it('finds nothing wrong with a draw made from the frozen roster with the published seed', () => {
    expect(drawProblems(honest())).toEqual([]);
  });

  it('fails when the stored roster was edited after launch, and says why', () => {
    const e = honest();
    const edited = ROSTER.map((x, i) => (i === 3 ? { ...x, countyCode: 'xinrong' } : x));
    const problems = drawProblems({ ...e, frozen: { entries: edited, sha256: rosterSha256(edited) } });
    expect(problems).toContainEqual(expect.stringContaining(`hashes to ${rosterSha256(edited)}, but the hash recorded at launch is ${e.recordedSha256}`));
    expect(problems).toContainEqual(expect.stringContaining('the roster recorded with the draw is not the roster frozen at launch'));
  });

  it('fails when the roster and the draw were both rewritten consistently: the hash recorded at launch still differs', () => {
    const e = honest();
    const edited = ROSTER.filter((_, i) => i !== 5);
    const redrawn = drawSpotCheck(edited, TEN_PERCENT, seed).strata;
    const problems = drawProblems({ ...e, draw: { ...e.draw, roster: edited, strata: redrawn }, frozen: { entries: edited, sha256: rosterSha256(edited) } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('the roster was edited after launch');
  });

  it('fails when the hash on the campaign row was rewritten too: the audit log kept the one recorded at launch', () => {
    const e = honest();
    const edited = ROSTER.slice(2);
    const sha = rosterSha256(edited);
    const problems = drawProblems({ ...e, draw: { ...e.draw, roster: edited, strata: drawSpotCheck(edited, TEN_PERCENT, seed).strata }, frozen: { entries: edited, sha256: sha }, recordedSha256: sha });
    expect(problems).toEqual([`the campaign row records the roster hash ${sha}, but the audit log recorded ${e.auditedSha256} at launch`]);
  });

  it('fails when the recorded result, its seed or its rule is not what the published seed and the template give', () => {
    const e = honest();
    const strata = e.draw.strata.map((s, i) => (i === 0 ? { ...s, drawn: [ROSTER.find((r) => r.industry === s.industry && !s.drawn.includes(r.enterpriseId))!.enterpriseId] } : s));
    expect(drawProblems({ ...e, draw: { ...e.draw, strata } })).toEqual(['the draw recomputed from the stored roster and the published seed differs from the recorded draw']);
    const otherSeed = drawProblems({ ...e, draw: { ...e.draw, seed: 'shopped-for' } });
    expect(otherSeed).toEqual(['the draw records another seed than the one published at launch']);
    expect(otherSeed.join(' ')).not.toContain(seed);
    expect(drawProblems({ ...e, draw: { ...e.draw, rule: { ...TEN_PERCENT, minRatio: 0.05 } } })[0]).toContain("but the campaign's template has");
  });

  it('fails when the frozen roster or its recorded hash is gone', () => {
    const e = honest();
    expect(drawProblems({ ...e, frozen: null })).toEqual([`a roster was frozen at launch (SHA-256 ${e.recordedSha256}) but it is no longer on the ledger`]);
    expect(drawProblems({ ...e, recordedSha256: null })).toEqual(['the campaign row no longer records the hash of the roster frozen at launch']);
  });

  it('checks a campaign launched before rosters were frozen as before: over the roster recorded with its draw', () => {
    const e = { ...honest(), frozen: null, recordedSha256: null, auditedSha256: null };
    expect(drawProblems(e)).toEqual([]);
    // Its roster is the one read at the draw: a consistent record checks out, a result that does not follow from it does not.
    const drawnId = e.draw.strata[0]!.drawn[0]!;
    const without = ROSTER.filter((x) => x.enterpriseId !== drawnId);
    expect(drawProblems({ ...e, draw: { ...e.draw, roster: without, strata: drawSpotCheck(without, TEN_PERCENT, seed).strata } })).toEqual([]);
    expect(drawProblems({ ...e, draw: { ...e.draw, roster: without } })).toEqual(['the draw recomputed from the roster recorded with it and the published seed differs from the recorded draw']);
  });
});

describe('who may know of a drawn enterprise’s inspection', () => {
  const actor = (role: Role, scope: string | null = null): Actor => ({ keyId: `k-${role}`, role, scope, name: role });
  const pending = { countyCode: 'pingcheng', departmentCode: 'yjj', state: 'PENDING' as const };
  const recorded = { ...pending, state: 'SUBMITTED' as const };

  it('tells the office always and a department about its own enterprises', () => {
    for (const a of [actor('admin'), actor('office'), actor('department', 'yjj')]) expect(mayKnowInspection(a, pending, false)).toBe(true);
    expect(mayKnowInspection(actor('department', 'zjj'), pending, false)).toBe(false);
  });

  it('tells the county only once the inspection is recorded (or the campaign completed), and only in its territory', () => {
    expect(mayKnowInspection(actor('county', 'pingcheng'), pending, false)).toBe(false);
    expect(mayKnowInspection(actor('county', 'pingcheng'), { ...pending, state: 'MISSED' }, false)).toBe(false);
    expect(mayKnowInspection(actor('county', 'pingcheng'), recorded, false)).toBe(true);
    expect(mayKnowInspection(actor('county', 'yungang'), recorded, false)).toBe(false);
    expect(mayKnowInspection(actor('county', 'pingcheng'), pending, true)).toBe(true);
  });

  it('tells enterprises and reviewers nothing, whatever their scope', () => {
    for (const a of [actor('enterprise', 'e-00'), actor('reviewer', 'pingcheng'), actor('reviewer')]) {
      expect(mayKnowInspection(a, recorded, true)).toBe(false);
    }
  });

  it('discloses the seed and the figures per stratum to the inspecting regulators, and to everyone else once the campaign completes', () => {
    expect(drawDisclosed(actor('department', 'yjj'), false)).toBe(true);
    expect(drawDisclosed(actor('county', 'pingcheng'), false)).toBe(false);
    expect(drawDisclosed(actor('reviewer'), false)).toBe(false);
    expect(drawDisclosed(actor('county', 'pingcheng'), true)).toBe(true);
  });
});
