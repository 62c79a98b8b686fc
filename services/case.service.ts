// The only module that calls the Temporal client for accountability cases. One open case per
// subject and cause kind: a new cause joins the open case; otherwise a case is opened, its ledger
// row written first (claiming the subject) and its workflow started under an ID derived from the
// cause that opened it, so a retry after a crash finds and starts the same case.
import { and, eq, like, ne } from 'drizzle-orm';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { campaigns, caseCauses, cases } from '../db/schema';
import { getEnterprise, unitsByCode } from '../db/reference.repo';
import { resolveCaseLadder, type CaseCause, type CaseLadder, type CaseSubject } from '../domain/accountability';
import { DomainError, ErrorCode } from '../domain/errors';
import type { Actor } from '../domain/hazard';
import { addCaseCauseSignal, caseCauseResolvedSignal, caseStateQuery, decideCaseUpdate, type CaseCauseSignal, type CaseSnapshot, type CaseWorkflowInput, type DecideCaseInput } from '../workflows/case.messages';
import { caseWorkflowId } from '../workflows/ids';
import { executeUpdateBounded, isEndedWorkflowError, queryOrNull, signalIfRunning, startIdempotently, type TemporalTarget } from './temporal';
import { uuidFromKey } from './derived-id';

export interface OpenCaseRequest {
  subject: CaseSubject;
  cause: CaseCause;
  campaignId: string | null;
  openedBy: Actor;
  timeZone: string;
  /** An explicit ladder; otherwise the campaign template's (the default outside a campaign). */
  ladder?: CaseLadder;
  reviewerEmails?: string[];
  /**
   * When the opening cause happened, if it is an instant on the ledger (a duty missed at its due
   * instant, by the workflow's clock); now otherwise. A ranking or a circular read "as of" an
   * instant counts the case from then, whichever clock the activity that opened it read.
   */
  openedAt?: Date;
}

/** A unit as a case's subject, placed in its own scope (a county's cases in the county, a department's in the department). */
export function unitSubject(code: string, unit?: { name: string; kind: 'COUNTY' | 'DEPARTMENT' }): CaseSubject {
  return {
    kind: 'UNIT',
    ref: code,
    ...(unit ? { name: unit.name } : {}),
    countyCode: unit?.kind === 'COUNTY' ? code : null,
    departmentCode: unit?.kind === 'DEPARTMENT' ? code : null,
  };
}

/** An enterprise and its principal as a case's subject, placed in the enterprise's county and department. */
export function enterpriseSubject(e: { id: string; name: string; principalName?: string | null; countyCode: string; departmentCode: string }): CaseSubject {
  return { kind: 'ENTERPRISE', ref: e.id, name: e.name, ...(e.principalName ? { officialName: e.principalName } : {}), countyCode: e.countyCode, departmentCode: e.departmentCode };
}

/** A UUID derived from the opening cause: the same cause always names the same case. */
export function caseIdFor(subject: CaseSubject, cause: CaseCause): string {
  return uuidFromKey([subject.kind, subject.ref, cause.kind, cause.refId]);
}

async function openCaseOf(db: Db, subject: CaseSubject, kind: CaseCause['kind']) {
  const [row] = await db
    .select({ id: cases.id })
    .from(cases)
    .where(and(eq(cases.subjectKind, subject.kind), eq(cases.subjectRef, subject.ref), eq(cases.causeKind, kind), ne(cases.status, 'RESOLVED')));
  return row?.id ?? null;
}

/** The ladder of a case opened in a campaign: its template's override over the default; the default outside a campaign. Resolved here once, not by each opener. */
async function ladderOf(db: Db, campaignId: string | null): Promise<CaseLadder> {
  if (!campaignId) return resolveCaseLadder();
  const [c] = await db.select({ template: campaigns.template }).from(campaigns).where(eq(campaigns.id, campaignId));
  return resolveCaseLadder(c?.template.caseLadder);
}

/**
 * Joins a cause to an open case. A case whose row is on the ledger but whose workflow never started
 * (a crash between the two) is started from the input stored with its row first.
 */
async function joinCase(db: Db, t: TemporalTarget, caseId: string, cause: CaseCauseSignal): Promise<void> {
  const signal = () => t.client.workflow.getHandle(caseWorkflowId(caseId)).signal(addCaseCauseSignal, cause);
  try {
    await signal();
  } catch (err) {
    if (!isEndedWorkflowError(err)) throw err;
    const [row] = await db.select({ input: cases.workflowInput }).from(cases).where(eq(cases.id, caseId));
    if (!row?.input) throw err;
    await startIdempotently(t, 'caseWorkflow', caseWorkflowId(caseId), [row.input]);
    // A workflow that has ended meanwhile refuses again: the caller retries, and then finds its row resolved.
    await signal();
  }
}

