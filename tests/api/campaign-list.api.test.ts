// GET /v1/campaigns on the real app, a fresh Postgres database and the shared Temporal dev server:
// every filter, keyset pages without gaps or repeats while campaigns are launched, and what each
// key sees (a county or department the campaigns it takes part in, an enterprise those covering its
// county, a scoped reviewer those of its unit). Campaigns are launched through the API (their
// phases open in 10 minutes; no worker runs them); their status is moved by the ledger write the
// campaign workflow's activity makes (applyCampaignEvents).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCampaignEvents } from '../../db/campaigns.repo';
import { campaigns } from '../../db/schema';
import { demoTemplate, type CampaignTemplate } from '../../domain/campaign';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { ApiHarness } from '../support/api-harness';
import { uniq } from '../support/fixtures';
import { expectProblem } from '../support/problem';

const h = new ApiHarness({ worker: false });

interface Item {
  id: string;
  name: string;
  status: string;
  templateKey: string;
  templateVersion: number;
  timeZone: string;
  currentPhases: string[];
  launchedAt: string;
  completedAt: string | null;
}
type List = { items: Item[]; nextCursor: string | null };

let tplA: CampaignTemplate;
let tplB: CampaignTemplate;
/** Launched in this order (oldest first). c1: county A + department A; c2: county B + department B; c3: both counties. */
const ids: Record<'c1' | 'c2' | 'c3', string> = { c1: '', c2: '', c3: '' };
const extra: string[] = [];

const list = (query: string, key = h.keys.office) => h.call<List>('GET', `/v1/campaigns${query}`, key);
const idsOf = async (query: string, key = h.keys.office) => {
  const res = await list(query, key);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((i) => i.id);
};

async function launch(t: CampaignTemplate, counties: string[], departments: string[]): Promise<string> {
  const res = await h.call<{ id: string }>('POST', '/v1/campaigns', h.keys.office, { templateKey: t.key, templateVersion: 1, counties, departments, name: uniq('列表测试') });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  h.track(`campaign:${res.body.id}`);
  return res.body.id;
}

async function storeTemplate(): Promise<CampaignTemplate> {
  const t = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('list') };
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.office, t)).status).toBe(201);
  return t;
}

/** The ledger step of the campaign workflow: the first moves it to RUNNING, a completing one to COMPLETED. */
async function step(campaignId: string, seq: number, completed: boolean) {
  await applyCampaignEvents(h.db, [{ campaignId, seq, type: completed ? 'CAMPAIGN_COMPLETED' : 'PHASE_OPENED', phase: null, actor: SYSTEM_ACTOR, data: {}, at: new Date().toISOString(), currentPhases: completed ? [] : ['MOBILIZATION'], completed }]);
}

beforeAll(async () => {
  await h.start();
  tplA = await storeTemplate();
  tplB = await storeTemplate();
  const { entA, entB } = h;
  ids.c1 = await launch(tplA, [entA.countyCode], [entA.departmentCode]);
  ids.c2 = await launch(tplA, [entB.countyCode], [entB.departmentCode]);
  ids.c3 = await launch(tplB, [entA.countyCode, entB.countyCode], []);
  await step(ids.c1, 1, false);
  await step(ids.c2, 1, false);
  await step(ids.c2, 2, true);
});
afterAll(() => h.close());

