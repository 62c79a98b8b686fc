// What opens an accountability case besides a missed duty: a supervision team's finding against a
// unit, an inspection finding the enterprise had concealed (瞒报), an escalated hazard's review
// record. Each opens or joins through openOrJoinCase under an ID derived from its cause, so the
// request or activity that first runs it and the reconciler that repeats it find the same case.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accountabilityReviews, campaigns, caseCauses, hazards, supervisionFindings, units } from '../db/schema';
import { hazardCauseRef, type CaseCauseKind } from '../domain/accountability';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import { DEFAULT_TIME_ZONE } from '../domain/time';
import { caseCauseResolvedSignal } from '../workflows/case.messages';
import { caseWorkflowId } from '../workflows/ids';
import { enterpriseSubject, openOrJoinCase, unitSubject } from './case.service';
import { signalIfRunning, type TemporalTarget } from './temporal';

export type CaseOpened = { caseId: string; joined: boolean };
export type SupervisionFindingRow = typeof supervisionFindings.$inferSelect;

/** Whether a cause is on a case already (open or resolved): then there is nothing left to open for it. */
export async function causeOnRecord(db: Db, kind: CaseCauseKind, refId: string): Promise<boolean> {
  const [row] = await db.select({ id: caseCauses.id }).from(caseCauses).where(and(eq(caseCauses.kind, kind), eq(caseCauses.refId, refId))).limit(1);
  return row !== undefined;
}

async function campaignTimeZone(db: Db, campaignId: string): Promise<string> {
  const [c] = await db.select({ template: campaigns.template }).from(campaigns).where(eq(campaigns.id, campaignId));
  return c?.template.timeZone ?? DEFAULT_TIME_ZONE;
}

/**
 * A supervision team's finding against a county or department (检查流于形式, 监管执法宽松软虚 …,
 * plan item 45): a case against that unit, the finding its cause (one open case per unit and
 * cause kind: a second finding joins it).
 */
export async function openCaseForFinding(db: Db, t: TemporalTarget, f: SupervisionFindingRow): Promise<CaseOpened> {
  if (f.targetKind !== 'UNIT' || !f.unitCode) throw new Error(`supervision finding ${f.id} is not against a unit`);
  const [unit] = await db.select({ name: units.name, kind: units.kind }).from(units).where(eq(units.code, f.unitCode));
  return openOrJoinCase(db, t, {
    subject: unitSubject(f.unitCode, unit),
    cause: { kind: 'SUPERVISION_FINDING', refId: f.id, note: f.description },
    campaignId: f.campaignId,
    openedBy: f.actor,
    timeZone: await campaignTimeZone(db, f.campaignId),
  });
}

export interface ConcealmentFinding {
  enterprise: Parameters<typeof enterpriseSubject>[0];
  /** The hazard registered from the concealed finding: the cause's reference. */
  hazardId: string;
  description: string;
  campaignId: string | null;
  actor: Actor;
  timeZone: string;
}

/** An inspection found a hazard the enterprise had not reported in its self-inspection (瞒报): a case against the enterprise and its principal. */
export function openCaseForConcealment(db: Db, t: TemporalTarget, c: ConcealmentFinding): Promise<CaseOpened> {
  return openOrJoinCase(db, t, {
    subject: enterpriseSubject(c.enterprise),
    cause: { kind: 'CONCEALMENT', refId: c.hazardId, note: `not reported in the enterprise's self-inspection (瞒报): ${c.description}` },
    campaignId: c.campaignId,
    openedBy: c.actor,
    timeZone: c.timeZone,
  });
}

export interface ReviewRecord {
  /** The accountability_reviews row. */
  id: string;
  hazardId: string;
  deadlineVersion: number;
  reason: string;
  /** When the hazard passed its escalation step (the workflow's instant): the case is opened then. */
  openedAt?: Date;
}

/**
 * A hazard past its escalation step (its accountability_reviews record): a case against its
 * supervising department for rectification pursued ineffectively (隐患排查整治不力, item 45),
 * opened or joined, then the record marked CASE_OPENED so that the reconciler leaves it. A hazard
 * closed before its case existed is recorded on the case as a resolved cause. Null when the
 * hazard is not on the ledger.
 */
export async function openCaseForReview(db: Db, t: TemporalTarget, review: ReviewRecord): Promise<CaseOpened | null> {
  const refId = hazardCauseRef(review.hazardId, review.deadlineVersion);
  let opened: CaseOpened | null = null;
  // On a case already (this record's earlier attempt, or a case opened before records were marked): never a second one.
  if (!(await causeOnRecord(db, 'HAZARD_ESCALATION', refId))) {
    const [row] = await db.select({ hazard: hazards, department: units }).from(hazards).leftJoin(units, eq(units.code, hazards.departmentCode)).where(eq(hazards.id, review.hazardId));
    if (!row) return null;
    const { hazard: h, department } = row;
    opened = await openOrJoinCase(db, t, {
      subject: unitSubject(h.departmentCode, department ?? undefined),
      cause: { kind: 'HAZARD_ESCALATION', refId, note: review.reason },
      ...(review.openedAt ? { openedAt: review.openedAt } : {}),
      campaignId: h.campaignId,
      openedBy: SYSTEM_ACTOR,
      timeZone: h.timeZone,
    });
    if (h.state === 'CLOSED') {
      await signalIfRunning(t, caseWorkflowId(opened.caseId), caseCauseResolvedSignal, { kind: 'HAZARD_ESCALATION', refId, note: 'hazard closed (销号) before its case was opened', actor: SYSTEM_ACTOR });
    }
  }
  await db.update(accountabilityReviews).set({ status: 'CASE_OPENED' }).where(and(eq(accountabilityReviews.id, review.id), eq(accountabilityReviews.status, 'OPEN')));
  return opened;
}
