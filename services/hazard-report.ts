// Turns a hazard report (the API body) into a ledger row, checking what schemas cannot:
// the deadline in the hazard's zone, the policy override, the enterprise's scope.
import { createHash, randomUUID } from 'node:crypto';
import type { NewHazardRow } from '../db/hazards.repo';
import type { enterprises } from '../db/schema';
import { canonicalJson } from '../domain/canonical-json';
import type { FieldError } from '../domain/errors';
import { MAX_DEADLINE_AHEAD_MS, type Actor, type HazardGrade, type HazardSource } from '../domain/hazard';
import { resolvePolicy, validatePolicyOverride, type HazardPolicyOverride } from '../domain/policy';
import { DEFAULT_TIME_ZONE, isValidTimeZone, parseDeadline } from '../domain/time';
import { hazardWorkflowId } from '../workflows/ids';

export interface PersonInput {
  name: string;
  email?: string;
  phone?: string;
}

export interface HazardReport {
  enterpriseId?: string;
  grade: HazardGrade;
  source?: HazardSource;
  description: string;
  location: string;
  industry?: string;
  responsible: PersonInput;
  measures: string;
  fundsAmount: number;
  /** YYYY-MM-DD (end of that day in the zone), local YYYY-MM-DDTHH:mm, or an instant with offset. */
  deadline: string;
  interimControls: string;
  principal?: PersonInput;
  timeZone?: string;
  policy?: HazardPolicyOverride;
  /** The campaign it was found in, when any. */
  campaignId?: string;
}

type Enterprise = typeof enterprises.$inferSelect;

/** Canonical JSON (sorted keys) hashed: the same body under the same key is the same request. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** A campaign template's hazard policies, per grade (validated with the template). */
export type CampaignHazardPolicies = Partial<Record<HazardGrade, HazardPolicyOverride>>;

/**
 * The row of a reported hazard. Its policy resolves in layers: the grade's default, then the
 * policies of the campaign it was found in (`campaignPolicies`, its template's), then the
 * report's own override where the caller may set one (domain/access forbiddenReportFields).
 */
export function buildHazardRow(
  report: HazardReport,
  enterprise: Enterprise,
  actor: Actor,
  now: number,
  idempotency?: { key: string },
  campaignPolicies?: CampaignHazardPolicies,
): { ok: true; row: NewHazardRow } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const timeZone = report.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) errors.push({ field: 'timeZone', reason: `'${timeZone}' is not an IANA time zone` });
  const zoneOk = isValidTimeZone(timeZone);
  const deadline = zoneOk ? parseDeadline(report.deadline, timeZone) : null;
  if (deadline === null && zoneOk) errors.push({ field: 'deadline', reason: 'expected YYYY-MM-DD, YYYY-MM-DDTHH:mm (local) or an ISO instant with offset' });
  else if (deadline !== null && deadline <= now) errors.push({ field: 'deadline', reason: 'the deadline must be in the future' });
  else if (deadline !== null && deadline > now + MAX_DEADLINE_AHEAD_MS) errors.push({ field: 'deadline', reason: 'the deadline must be within a hundred years' });
  if (report.policy) errors.push(...validatePolicyOverride(report.policy));
  for (const [field, value] of [['description', report.description], ['location', report.location], ['measures', report.measures], ['interimControls', report.interimControls], ['responsible.name', report.responsible.name]] as const) {
    if (value.trim() === '') errors.push({ field, reason: 'must not be blank' });
  }
  if (errors.length > 0 || deadline === null) return { ok: false, errors };
  const id = randomUUID();
  const principal = report.principal ?? { name: enterprise.principalName, email: enterprise.principalEmail ?? undefined, phone: enterprise.principalPhone ?? undefined };
  return {
    ok: true,
    row: {
      id,
      enterpriseId: enterprise.id,
      countyCode: enterprise.countyCode,
      departmentCode: enterprise.departmentCode,
      industry: report.industry ?? enterprise.industry,
      grade: report.grade,
      source: report.source ?? 'SELF_INSPECTION',
      description: report.description.trim(),
      location: report.location.trim(),
      responsibleName: report.responsible.name.trim(),
      responsibleEmail: report.responsible.email ?? null,
      responsiblePhone: report.responsible.phone ?? null,
      measures: report.measures,
      fundsAmount: report.fundsAmount.toFixed(2),
      deadline: new Date(deadline),
      interimControls: report.interimControls,
      principalName: principal.name,
      principalEmail: principal.email ?? null,
      principalPhone: principal.phone ?? null,
      timeZone,
      policy: resolvePolicy(report.grade, campaignPolicies?.[report.grade], report.policy),
      workflowId: hazardWorkflowId(id),
      reportedBy: actor,
      // Scoped to the caller's organisation, so a portal keeps its keys across API-key rotation.
      idempotencyScope: idempotency ? `${actor.role}:${actor.scope ?? actor.keyId}` : null,
      idempotencyKey: idempotency?.key ?? null,
      campaignId: report.campaignId ?? null,
      requestHash: idempotency ? requestHash(report) : null,
    },
  };
}
