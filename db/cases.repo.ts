// Ledger writes of accountability cases, made by activities. Each is idempotent: a retried
// activity changes nothing twice (events unique on workflow + seq, causes on case + kind + ref,
// the row moved forward only by last_seq).
import { and, eq, lt, sql } from 'drizzle-orm';
import type { CaseCauseKind, CaseEventType, CaseRung, CaseStatus, CaseSubject, ReferralBody } from '../domain/accountability';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { caseCauses, caseEvents, cases } from './schema';

/** The current row as a step leaves it. Instants are ISO strings (they cross the workflow boundary). */
export interface CaseRowState {
  rung: CaseRung;
  status: CaseStatus;
  exposed: boolean;
  overdue: boolean;
  reviewDueAt: string | null;
  heldUntil: string | null;
  summonsAt: string | null;
  referralTo: ReferralBody | null;
  resolvedAt: string | null;
}

export interface CaseLedgerEntry {
  caseId: string;
  workflowId: string;
  seq: number;
  type: CaseEventType;
  actor: Actor;
  data: Record<string, unknown>;
  at: string;
  row: CaseRowState;
  /** On the opening step: the row is created from it unless it exists (the API may have written it first). */
  opening?: { subject: CaseSubject; causeKind: CaseCauseKind; campaignId: string | null; openedBy: Actor; openedAt: string };
  /** A cause joining the case, or one of its causes resolved. */
  cause?: { op: 'JOIN' | 'RESOLVE'; kind: CaseCauseKind; refId: string; note?: string };
}

const date = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/** Appends the events, records their causes and moves the row forward to the newest of them. One transaction. */
export async function applyCaseEntries(db: Db, entries: CaseLedgerEntry[]): Promise<{ applied: number }> {
  if (entries.length === 0) return { applied: 0 };
  const newest = entries.reduce((a, b) => (b.seq > a.seq ? b : a));
  return db.transaction(async (tx) => {
    for (const e of entries) {
      if (!e.opening) continue;
      const o = e.opening;
      await tx
        .insert(cases)
        .values({
          id: e.caseId,
          workflowId: e.workflowId,
          subjectKind: o.subject.kind,
          subjectRef: o.subject.ref,
          subjectName: o.subject.name ?? null,
          scopeCounty: o.subject.countyCode ?? null,
          scopeDepartment: o.subject.departmentCode ?? null,
          causeKind: o.causeKind,
          campaignId: o.campaignId,
          rung: e.row.rung,
          status: e.row.status,
          openedBy: o.openedBy,
          openedAt: new Date(o.openedAt),
          updatedAt: new Date(e.at),
        })
        .onConflictDoNothing({ target: cases.id });
    }
    const inserted = await tx
      .insert(caseEvents)
      .values(entries.map((e) => ({ caseId: e.caseId, workflowId: e.workflowId, seq: e.seq, type: e.type, rung: e.row.rung, status: e.row.status, actor: e.actor, data: e.data, at: new Date(e.at) })))
      .onConflictDoNothing({ target: [caseEvents.workflowId, caseEvents.seq] })
      .returning({ id: caseEvents.id });
    for (const e of entries) {
      if (!e.cause) continue;
      const at = new Date(e.at);
      const resolved = e.cause.op === 'RESOLVE';
      await tx
        .insert(caseCauses)
        .values({ caseId: e.caseId, kind: e.cause.kind, refId: e.cause.refId, note: e.cause.note ?? null, joinedAt: at, resolvedAt: resolved ? at : null })
        .onConflictDoUpdate({
          target: [caseCauses.caseId, caseCauses.kind, caseCauses.refId],
          // Joining again changes nothing; the first resolution stands.
          set: { resolvedAt: resolved ? sql`coalesce(${caseCauses.resolvedAt}, ${at.toISOString()}::timestamptz)` : sql`${caseCauses.resolvedAt}` },
        });
    }
    const r = newest.row;
    const updated = await tx
      .update(cases)
      .set({
        rung: r.rung,
        status: r.status,
        exposed: r.exposed,
        overdue: r.overdue,
        reviewDueAt: date(r.reviewDueAt),
        heldUntil: date(r.heldUntil),
        summonsAt: date(r.summonsAt),
        referralTo: r.referralTo,
        resolvedAt: date(r.resolvedAt),
        lastSeq: newest.seq,
        updatedAt: new Date(newest.at),
      })
      .where(and(eq(cases.id, newest.caseId), lt(cases.lastSeq, newest.seq)))
      .returning({ id: cases.id });
    if (updated.length === 0) {
      const [exists] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.id, newest.caseId));
      // Retrying helps only if the row is about to appear (its opening step on its way); say loudly that it is missing.
      if (!exists) throw new Error(`ledger row for case ${newest.caseId} is missing`);
    }
    return { applied: inserted.length };
  });
}