describe('GET /v1/campaigns', () => {
  it('lists every campaign for the office, newest first, with its template and status', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => i.id)).toEqual([ids.c3, ids.c2, ids.c1]);
    const [c3, c2, c1] = res.body.items;
    expect(c1).toMatchObject({ status: 'RUNNING', templateKey: tplA.key, templateVersion: 1, timeZone: 'Asia/Shanghai', currentPhases: ['MOBILIZATION'], completedAt: null });
    expect(c2).toMatchObject({ status: 'COMPLETED', templateKey: tplA.key, currentPhases: [], completedAt: expect.any(String) });
    expect(c3).toMatchObject({ status: 'LAUNCHED', templateKey: tplB.key });
    const [row] = await h.db.select().from(campaigns).where(eq(campaigns.id, ids.c1));
    expect(c1!.launchedAt).toBe(row!.createdAt.toISOString());
    expect(c1!.name).toBe(row!.name);
  });

  it('filters by status, template, participating unit and launch instant (from inclusive, to exclusive)', async () => {
    const { entA, entB } = h;
    expect(await idsOf('?status=COMPLETED')).toEqual([ids.c2]);
    expect(await idsOf('?status=RUNNING')).toEqual([ids.c1]);
    expect(await idsOf('?status=LAUNCHED')).toEqual([ids.c3]);
    expect(await idsOf(`?templateKey=${tplA.key}`)).toEqual([ids.c2, ids.c1]);
    expect(await idsOf(`?templateKey=${tplB.key}`)).toEqual([ids.c3]);
    expect(await idsOf(`?templateKey=${uniq('none')}`)).toEqual([]);
    expect(await idsOf(`?unitCode=${entB.countyCode}`)).toEqual([ids.c3, ids.c2]);
    expect(await idsOf(`?unitCode=${entA.departmentCode}`)).toEqual([ids.c1]);
    const rows = await h.db.select({ id: campaigns.id, createdAt: campaigns.createdAt }).from(campaigns);
    const at = (id: string) => encodeURIComponent(rows.find((r) => r.id === id)!.createdAt.toISOString());
    expect(await idsOf(`?launchedFrom=${at(ids.c2)}`)).toEqual([ids.c3, ids.c2]);
    expect(await idsOf(`?launchedTo=${at(ids.c2)}`)).toEqual([ids.c1]);
    expect(await idsOf(`?launchedFrom=${at(ids.c2)}&launchedTo=${at(ids.c3)}`)).toEqual([ids.c2]);
    expect(await idsOf(`?status=RUNNING&templateKey=${tplA.key}&unitCode=${entA.countyCode}`)).toEqual([ids.c1]);
  });

  it('shows a county, a department, an enterprise and a scoped reviewer only the campaigns of their units; a city-wide reviewer all', async () => {
    const { keys, entB } = h;
    expect(await idsOf('', keys.county)).toEqual([ids.c3, ids.c1]);
    expect(await idsOf('', keys.department)).toEqual([ids.c1]);
    // An enterprise: the campaigns covering its county (it declares its self-inspection in them).
    expect(await idsOf('', keys.entA)).toEqual([ids.c3, ids.c1]);
    expect(await idsOf('', keys.entB)).toEqual([ids.c3, ids.c2]);
    expect(await idsOf('', keys.reviewer)).toEqual([ids.c3, ids.c1]);
    expect(await idsOf('', keys.reviewerCity)).toEqual([ids.c3, ids.c2, ids.c1]);
    // A filter narrows what the key sees, it never widens it.
    expect(await idsOf(`?unitCode=${entB.countyCode}`, keys.county)).toEqual([ids.c3]);
    expect(await idsOf(`?unitCode=${entB.departmentCode}`, keys.department)).toEqual([]);
    expect(await idsOf('?status=COMPLETED', keys.county)).toEqual([]);
  });

  it('pages without gaps or repeats, also while campaigns are launched between pages', async () => {
    for (let i = 0; i < 4; i++) extra.push(await launch(tplB, [h.entA.countyCode], []));
    const all = await idsOf('?limit=500');
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: List } = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
      // Newer than every cursor: it belongs before the first page, never in a later one.
      if (pages++ === 0) extra.push(await launch(tplB, [h.entA.countyCode], []));
    } while (cursor);
    expect(seen).toEqual(all);
    expect(pages).toBe(4);
    expect((await idsOf('?limit=500'))[0]).toBe(extra.at(-1));
  });

  it('refuses a forged cursor (422), an unknown status, a bad instant and an unknown filter (400), naming each', async () => {
    expectProblem(await list('?cursor=bm90LWEtY3Vyc29y'), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
    expectProblem(await list('?status=PAUSED'), 400, 'VALIDATION_FAILED', ['querystring.status']);
    expectProblem(await list('?launchedFrom=yesterday'), 400, 'VALIDATION_FAILED', ['querystring.launchedFrom']);
    expectProblem(await list('?colour=red'), 400, 'VALIDATION_FAILED', ['querystring.colour']);
    expectProblem(await list('?limit=0'), 400, 'VALIDATION_FAILED', ['querystring.limit']);
  });
});
