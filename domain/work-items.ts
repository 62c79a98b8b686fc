// The plan's work items as tasks: who leads each (牵头单位, WorkItem.leads) and the structured
// monthly progress report a unit files on the items it leads. Pure: the unit's kind and the
// industries it supervises on the campaign's roster are arguments.
import type { CampaignTemplate, WorkItem, WorkItemLeads } from './campaign';
import type { FieldError } from './errors';
import { INDUSTRY_CODES, type Industry } from './industries';

export const ITEM_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'DONE'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** One item of a structured progress report. */
export interface ProgressItem {
  no: number;
  status: ItemStatus;
  figures?: Record<string, number | string>;
  text?: string;
}

/** A participating unit as the leads read it: its code, its kind, the industries of the roster's enterprises it supervises. */
export interface LeadingUnit {
  code: string;
  kind: 'COUNTY' | 'DEPARTMENT';
  supervisedIndustries: ReadonlySet<string>;
}

const UNIT_KINDS = ['COUNTY', 'DEPARTMENT'] as const;
const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** The leads of an item as written, or the field errors (paths under `path`). */
export function validateLeads(v: unknown, path: string): WorkItemLeads | FieldError[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [{ field: path, reason: `must be an object { kinds?, industries?, units? }, got ${show(v)}` }];
  const errors: FieldError[] = [];
  const out: WorkItemLeads = {};
  const r = v as Record<string, unknown>;
  const list = <T extends string>(name: 'kinds' | 'industries' | 'units', ok: (x: string) => boolean, allowed: string): T[] | undefined => {
    const xs = r[name];
    if (xs === undefined) return undefined;
    if (!Array.isArray(xs) || xs.length === 0) {
      errors.push({ field: `${path}.${name}`, reason: `must be a non-empty list of ${allowed}, got ${show(xs)}` });
      return undefined;
    }
    xs.forEach((x, i) => {
      if (typeof x !== 'string' || !ok(x)) errors.push({ field: `${path}.${name}[${i}]`, reason: `${show(x)} is not ${allowed}` });
    });
    return [...new Set(xs.filter((x): x is T => typeof x === 'string' && ok(x)))];
  };
  const kinds = list<'COUNTY' | 'DEPARTMENT'>('kinds', (x) => (UNIT_KINDS as readonly string[]).includes(x), `a unit kind (${UNIT_KINDS.join(', ')})`);
  const industries = list<Industry>('industries', (x) => (INDUSTRY_CODES as string[]).includes(x), `an industry code (${INDUSTRY_CODES.join(', ')})`);
  const units = list<string>('units', (x) => CODE_RE.test(x), "a unit code (1-64 letters, digits, '.', '_' or '-')");
  for (const k of Object.keys(r)) if (k !== 'kinds' && k !== 'industries' && k !== 'units') errors.push({ field: `${path}.${k}`, reason: 'is not a lead: kinds, industries or units' });
  if (kinds) out.kinds = kinds;
  if (industries) out.industries = industries;
  if (units) out.units = units;
  if (errors.length === 0 && !kinds && !industries && !units) errors.push({ field: path, reason: 'names no lead: give kinds, industries or units' });
  return errors.length > 0 ? errors : out;
}

/** Whether the unit leads the item; when it does by an industry only, which of its industries. */
export function leadOf(item: WorkItem, unit: LeadingUnit): { leads: boolean; industries: Industry[] | null } {
  const l = item.leads;
  if (!l) return { leads: false, industries: null };
  if (l.kinds?.includes(unit.kind) || l.units?.includes(unit.code)) return { leads: true, industries: null };
  const industries = unit.kind === 'DEPARTMENT' ? (l.industries ?? []).filter((i) => unit.supervisedIndustries.has(i)) : [];
  return industries.length > 0 ? { leads: true, industries } : { leads: false, industries: null };
}

export const templateHasLeads = (t: CampaignTemplate): boolean => t.workLines.some((l) => l.items.some((i) => i.leads !== undefined));

/** The items the unit leads, in plan order. */
export function itemsLedBy(t: CampaignTemplate, unit: LeadingUnit): { item: WorkItem; industries: Industry[] | null }[] {
  return t.workLines.flatMap((l) => l.items.flatMap((item) => {
    const lead = leadOf(item, unit);
    return lead.leads ? [{ item, industries: lead.industries }] : [];
  }));
}

/** The template's work item numbered `no`, if there is one. */
export const workItemOf = (t: CampaignTemplate, no: number): WorkItem | undefined => t.workLines.flatMap((l) => l.items).find((i) => i.no === no);

/**
 * Why a hazard cannot be linked to work item `no` (a FieldError on `field`), or null when it can:
 * the item must be one of its campaign's plan, and a hazard outside any campaign has no plan.
 */
export function workItemProblem(t: CampaignTemplate | undefined, no: number, field: string): FieldError | null {
  if (!t) return { field, reason: 'the hazard belongs to no campaign: a work item is one of a campaign plan\'s' };
  return workItemOf(t, no) ? null : { field, reason: `item ${no} is not a work item of this campaign's plan` };
}

/**
 * The structured items of a progress report, checked against the template: each a work item,
 * once, and one the unit leads (a template without leads: any of its items). Paths are under
 * `items`.
 */
export function progressItemProblems(t: CampaignTemplate, unit: LeadingUnit, items: readonly ProgressItem[]): FieldError[] {
  const all = new Map(t.workLines.flatMap((l) => l.items.map((i) => [i.no, i] as const)));
  const withLeads = templateHasLeads(t);
  const seen = new Map<number, number>();
  const errors: FieldError[] = [];
  items.forEach((it, i) => {
    const field = `items[${i}].no`;
    const item = all.get(it.no);
    if (!item) errors.push({ field, reason: `item ${it.no} is not a work item of this campaign's plan` });
    else if (seen.has(it.no)) errors.push({ field, reason: `item ${it.no} is stated twice (first at items[${seen.get(it.no)}])` });
    else if (withLeads && !leadOf(item, unit).leads) errors.push({ field, reason: `${unit.code} does not lead item ${it.no}: it reports on the items it leads (${itemsLedBy(t, unit).map((x) => x.item.no).join(', ') || 'none'})` });
    if (!seen.has(it.no)) seen.set(it.no, i);
  });
  return errors;
}
