// The four-colour risk map (四色图) through the API: a campaign launched over two counties, hazards
// on the ledger, the levels with their reasons, the cells coloured by the worst level, the list
// behind a cell, the points with coordinates, and what a county key sees. The template's rule is
// validated with its field paths. Real app, fresh Postgres, the shared Temporal dev server.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { hazards } from '../../db/schema';
import { ApiHarness } from '../support/api-harness';
import { futureTemplate } from '../support/access-table';
import { seedCampaignUnits } from '../support/campaign-launch';
import { reportBody, seedEnterprise, seedHazard, uniq } from '../support/fixtures';
import { expectProblem } from '../support/problem';

const h = ApiHarness.forFile({ worker: false });

interface Cell {
  countyCode: string;
  industry: string;
  level: string;
  counts: Record<string, number>;
  total: number;
}

async function storeTemplate(over: object = {}) {
  const template = { ...futureTemplate(), ...over };
  const res = await h.call('POST', '/v1/campaign-templates', h.keys.office, template);
  return { res, template };
}

describe('the four-colour risk map of a campaign', () => {
  it('colours each enterprise by the rule, each cell by its worst, and lists the enterprises behind a cell', async () => {
    const [c1, c2, dept] = [uniq('c1'), uniq('c2'), uniq('dept')];
    await seedCampaignUnits(h.db, [c1, c2], [dept]);
    const ent = (countyCode: string, industry: string, over: object = {}) => seedEnterprise(h.db, { countyCode, departmentCode: dept, industry, ...over });
    const red = await ent(c1, 'HAZARDOUS_CHEMICALS');
    const orange = await ent(c1, 'HAZARDOUS_CHEMICALS');
    const yellow = await ent(c1, 'HAZARDOUS_CHEMICALS');
    const overdue = await ent(c2, 'COAL_MINE');
    const blue = await ent(c2, 'COAL_MINE', { latitude: 40.08, longitude: 113.3 });
    const now = Date.now();
    const hazard = (e: typeof red, grade: 'MAJOR' | 'GENERAL') => seedHazard(h.db, e, reportBody({ grade }), now);
    await hazard(red, 'MAJOR');
    for (let i = 0; i < 3; i += 1) await hazard(orange, 'GENERAL');
    await hazard(yellow, 'GENERAL');
    // A closed major hazard is no risk any more: yellow stays yellow.
    const closed = await hazard(yellow, 'MAJOR');
    await h.db.update(hazards).set({ state: 'CLOSED' }).where(eq(hazards.id, closed.id));
    const late = await hazard(overdue, 'GENERAL');
    await h.db.update(hazards).set({ overdue: true }).where(eq(hazards.id, late.id));

    const { res: stored, template } = await storeTemplate();
    expect(stored.status).toBe(201);
    const launch = await h.call<{ id: string; workflowId: string }>('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [c1, c2], departments: [dept] });
    expect(launch.status, JSON.stringify(launch.body)).toBe(201);
    h.track(launch.body.workflowId);
    const id = launch.body.id;

    const map = await h.call<{ cells: Cell[]; totals: Record<string, number>; points: object[]; rule: { levels: { level: string }[] } }>('GET', `/v1/campaigns/${id}/risk-map`, h.keys.office);
    expect(map.status, JSON.stringify(map.body)).toBe(200);
    expect(map.body.rule.levels.map((l) => l.level)).toEqual(['RED', 'ORANGE', 'YELLOW']);
    expect(map.body.totals).toEqual({ RED: 2, ORANGE: 1, YELLOW: 1, BLUE: 1 });
    expect(map.body.cells).toEqual([
      { countyCode: c1, industry: 'HAZARDOUS_CHEMICALS', level: 'RED', counts: { RED: 1, ORANGE: 1, YELLOW: 1, BLUE: 0 }, total: 3 },
      { countyCode: c2, industry: 'COAL_MINE', level: 'RED', counts: { RED: 1, ORANGE: 0, YELLOW: 0, BLUE: 1 }, total: 2 },
    ].sort((a, b) => (a.countyCode < b.countyCode ? -1 : 1)));
    expect(map.body.points).toEqual([{ enterpriseId: blue.id, level: 'BLUE', latitude: 40.08, longitude: 113.3 }]);

    type Item = { enterpriseId: string; level: string; reasons: { metric: string; value: number; textZh: string }[] };
    const list = (q: string, key = h.keys.office) => h.call<{ items: Item[]; nextCursor: string | null }>('GET', `/v1/campaigns/${id}/risk-map/enterprises?${q}`, key);
    const cell = await list(`countyCode=${c1}&industry=HAZARDOUS_CHEMICALS`);
    expect(cell.body.items.map((i) => [i.enterpriseId, i.level]).sort()).toEqual([[red.id, 'RED'], [orange.id, 'ORANGE'], [yellow.id, 'YELLOW']].sort());
    const byId = new Map(cell.body.items.map((i) => [i.enterpriseId, i]));
    expect(byId.get(red.id)!.reasons).toEqual([expect.objectContaining({ metric: 'OPEN_MAJOR', value: 1, textZh: '未销号重大事故隐患 1 项（≥ 1）' })]);
    expect(byId.get(orange.id)!.reasons).toEqual([expect.objectContaining({ metric: 'OPEN_GENERAL', value: 3 })]);
    expect(byId.get(yellow.id)!.reasons).toEqual([expect.objectContaining({ metric: 'OPEN_GENERAL', value: 1 })]);
    expect((await list(`level=RED&countyCode=${c2}`)).body.items).toEqual([expect.objectContaining({ enterpriseId: overdue.id, reasons: [expect.objectContaining({ metric: 'OVERDUE', value: 1 })] })]);

    // Keyset pages walk the whole list once.
    const first = await list('limit=3');
    const second = await list(`limit=3&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((i) => i.enterpriseId).sort()).toEqual([red, orange, yellow, overdue, blue].map((e) => e.id).sort());
    expect(second.body.nextCursor).toBeNull();

    // A county key sees its own enterprises only.
    const county = await h.key('county', c2);
    const own = await h.call<{ cells: Cell[] }>('GET', `/v1/campaigns/${id}/risk-map`, county);
    expect(own.body.cells.map((c) => c.countyCode)).toEqual([c2]);
    expect((await list(`countyCode=${c1}`, county)).body.items).toEqual([]);
    expectProblem(await h.call('GET', `/v1/campaigns/${id}/risk-map`, h.keys.entA), 403, 'FORBIDDEN');
    expectProblem(await list('cursor=bm9wZQ'), 422, 'VALIDATION_FAILED', ['querystring.cursor']);
  });

  it('takes a rule from the template and refuses one that is no rule, naming the field', async () => {
    const bad = await storeTemplate({ riskMap: { levels: [{ level: 'YELLOW', anyOf: [{ metric: 'OPEN_GENERAL', atLeast: 1 }] }, { level: 'RED', anyOf: [{ metric: 'FIRES', atLeast: 1 }] }] } });
    expectProblem(bad.res, 422, 'VALIDATION_FAILED', ['riskMap.levels[1].level', 'riskMap.levels[1].anyOf[0].metric']);
    const good = await storeTemplate({ riskMap: { levels: [{ level: 'ORANGE', anyOf: [{ metric: 'OPEN_GENERAL', atLeast: 2 }] }] } });
    expect(good.res.status).toBe(201);
    const back = await h.call<{ riskMap: object }>('GET', `/v1/campaign-templates/${good.template.key}/1`, h.keys.office);
    expect(back.body.riskMap).toEqual({ levels: [{ level: 'ORANGE', anyOf: [{ metric: 'OPEN_GENERAL', atLeast: 2 }] }] });
  });
});
