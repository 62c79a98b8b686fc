// An enterprise's self-inspection checklist (自查清单): the campaign's work items that apply to
// its industry, as the template tags them (WorkItem.selfInspection). Pure.
import type { WorkItem, WorkLine } from './campaign';

/** The work items an enterprise of `industry` self-inspects against, in the plan's order. */
export function selfInspectionChecklist(workLines: WorkLine[], industry: string): WorkItem[] {
  return workLines
    .flatMap((l) => l.items)
    .filter((it) => it.selfInspection === 'ALL' || (Array.isArray(it.selfInspection) && (it.selfInspection as string[]).includes(industry)))
    .sort((a, b) => a.no - b.no);
}

/** Checklist entries that name an item not on the enterprise's checklist: each a field error (`checklist[i].no`). */
export function foreignChecklistEntries(checklist: WorkItem[], filed: { no: number }[]): { field: string; reason: string }[] {
  const nos = new Set(checklist.map((it) => it.no));
  return filed.flatMap((f, i) => (nos.has(f.no) ? [] : [{ field: `checklist[${i}].no`, reason: `item ${f.no} is not on this enterprise's checklist (${[...nos].join(', ') || 'empty'})` }]));
}
