import { describe, expect, it } from 'vitest';
import { datong2023Template } from '../../domain/campaign';
import { validateTemplate } from '../../domain/campaign-template';
import { foreignChecklistEntries, selfInspectionChecklist } from '../../domain/self-inspection';

const nos = (industry: string) => selfInspectionChecklist(datong2023Template.workLines, industry).map((it) => it.no);
const everyone = [5, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36];

describe('the self-inspection checklist of the Datong plan', () => {
  it('gives a coal mine the items on every enterprise, the coal mines\' video training, the key industries\' and the mines\' items', () => {
    expect(nos('COAL_MINE')).toEqual([3, 5, 10, 12, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36]);
  });

  it('gives a place where people gather the fire items (13), no mining item', () => {
    expect(nos('FIRE_SAFETY')).toEqual([5, 10, 13, ...everyone.slice(1)]);
    expect(nos('EDUCATION')).toEqual([5, 13, ...everyone.slice(1)]);
  });

  it('gives an industry named nowhere the items on every enterprise only, and no regulator\'s item to anyone', () => {
    expect(nos('GRAIN_RESERVES')).toEqual(everyone);
    for (const no of [1, 2, 8, 9, 11, 18, 37, 45, 48]) expect(nos('COAL_MINE')).not.toContain(no);
  });

  it('names each filed entry that is not on the checklist', () => {
    const checklist = selfInspectionChecklist(datong2023Template.workLines, 'GRAIN_RESERVES');
    expect(foreignChecklistEntries(checklist, [{ no: 5 }, { no: 3 }, { no: 48 }]).map((e) => e.field)).toEqual(['checklist[1].no', 'checklist[2].no']);
  });
});

describe('a template\'s checklist tags', () => {
  const withTag = (tag: unknown) => {
    const t = structuredClone(datong2023Template) as unknown as { workLines: { items: Record<string, unknown>[] }[] };
    t.workLines[0]!.items[0]!.selfInspection = tag;
    return validateTemplate(t);
  };

  it('keeps ALL and a list of industries', () => {
    const ok = withTag(['COAL_MINE', 'COAL_MINE', 'FIRE_SAFETY']);
    expect(ok.ok && ok.template.workLines[0]!.items[0]!.selfInspection).toEqual(['COAL_MINE', 'FIRE_SAFETY']);
    const all = withTag('ALL');
    expect(all.ok && all.template.workLines[0]!.items[0]!.selfInspection).toBe('ALL');
  });

  it.each([['an unknown industry', ['MOON_BASE']], ['an empty list', []], ['another word', 'SOME']])('refuses %s naming the item', (_what, tag) => {
    const bad = withTag(tag);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.field)).toEqual(['workLines[0].items[0].selfInspection']);
  });
});
