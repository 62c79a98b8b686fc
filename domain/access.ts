// Property-level authorization: which fields of a write each role may set. Object-level scope is
// `canSee` (hazard.ts); role gates are per route. A field set by a role that may not set it is a
// 403 naming the field, and nothing changes.
import type { FieldError } from './errors';
import type { HazardSource, NotificationKind, Role } from './hazard';

/** The fields of a hazard report that are not the enterprise's to choose. */
export interface ReportControls {
  source?: HazardSource;
  policy?: unknown;
  campaignId?: string;
  principal?: unknown;
}

/**
 * - policy (reminder offsets, escalation step): the office and the regulators (department, admin).
 *   Not the enterprise (it could switch off its own escalation), nor the county: the county's own
 *   record is judged by how hazards in its territory are rectified and escalated (the office ranks
 *   counties, 打分排队), so it must not set the clock it is judged by.
 * - source: an enterprise reports what it found itself (SELF_INSPECTION). A county covers every
 *   enterprise in its territory (全覆盖), so its checks are SPOT_CHECK or a REPORT it received;
 *   SUPERVISION is the city supervision teams' (office, department, admin).
 * - campaignId: office, department, admin. Others' hazards join the running campaign of their
 *   county automatically; a county or enterprise cannot file a hazard under another campaign.
 * - principal: the enterprise's principal (主要负责人) comes from the roster, and major hazards are
 *   mailed to that person; an enterprise may not redirect it. Regulators may name another.
 */
export function forbiddenReportFields(role: Role, r: ReportControls, path = ''): FieldError[] {
  if (role === 'admin' || role === 'office' || role === 'department') return [];
  const out: FieldError[] = [];
  const at = (f: string) => `${path}${f}`;
  if (r.policy !== undefined) out.push({ field: at('policy'), reason: `a ${role} key may not set the reminder and escalation policy: the hazard takes its grade's (and campaign's) policy` });
  if (r.campaignId !== undefined) out.push({ field: at('campaignId'), reason: `a ${role} key may not choose the campaign: hazards join the running campaign of their county` });
  if (role === 'enterprise') {
    if (r.source !== undefined && r.source !== 'SELF_INSPECTION') out.push({ field: at('source'), reason: 'an enterprise reports its own findings: SELF_INSPECTION' });
    if (r.principal !== undefined) out.push({ field: at('principal'), reason: "the principal comes from the roster; an enterprise may not name another" });
  } else if (r.source === 'SUPERVISION') {
    out.push({ field: at('source'), reason: 'SUPERVISION is for the city supervision teams (office, department)' });
  }
  return out;
}

/** Hazard mail addressed only to regulators (the report to the department, the escalation to the office): not the enterprise's to read. */
export const REGULATOR_ONLY_MAIL: readonly NotificationKind[] = ['REPORTED_TO_REGULATOR', 'ESCALATED'];
