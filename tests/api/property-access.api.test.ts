// Property-level authorization: a caller sets only the fields its role may set. A field it may not
// set is a 403 problem naming the field, and nothing changes. Real app, Postgres, Temporal dev server.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignRosters, campaigns, hazards, notifications, spotCheckDraws, supervisionFindings } from '../../db/schema';
import { drawRuleOf } from '../../domain/roster';
import { drawSpotCheck } from '../../domain/spot-check';
import { resolvePolicy } from '../../domain/policy';
import { ApiHarness, type Json, type ProblemBody, type Reply } from '../support/api-harness';
import { futureTemplate } from '../support/access-table';
import { reportBody, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: false });
let campaignId: string;
let otherCampaignId: string | undefined;

beforeAll(async () => {
  await h.start();
  const t = futureTemplate();
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, t)).status).toBe(201);
  const launched = await h.call<{ id: string }>('POST', '/v1/campaigns', h.keys.admin, { templateKey: t.key, templateVersion: 1, counties: [h.entA.countyCode], departments: [h.entA.departmentCode] });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  campaignId = launched.body.id;
});

afterAll(async () => {
  try {
    const client = h.env?.client;
    if (client && h.handle) {
      const ids = [`campaign:${campaignId}`, `obligation:${campaignId}:${h.entA.countyCode}`, `obligation:${campaignId}:${h.entA.departmentCode}`];
      if (otherCampaignId) ids.push(`campaign:${otherCampaignId}`, `obligation:${otherCampaignId}:${h.entB.countyCode}`, `obligation:${otherCampaignId}:${h.entB.departmentCode}`);
      ids.push(...(await h.db.select({ id: hazards.id }).from(hazards)).map((r) => `hazard:${r.id}`));
      await Promise.allSettled(ids.map((w) => client.workflow.getHandle(w).terminate('property-access cleanup')));
    }
  } finally {
    await h.close();
  }
});

function expectForbidden(res: Reply<unknown>, fields: string[]): void {
  const r = res as Reply<ProblemBody>;
  expect(r.status, JSON.stringify(r.body)).toBe(403);
  expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(r.body.code).toBe('FORBIDDEN');
  expect((r.body.errors ?? []).map((e) => e.field).sort()).toEqual([...fields].sort());
  for (const e of r.body.errors ?? []) expect(e.reason.length).toBeGreaterThan(0);
}

const report = (key: string, body: Record<string, unknown>) => h.call<Json>('POST', '/v1/hazards', key, body);

describe('a hazard report', () => {
  it('refuses an enterprise that sets a policy, a source other than its own inspection, a campaign or another principal: 403 naming each field, nothing stored', async () => {
    const before = await h.hazardCount();
    // Switching off escalation for five years and the reminders with it.
    expectForbidden(await report(h.keys.entA, { ...reportBody({ grade: 'MAJOR' }), policy: { escalationAfter: 'P1800D', reminderOffsets: [] } }), ['policy']);
    expectForbidden(await report(h.keys.entA, { ...reportBody(), source: 'SPOT_CHECK' }), ['source']);
    expectForbidden(await report(h.keys.entA, { ...reportBody(), source: 'SUPERVISION' }), ['source']);
    expectForbidden(await report(h.keys.entA, { ...reportBody(), campaignId }), ['campaignId']);
    expectForbidden(await report(h.keys.entA, { ...reportBody(), principal: { name: '替身', email: 'other@example.test' } }), ['principal']);
    expectForbidden(await report(h.keys.entA, { ...reportBody(), policy: { sendTime: '03:00' }, source: 'SUPERVISION', campaignId }), ['policy', 'source', 'campaignId']);
    expect(await h.hazardCount()).toBe(before);
  });

  it("gives an enterprise's major hazard the policy of its grade in its county's running campaign, and links it to the campaign", async () => {
    const res = await report(h.keys.entA, { ...reportBody({ grade: 'MAJOR' }), source: 'SELF_INSPECTION' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // The grade's default overlaid with the campaign template's policy for it; nothing the enterprise chose.
    expect(res.body.policy).toEqual(resolvePolicy('MAJOR', futureTemplate().hazardPolicies?.MAJOR));
    expect(res.body.source).toBe('SELF_INSPECTION');
    const [row] = await h.db.select({ campaignId: hazards.campaignId }).from(hazards).where(eq(hazards.id, res.body.id as string));
    expect(row?.campaignId).toBe(campaignId);
  });

  it('refuses a county that sets a policy, a campaign or the SUPERVISION source; lets it record a spot check in its territory', async () => {
    const before = await h.hazardCount();
    const body = { ...reportBody(), enterpriseId: h.entA.id };
    expectForbidden(await report(h.keys.county, { ...body, policy: { escalationAfter: 'P1800D' } }), ['policy']);
    expectForbidden(await report(h.keys.county, { ...body, campaignId }), ['campaignId']);
    expectForbidden(await report(h.keys.county, { ...body, source: 'SUPERVISION' }), ['source']);
    expect(await h.hazardCount()).toBe(before);
    const ok = await report(h.keys.county, { ...body, source: 'SPOT_CHECK' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ source: 'SPOT_CHECK', policy: resolvePolicy('GENERAL', futureTemplate().hazardPolicies?.GENERAL) });
  });

  it('lets a department and the office set policy, source and campaign', async () => {
    for (const key of [h.keys.department, h.keys.office]) {
      const res = await report(key, { ...reportBody(), enterpriseId: h.entA.id, policy: { reminderOffsets: ['P10D'] }, source: 'SUPERVISION', campaignId });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ source: 'SUPERVISION', policy: { reminderOffsets: ['P10D'] } });
    }
  });

  it("answers 404 naming campaignId to a department filing under a campaign it does not take part in, or one that does not exist", async () => {
    const t = futureTemplate();
    expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, t)).status).toBe(201);
    const other = await h.call<{ id: string }>('POST', '/v1/campaigns', h.keys.admin, { templateKey: t.key, templateVersion: 1, counties: [h.entB.countyCode], departments: [h.entB.departmentCode] });
    expect(other.status).toBe(201);
    otherCampaignId = other.body.id;
    const before = await h.hazardCount();
    for (const id of [other.body.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await report(h.keys.department, { ...reportBody(), enterpriseId: h.entA.id, campaignId: id });
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect((res.body as ProblemBody).errors?.map((e) => e.field)).toEqual(['campaignId']);
    }
    expect(await h.hazardCount()).toBe(before);
  });
});

