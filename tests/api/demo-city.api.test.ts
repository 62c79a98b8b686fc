// The demo city (`npm start -- --demo`) loads through the real API on real Postgres with the shared
// Temporal dev server and a real worker: run twice, nothing is there twice; its accounts sign in.
import { count, eq, inArray, like, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DEMO_ROLES, demoEmail, loadDemoCity, newDemoSecrets } from '../../cli/demo-city';
import { apiKeys, campaignParticipants, campaigns, campaignTemplates, enterprises, hazards, units, users } from '../../db/schema';
import { DEMO_TEMPLATE_KEY } from '../../domain/fixtures/demo-city';
import { ApiHarness, type Json } from '../support/api-harness';

const h = ApiHarness.forFile({ worker: true });

async function rows() {
  const n = async (q: Promise<{ n: number }[]>) => (await q)[0]!.n;
  const demoCampaigns = await h.db.select({ id: campaigns.id }).from(campaigns).where(sql`${campaigns.template}->>'key' = ${DEMO_TEMPLATE_KEY}`);
  return {
    units: await n(h.db.select({ n: count() }).from(units).where(like(units.code, 'demo-%'))),
    enterprises: await n(h.db.select({ n: count() }).from(enterprises).where(like(enterprises.countyCode, 'demo-%'))),
    users: await n(h.db.select({ n: count() }).from(users).where(like(users.email, '%@demo-city.hazard-campaign.local'))),
    loaderKeys: await n(h.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.name, 'demo city loader'))),
    templates: await n(h.db.select({ n: count() }).from(campaignTemplates).where(eq(campaignTemplates.key, DEMO_TEMPLATE_KEY))),
    campaigns: demoCampaigns.length,
    hazards: demoCampaigns.length === 0 ? 0 : await n(h.db.select({ n: count() }).from(hazards).where(inArray(hazards.campaignId, demoCampaigns.map((c) => c.id)))),
  };
}

describe('the demo city', () => {
  it('loads units, a roster, five accounts, a campaign and its hazards once, however often it runs', async () => {
    const secrets = newDemoSecrets();
    // The campaign opens in ten minutes: nothing fires while the test runs.
    const opts = { enterprises: 36, hazards: 4, startMs: Date.now() + 600_000 };
    const first = await loadDemoCity(h.app, h.db, secrets, opts);
    expect(first.units).toEqual({ created: 9, existing: 0 });
    expect(first.enterprises).toMatchObject({ created: 36, unchanged: 0 });
    expect(first.accounts.every((a) => a.created)).toBe(true);
    expect(first.campaign.launched).toBe(true);
    expect(first.hazards).toBe(4);
    h.track(`campaign:${first.campaign.id}`);
    for (const p of await h.db.select().from(campaignParticipants).where(eq(campaignParticipants.campaignId, first.campaign.id))) h.track(`obligation:${p.campaignId}:${p.unitCode}`);
    for (const x of await h.db.select({ id: hazards.id }).from(hazards).where(eq(hazards.campaignId, first.campaign.id))) h.track(`hazard:${x.id}`);
    const after = await rows();
    expect(after).toEqual({ units: 9, enterprises: 36, users: 5, loaderKeys: 1, templates: 1, campaigns: 1, hazards: 4 });

    const second = await loadDemoCity(h.app, h.db, secrets, { ...opts, startMs: Date.now() + 700_000 });
    expect(second).toEqual({
      units: { created: 0, existing: 9 },
      enterprises: { created: 0, unchanged: 36, updated: 0 },
      accounts: DEMO_ROLES.map((role) => ({ role, email: demoEmail(role), created: false })),
      campaign: { id: first.campaign.id, launched: false },
      hazards: 0,
    });
    expect(await rows()).toEqual(after);

    // The accounts sign in with the passwords the start prints, each in its scope.
    const login = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: demoEmail('county'), password: secrets.passwords.county } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const seen = (await h.app.inject({ method: 'GET', url: '/v1/enterprises?limit=500', headers: { cookie } })).json<Json>();
    expect(seen.items.length).toBeGreaterThan(0);
    expect(new Set(seen.items.map((e: Json) => e.countyCode))).toEqual(new Set(['demo-pingcheng']));
  });
});
