// Unannounced inspections over a frozen roster, on the real app, a fresh Postgres database, the
// shared Temporal dev server and a real worker: who was drawn stays with the office and the
// inspecting department until each inspection is recorded (a county learns of its enterprises'
// afterwards; enterprises and reviewers never read the draw); the roster is frozen at launch, so
// editing it before the draw changes nothing, and the verification fails once the stored roster
// is edited. Nothing is mocked.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, campaignRosters, campaigns, duties, enterprises, spotCheckDraws } from '../../db/schema';
import { drawSpotCheck, type RosterEntry } from '../../domain/spot-check';
import { ApiHarness, eventually, type Enterprise, type Json } from '../support/api-harness';
import { reportBody, seedEnterprise, seedUnits, uniq } from '../support/fixtures';
import { expectProblem } from '../support/problem';
import { drawOf, drawSoonTemplate, terminateCampaigns } from '../support/spot-check-campaign';

const h = new ApiHarness({ worker: true });

interface Setup {
  id: string;
  seed: string;
  rosterSha256: string;
  county: string;
  otherCounty: string;
  department: string;
  otherDepartment: string;
  /** Six chemical plants in `county`, three under each department: the roster frozen at launch. */
  plants: Enterprise[];
  /** Registered in `county` after the launch: not in the frozen roster. */
  latecomer: Enterprise;
  keys: { county: string; otherCounty: string; department: string; otherDepartment: string; reviewer: string };
}
let s: Setup;

beforeAll(async () => {
  await h.start();
  const { countyCode: county, departmentCode: department } = await seedUnits(h.db);
  const { countyCode: otherCounty, departmentCode: otherDepartment } = await seedUnits(h.db);
  const plants: Enterprise[] = [];
  for (let i = 0; i < 6; i++) plants.push(await seedEnterprise(h.db, { countyCode: county, departmentCode: i % 2 ? otherDepartment : department }));
  // Half of each industry is drawn: three of the six plants.
  const template = drawSoonTemplate(0.5);
  const stored = await h.call('POST', '/v1/campaign-templates', h.keys.admin, template);
  expect(stored.status, JSON.stringify(stored.body)).toBe(201);
  const seed = uniq('seed');
  const launched = await h.call('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [county, otherCounty], departments: [department, otherDepartment], spotCheckSeed: seed });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  // Roster edits between the launch and the draw: a new plant in the county, a plant moved to a county outside the campaign.
  const latecomer = await seedEnterprise(h.db, { countyCode: county, departmentCode: department });
  const { countyCode: elsewhere } = await seedUnits(h.db);
  await h.db.update(enterprises).set({ countyCode: elsewhere }).where(eq(enterprises.id, plants[0]!.id));
  s = {
    id: launched.body.id,
    seed,
    rosterSha256: launched.body.rosterSha256,
    county,
    otherCounty,
    department,
    otherDepartment,
    plants,
    latecomer,
    keys: {
      county: await h.key('county', county),
      otherCounty: await h.key('county', otherCounty),
      department: await h.key('department', department),
      otherDepartment: await h.key('department', otherDepartment),
      reviewer: await h.key('reviewer', county),
    },
  };
});

afterAll(async () => {
  try {
    if (s) await terminateCampaigns(h, [s.id]);
  } finally {
    await h.close();
  }
});

/** The roster as it stood at launch, as the draw reads it (plant 0 still in the county). */
const frozenRoster = (): RosterEntry[] =>
  s.plants
    .map((p) => ({ enterpriseId: p.id, industry: p.industry, countyCode: s.county, departmentCode: p.departmentCode, supervisionLevel: 'COUNTY' as const }))
    .sort((a, b) => (a.enterpriseId < b.enterpriseId ? -1 : 1));

const spotCheck = (key: string) => h.call('GET', `/v1/campaigns/${s.id}/spot-check`, key);
const verification = (key = h.keys.office) => h.call('GET', `/v1/campaigns/${s.id}/spot-check/verification`, key);
const drawnIds = (draw: Json): string[] => (draw.strata as { drawn: string[] }[]).flatMap((x) => x.drawn).sort();
const inspectionDuty = async (enterpriseId: string) =>
  (await h.db.select().from(duties).where(and(eq(duties.campaignId, s.id), eq(duties.kind, 'INSPECTION'), eq(duties.subjectEnterpriseId, enterpriseId))))[0];

describe('the roster frozen at launch', () => {
  it('is stored with its hash on the campaign and in the audit log, and the launch answers the hash', async () => {
    const [row] = await h.db.select().from(campaignRosters).where(eq(campaignRosters.campaignId, s.id));
    expect(row!.entries).toEqual(frozenRoster());
    expect(row!.size).toBe(6);
    const [c] = await h.db.select().from(campaigns).where(eq(campaigns.id, s.id));
    expect(c!.rosterSha256).toBe(s.rosterSha256);
    expect(s.rosterSha256).toMatch(/^[0-9a-f]{64}$/);
    const audit = await h.call('GET', `/v1/audit-log?action=roster.frozen&subjectId=${s.id}`, h.keys.office);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ subjectKind: 'roster', data: { campaignId: s.id, sha256: s.rosterSha256, size: 6 } });
  });

  it('is what the draw runs over: a plant registered, or moved out of the campaign, after the launch changes nothing', async () => {
    const draw = await drawOf(h, s.id);
    expect(draw.rosterSize).toBe(6);
    const [recorded] = await h.db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, s.id));
    expect(recorded!.roster).toEqual(frozenRoster());
    const expected = drawSpotCheck(frozenRoster(), { minRatio: 0.5, strata: ['industry'], population: 'COUNTY_SUPERVISED' }, s.seed);
    expect(draw.strata).toEqual(expected.strata);
    expect(drawnIds(draw)).toHaveLength(3);
    expect(drawnIds(draw)).not.toContain(s.latecomer.id);
  });

  it('is proven by the verification, for any key', async () => {
    await drawOf(h, s.id);
    const office = await verification();
    expect(office.status).toBe(200);
    expect(office.body).toEqual({
      matches: true,
      problems: [],
      seed: s.seed,
      rosterSize: 6,
      rule: { minRatio: 0.5, strata: ['industry'], population: 'COUNTY_SUPERVISED' },
      rosterFrozen: true,
      rosterSha256: s.rosterSha256,
      computedRosterSha256: s.rosterSha256,
    });
    const county = await verification(s.keys.county);
    expect(county.body).toMatchObject({ matches: true, seed: null, rosterSha256: s.rosterSha256 });
  });
});