describe('other writes', () => {
  it('refuses an office key that creates an admin or office key: 403 naming role', async () => {
    expectForbidden(await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('x'), role: 'admin' }), ['role']);
    expectForbidden(await h.call('POST', '/v1/api-keys', h.keys.office, { name: uniq('x'), role: 'office' }), ['role']);
  });

  it('refuses a department that files a finding against a unit: 403 naming target, nothing recorded', async () => {
    const before = (await h.db.select().from(supervisionFindings).where(eq(supervisionFindings.campaignId, campaignId))).length;
    expectForbidden(await h.call('POST', `/v1/campaigns/${campaignId}/supervision-findings`, h.keys.department, { team: '行业督导组', target: 'UNIT', unitCode: h.entA.countyCode, description: '排查流于形式' }), ['target']);
    expect((await h.db.select().from(supervisionFindings).where(eq(supervisionFindings.campaignId, campaignId))).length).toBe(before);
    const office = await h.call('POST', `/v1/campaigns/${campaignId}/supervision-findings`, h.keys.office, { team: '第一督导组', target: 'UNIT', unitCode: h.entA.countyCode, description: '排查流于形式' });
    expect(office.status, JSON.stringify(office.body)).toBe(201);
  });
});

describe('the spot-check seed', () => {
  it('is withheld from counties and enterprises until the campaign completes (with it and its roster a county could recompute who was drawn)', async () => {
    // The draw the workflow would record: the published seed and the template's rule over the roster frozen at launch.
    const [c] = await h.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    const [frozen] = await h.db.select().from(campaignRosters).where(eq(campaignRosters.campaignId, campaignId));
    const { seed, rule, roster } = { seed: c!.spotCheckSeed, rule: drawRuleOf(c!.template.spotCheck), roster: frozen!.entries };
    await h.db.insert(spotCheckDraws).values({ campaignId, seed, rule, roster, strata: drawSpotCheck(roster, rule, seed).strata, drawnAt: new Date() });
    const seedOf = async (url: string, key: string) => {
      const res = await h.call<Json>('GET', url, key);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return url.endsWith('/verification') ? res.body.seed : res.body.spotCheck?.seed;
    };
    const verification = `/v1/campaigns/${campaignId}/spot-check/verification`;
    const status = `/v1/campaigns/${campaignId}`;
    expect(await seedOf(verification, h.keys.entA)).toBeNull();
    expect(await seedOf(verification, h.keys.county)).toBeNull();
    expect(await seedOf(status, h.keys.county)).toBeNull();
    expect((await h.call<Json>('GET', verification, h.keys.county)).body.matches).toBe(true);
    for (const key of [h.keys.office, h.keys.department]) {
      expect(await seedOf(verification, key)).toBe(seed);
      expect(await seedOf(status, key)).toBe(seed);
    }
    await h.db.update(campaigns).set({ status: 'COMPLETED' }).where(eq(campaigns.id, campaignId));
    try {
      expect(await seedOf(verification, h.keys.entA)).toBe(seed);
      expect(await seedOf(status, h.keys.county)).toBe(seed);
    } finally {
      await h.db.update(campaigns).set({ status: 'LAUNCHED' }).where(eq(campaigns.id, campaignId));
    }
  });
});

describe('the outbox', () => {
  it("shows an enterprise the mail of its hazards addressed to its people, not the report to its department nor the escalation to the office", async () => {
    const res = await report(h.keys.entA, { ...reportBody({ description: uniq('邮件可见性') }) });
    expect(res.status).toBe(201);
    const hazardId = res.body.id as string;
    const mail = (kind: string, to: string[]) => ({ businessKey: uniq(`${kind}:${hazardId}`), hazardId, kind, recipients: to, subject: kind, bodyText: kind, locale: 'zh-CN', messageId: `<${uniq('m')}@test>` });
    await h.db.insert(notifications).values([mail('REMINDER', ['li@example.test']), mail('REPORTED_TO_REGULATOR', ['dept@example.test']), mail('ESCALATED', ['office@example.test'])]);
    const kinds = async (key: string) => ((await h.call<Json>('GET', `/v1/notifications?hazardId=${hazardId}`, key)).body.items as { kind: string }[]).map((n) => n.kind).sort();
    expect(await kinds(h.keys.entA)).toEqual(['REMINDER']);
    expect(await kinds(h.keys.county)).toEqual(['ESCALATED', 'REMINDER', 'REPORTED_TO_REGULATOR']);
    expect(await kinds(h.keys.office)).toEqual(['ESCALATED', 'REMINDER', 'REPORTED_TO_REGULATOR']);
  });
});
