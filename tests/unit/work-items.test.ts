import { describe, expect, it } from 'vitest';
import { datong2023Template, type CampaignTemplate } from '../../domain/campaign';
import { validateTemplate } from '../../domain/campaign-template';
import { itemsLedBy, progressItemProblems, validateLeads, type LeadingUnit } from '../../domain/work-items';

const county: LeadingUnit = { code: 'C1', kind: 'COUNTY', supervisedIndustries: new Set() };
const coalDept: LeadingUnit = { code: 'D-COAL', kind: 'DEPARTMENT', supervisedIndustries: new Set(['COAL_MINE']) };
const fireDept: LeadingUnit = { code: 'D-FIRE', kind: 'DEPARTMENT', supervisedIndustries: new Set(['FIRE_SAFETY']) };

describe('work item leads (牵头单位)', () => {
  it('reads kinds, industries and unit codes; refuses anything else with the field path', () => {
    expect(validateLeads({ kinds: ['COUNTY'], industries: ['COAL_MINE'], units: ['D-1'] }, 'x')).toEqual({ kinds: ['COUNTY'], industries: ['COAL_MINE'], units: ['D-1'] });
    expect(validateLeads({ kinds: ['CITY'] }, 'x')).toEqual([{ field: 'x.kinds[0]', reason: expect.stringContaining('unit kind') }]);
    expect(validateLeads({ industries: [] }, 'x')).toEqual([{ field: 'x.industries', reason: expect.stringContaining('non-empty') }]);
    expect(validateLeads({}, 'x')).toEqual([{ field: 'x', reason: expect.stringContaining('names no lead') }]);
    expect(validateLeads({ office: true }, 'x')).toEqual([{ field: 'x.office', reason: expect.any(String) }]);
  });

  it('validateTemplate keeps the Datong leads and names a bad one by its path', () => {
    const ok = validateTemplate(structuredClone(datong2023Template));
    expect(ok.ok).toBe(true);
    const bad = structuredClone(datong2023Template) as CampaignTemplate;
    bad.workLines[1]!.items[0]!.leads = { industries: ['GOLD'] as never };
    const r = validateTemplate(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ field: 'workLines[1].items[0].leads.industries[0]', reason: expect.stringContaining('industry code') });
  });

  it('a county leads the county items, a department its kind items and its industries', () => {
    const countyItems = itemsLedBy(datong2023Template, county).map((x) => x.item.no);
    expect(countyItems).toEqual([1, 4, 5, 6, 7, 8, 9, 13, 19, 20, 41, 42, 43, 44]);
    const coal = itemsLedBy(datong2023Template, coalDept);
    expect(coal.find((x) => x.item.no === 3)).toMatchObject({ industries: ['COAL_MINE'] });
    expect(coal.find((x) => x.item.no === 12)).toMatchObject({ industries: ['COAL_MINE'] });
    expect(coal.find((x) => x.item.no === 37)).toMatchObject({ industries: null });
    expect(coal.some((x) => x.item.no === 14)).toBe(false);
    expect(itemsLedBy(datong2023Template, fireDept).some((x) => x.item.no === 14)).toBe(true);
    // Not tagged: no unit reports on them.
    for (const u of [county, coalDept, fireDept]) expect(itemsLedBy(datong2023Template, u).map((x) => x.item.no)).not.toEqual(expect.arrayContaining([2]));
  });

  it('a structured report states only the items the unit leads, each once', () => {
    expect(progressItemProblems(datong2023Template, county, [{ no: 8, status: 'DONE' }, { no: 41, status: 'IN_PROGRESS', figures: { 述职: 3 } }])).toEqual([]);
    expect(progressItemProblems(datong2023Template, county, [{ no: 8, status: 'DONE' }, { no: 12, status: 'DONE' }])).toEqual([{ field: 'items[1].no', reason: expect.stringContaining('C1 does not lead item 12') }]);
    expect(progressItemProblems(datong2023Template, county, [{ no: 8, status: 'DONE' }, { no: 8, status: 'DONE' }])).toEqual([{ field: 'items[1].no', reason: expect.stringContaining('twice') }]);
    expect(progressItemProblems(datong2023Template, county, [{ no: 99, status: 'DONE' }])).toEqual([{ field: 'items[0].no', reason: expect.stringContaining('not a work item') }]);
  });

  it('a template without leads takes any of its items', () => {
    const t = structuredClone(datong2023Template) as CampaignTemplate;
    for (const l of t.workLines) for (const i of l.items) delete i.leads;
    expect(progressItemProblems(t, county, [{ no: 12, status: 'DONE' }])).toEqual([]);
    expect(progressItemProblems(t, county, [{ no: 49, status: 'DONE' }])).toHaveLength(1);
  });
});