/** Opens a case for the subject and the cause's kind, or joins the cause to the one open for them. Safe to repeat. */
export async function openOrJoinCase(db: Db, t: TemporalTarget, req: OpenCaseRequest): Promise<{ caseId: string; joined: boolean }> {
  const ownId = caseIdFor(req.subject, req.cause);
  const input: CaseWorkflowInput = {
    caseId: ownId,
    subject: req.subject,
    cause: req.cause,
    campaignId: req.campaignId,
    ladder: req.ladder ?? (await ladderOf(db, req.campaignId)),
    timeZone: req.timeZone,
    openedBy: req.openedBy,
    ...(req.reviewerEmails ? { reviewerEmails: req.reviewerEmails } : {}),
  };
  const start = () => startIdempotently(t, 'caseWorkflow', caseWorkflowId(ownId), [input]);
  for (let attempt = 0; attempt < 3; attempt++) {
    const open = await openCaseOf(db, req.subject, req.cause.kind);
    if (open === ownId) {
      // Ours, from an attempt that may have stopped before the start.
      await start();
      return { caseId: ownId, joined: false };
    }
    if (open) {
      await joinCase(db, t, open, { ...req.cause, actor: req.openedBy });
      return { caseId: open, joined: true };
    }
    try {
      const now = new Date();
      const openedAt = req.openedAt ?? now;
      await db.insert(cases).values({
        id: ownId,
        workflowId: caseWorkflowId(ownId),
        subjectKind: req.subject.kind,
        subjectRef: req.subject.ref,
        subjectName: req.subject.name ?? null,
        scopeCounty: req.subject.countyCode ?? null,
        scopeDepartment: req.subject.departmentCode ?? null,
        causeKind: req.cause.kind,
        campaignId: req.campaignId,
        rung: 'CIRCULAR',
        status: 'OPEN',
        openedBy: req.openedBy,
        workflowInput: input as unknown as Record<string, unknown>,
        openedAt,
        updatedAt: now,
      });
    } catch (err) {
      // Another cause opened a case for this subject meanwhile (one open per subject and kind): join it.
      if (isUniqueViolation(err)) continue;
      throw err;
    }
    await start();
    return { caseId: ownId, joined: false };
  }
  throw new Error(`could not open or join a case for ${req.subject.kind} ${req.subject.ref}`);
}

/** Tells the cases a cause is linked to that it is resolved (a hazard closed, a duty filed late); they record it. */
export async function resolveCaseCauses(db: Db, t: TemporalTarget, cause: { kind: CaseCause['kind']; refPrefix: string; note?: string }, actor: Actor): Promise<number> {
  const linked = await db
    .select({ caseId: caseCauses.caseId, refId: caseCauses.refId })
    .from(caseCauses)
    .innerJoin(cases, eq(cases.id, caseCauses.caseId))
    .where(and(eq(caseCauses.kind, cause.kind), like(caseCauses.refId, `${cause.refPrefix}%`), ne(cases.status, 'RESOLVED')));
  for (const l of linked) await signalIfRunning(t, caseWorkflowId(l.caseId), caseCauseResolvedSignal, { kind: cause.kind, refId: l.refId, ...(cause.note ? { note: cause.note } : {}), actor });
  return linked.length;
}

// ---- The API's use cases: a case opened by hand, its live state, a reviewer's decision.

/** What the office names as a case's subject: a unit by its code, an enterprise by its id. */
export type SubjectRef = { kind: 'UNIT'; code: string } | { kind: 'ENTERPRISE'; id: string };

/** The subject with its name and scope from the roster; null when there is no such unit or enterprise. */
export async function subjectOf(db: Db, ref: SubjectRef): Promise<CaseSubject | null> {
  if (ref.kind === 'UNIT') {
    const [unit] = await unitsByCode(db, [ref.code]);
    return unit ? unitSubject(unit.code, unit) : null;
  }
  const e = await getEnterprise(db, ref.id);
  return e ? enterpriseSubject(e) : null;
}

export interface ManualCaseRequest {
  subject: CaseSubject;
  reason: string;
  campaignId: string | null;
  /** Names the opening cause: the same key opens (or finds) the same case, so a retried request makes no second one. */
  key: string;
  timeZone: string;
  actor: Actor;
}

/** The office opens a case by hand (cause MANUAL), or joins the open manual case of the same subject. */
export function openCaseByHand(db: Db, t: TemporalTarget, req: ManualCaseRequest): Promise<{ caseId: string; joined: boolean }> {
  return openOrJoinCase(db, t, {
    subject: req.subject,
    cause: { kind: 'MANUAL', refId: `manual:${req.key}`, note: req.reason },
    campaignId: req.campaignId,
    openedBy: req.actor,
    timeZone: req.timeZone,
  });
}

/** The case workflow's live state, or null when it (or Temporal) does not answer in time. */
export function queryCase(t: TemporalTarget, caseId: string, timeoutMs?: number): Promise<CaseSnapshot | null> {
  return queryOrNull(t, caseWorkflowId(caseId), caseStateQuery, timeoutMs);
}

/** A decision as the workflow's validated update; its refusals come back as DomainErrors (404, 403, 409, 422). */
export function decideCase(t: TemporalTarget, caseId: string, input: DecideCaseInput, updateId?: string): Promise<CaseSnapshot> {
  const workflowId = caseWorkflowId(caseId);
  return executeUpdateBounded(t, workflowId, decideCaseUpdate, [input], {
    updateId,
    ended: 'the case is resolved: its process has ended',
    // Ended: resolved (or stopped). Absent: a case on the ledger whose workflow has not started yet (the reconciler starts it).
    whenEnded: async () => {
      const exists = await t.client.workflow.getHandle(workflowId).describe().then(() => true, () => false);
      return exists
        ? new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'the case is resolved: its process has ended')
        : new DomainError(ErrorCode.UNAVAILABLE, 'the case is on the ledger but its process is not running yet; nothing changed, retry later');
    },
  });
}