describe('unannounced inspections', () => {
  it("keeps who was drawn from the county, its enterprises and its reviewer until each inspection is recorded, then tells the county that one", async () => {
    const draw = await drawOf(h, s.id);
    const drawn = drawnIds(draw);
    const plantOf = new Map(s.plants.map((p) => [p.id, p]));
    // Inspect a drawn plant of the department, leaving at least one other drawn plant pending.
    const target = drawn.find((id) => plantOf.get(id)!.departmentCode === s.department) ?? drawn[0]!;
    const targetDepartmentKey = plantOf.get(target)!.departmentCode === s.department ? s.keys.department : s.keys.otherDepartment;
    const pending = drawn.filter((id) => id !== target);
    await eventually(async () => ((await inspectionDuty(target)) ? true : undefined), 30_000, 'the inspection duty');
    const names = drawn.map((id) => plantOf.get(id)!.name);
    // The inspection obligation mailed its department; the office reads that mail.
    const officeMail = await eventually(async () => {
      const r = await h.call('GET', `/v1/notifications?campaignId=${s.id}&kind=DUTIES_ASSIGNED&limit=200`, h.keys.office);
      const texts = (r.body.items as { bodyText: string }[]).map((n) => n.bodyText).join('\n');
      return names.some((n) => texts.includes(n)) ? texts : undefined;
    }, 30_000, 'the inspection mail');
    expect(officeMail).toBeTruthy();

    /** Everything the county can read about the campaign names none of `ids`. */
    const countySeesNone = async (ids: string[]) => {
      const sc = await spotCheck(s.keys.county);
      expect(sc.status, JSON.stringify(sc.body)).toBe(200);
      expect(sc.body.seed).toBeNull();
      expect(sc.body.strata).toEqual([]);
      const status = await h.call('GET', `/v1/campaigns/${s.id}`, s.keys.county);
      expect(status.status).toBe(200);
      expect(status.body.spotCheck).toEqual({ seed: null, strata: [] });
      const mail = await h.call('GET', `/v1/notifications?campaignId=${s.id}&limit=200`, s.keys.county);
      const read = JSON.stringify([sc.body, status.body, mail.body, (await verification(s.keys.county)).body]);
      for (const id of ids) expect(read).not.toContain(id);
      for (const id of ids) expect(read).not.toContain(plantOf.get(id)!.name);
      return sc.body;
    };

    // Before any inspection is recorded: nothing.
    expect((await countySeesNone(drawn)).inspections).toEqual([]);
    // Enterprises and reviewers read no draw: a drawn plant's own key, the county's reviewer.
    expectProblem(await spotCheck(await h.key('enterprise', target)), 403, 'FORBIDDEN');
    expectProblem(await spotCheck(s.keys.reviewer), 403, 'FORBIDDEN');
    expectProblem(await h.call('GET', `/v1/campaigns/${s.id}`, s.keys.reviewer), 403, 'FORBIDDEN');
    // The inspecting departments see their own drawn plants, pending.
    const own = (await spotCheck(targetDepartmentKey)).body;
    expect(own.inspections.map((i: Json) => i.enterpriseId)).toContain(target);
    expect(own.inspections.every((i: Json) => plantOf.get(i.enterpriseId)!.departmentCode === plantOf.get(target)!.departmentCode)).toBe(true);
    expect(own.inspections.find((i: Json) => i.enterpriseId === target)).toMatchObject({ state: 'PENDING', active: true });

    // The department records its inspection.
    const recorded = await h.call('POST', `/v1/campaigns/${s.id}/inspections/${target}`, targetDepartmentKey, { outcome: 'FINDINGS', findings: [reportBody({ description: '安全出口堵塞' })] });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    await eventually(async () => ((await inspectionDuty(target))?.state === 'SUBMITTED' ? true : undefined), 30_000, 'the recorded inspection');

    // Now the county learns of that one, and of no other.
    const after = await countySeesNone(pending);
    expect(after.inspections).toEqual([
      { enterpriseId: target, countyCode: s.county, departmentCode: plantOf.get(target)!.departmentCode, state: 'SUBMITTED', late: false, submittedAt: expect.any(String), active: true },
    ]);
    // Another county of the same campaign learns nothing of it.
    const other = await spotCheck(s.keys.otherCounty);
    expect(other.body.inspections).toEqual([]);
    expect(JSON.stringify(other.body)).not.toContain(target);
    // The office sees every drawn plant, the recorded one among them.
    const office = (await spotCheck(h.keys.office)).body;
    expect(office.inspections.map((i: Json) => i.enterpriseId)).toEqual(drawn);
    expect(office.inspections.filter((i: Json) => i.state === 'SUBMITTED').map((i: Json) => i.enterpriseId)).toEqual([target]);
  });

  it('answers a county of another campaign 404, as before', async () => {
    const { countyCode } = await seedUnits(h.db);
    expectProblem(await spotCheck(await h.key('county', countyCode)), 404, 'NOT_FOUND');
  });
});

describe('an edited roster', () => {
  it('fails the verification and says why', async () => {
    await drawOf(h, s.id);
    await h.db.execute(sql`update ${campaignRosters} set entries = jsonb_set(entries, '{0,countyCode}', '"elsewhere"') where campaign_id = ${s.id}`);
    const res = await verification(s.keys.county);
    expect(res.status).toBe(200);
    expect(res.body.matches).toBe(false);
    expect(res.body.rosterSha256).toBe(s.rosterSha256);
    expect(res.body.computedRosterSha256).not.toBe(s.rosterSha256);
    expect(res.body.problems).toContainEqual(`the stored roster hashes to ${res.body.computedRosterSha256}, but the hash recorded at launch is ${s.rosterSha256}: the roster was edited after launch`);
    expect(res.body.problems).toContainEqual('the roster recorded with the draw is not the roster frozen at launch');
    // The hash in the audit log cannot be rewritten to match.
    await expect(h.db.execute(sql`update ${auditLog} set data = '{}'::jsonb where subject_id = ${s.id}`)).rejects.toThrow();
  });
});
