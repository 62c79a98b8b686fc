// Ledger writes of accountability cases, made by activities. Each is idempotent: a retried
// activity changes nothing twice (events unique on workflow + seq, causes on case + kind + ref,
// the row moved forward only by last_seq).
import { and, asc, count, eq, exists, inArray, like, lt, or, sql, type SQL } from 'drizzle-orm';
import type { CaseCauseKind, CaseEventType, CaseRung, CaseScope, CaseStatus, CaseSubject, ReferralBody } from '../domain/accountability';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { after, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { caseCauses, caseEvents, cases, duties, notifications } from './schema';

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

// ---- Reads for the API: lists, one case, its causes, its mail.

export type CaseRow = typeof cases.$inferSelect;
export type CaseCauseRow = typeof caseCauses.$inferSelect;

/** The case's subject as domain/accountability canSeeCase reads it. */
export const caseScopeOf = (c: CaseRow): CaseScope => ({ kind: c.subjectKind, ref: c.subjectRef, countyCode: c.scopeCounty, departmentCode: c.scopeDepartment });

/** The rows an actor may see: the SQL twin of canSeeCase (domain/accountability.ts). */
export function casesVisibleTo(actor: Actor): SQL | undefined {
  const inScope = (scope: string) => or(eq(cases.subjectRef, scope), eq(cases.scopeCounty, scope), eq(cases.scopeDepartment, scope));
  switch (actor.role) {
    case 'admin':
    case 'office':
      return undefined;
    case 'reviewer':
      return actor.scope === null ? undefined : inScope(actor.scope);
    case 'county':
    case 'department':
      return actor.scope === null ? sql`false` : inScope(actor.scope);
    case 'enterprise':
      return and(eq(cases.subjectKind, 'ENTERPRISE'), eq(cases.subjectRef, actor.scope ?? ''));
  }
}

export interface CaseFilters {
  status?: CaseStatus;
  rung?: CaseRung;
  overdue?: boolean;
  subjectKind?: CaseSubject['kind'];
  subjectRef?: string;
  /** The opening cause, or any cause joined since. */
  causeKind?: CaseCauseKind;
  campaignId?: string;
}

/** Cases newest first (by opening), keyset pages on (opened_at, id). */
export async function listCases(db: Db, actor: Actor, f: CaseFilters, page: { limit: number; after?: Cursor }): Promise<Page<CaseRow>> {
  const rows = await db
    .select()
    .from(cases)
    .where(
      and(
        casesVisibleTo(actor),
        f.status ? eq(cases.status, f.status) : undefined,
        f.rung ? eq(cases.rung, f.rung) : undefined,
        f.overdue !== undefined ? eq(cases.overdue, f.overdue) : undefined,
        f.subjectKind ? eq(cases.subjectKind, f.subjectKind) : undefined,
        f.subjectRef ? eq(cases.subjectRef, f.subjectRef) : undefined,
        f.campaignId ? eq(cases.campaignId, f.campaignId) : undefined,
        f.causeKind
          ? or(eq(cases.causeKind, f.causeKind), exists(db.select({ one: sql`1` }).from(caseCauses).where(and(eq(caseCauses.caseId, cases.id), eq(caseCauses.kind, f.causeKind)))))
          : undefined,
        after(cases.openedAt, cases.id, page.after),
      ),
    )
    .orderBy(...newestFirst(cases.openedAt, cases.id))
    .limit(page.limit + 1);
  return toPage(
    rows.map((r) => ({ ...r, createdAt: r.openedAt })),
    page.limit,
  );
}

export async function getCase(db: Db, id: string): Promise<CaseRow | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.id, id));
  return row;
}

/** A case's causes in the order they joined; at most `limit` (a case can gather thousands). */
export async function causesOf(db: Db, caseId: string, limit = 10_000): Promise<{ causes: CaseCauseRow[]; total: number }> {
  const [causes, [n]] = await Promise.all([
    db.select().from(caseCauses).where(eq(caseCauses.caseId, caseId)).orderBy(asc(caseCauses.joinedAt), asc(caseCauses.kind), asc(caseCauses.refId)).limit(limit),
    db.select({ n: count() }).from(caseCauses).where(eq(caseCauses.caseId, caseId)),
  ]);
  return { causes, total: n?.n ?? 0 };
}

/** The outbox rows of a case (business keys case:<id>:…), oldest first, at most `limit`. */
export async function mailOfCase(db: Db, caseId: string, limit: number): Promise<{ mails: (typeof notifications.$inferSelect)[]; total: number }> {
  const ofCase = like(notifications.businessKey, `case:${caseId}:%`);
  const [mails, [n]] = await Promise.all([
    db.select().from(notifications).where(ofCase).orderBy(asc(notifications.createdAt), asc(notifications.id)).limit(limit),
    db.select({ n: count() }).from(notifications).where(ofCase),
  ]);
  return { mails, total: n?.n ?? 0 };
}

/** The obligation workflows behind missed-duty causes (refs `<obligation id>:<duty key>`, domain dutyCauseRef). */
export async function obligationsOfDutyCauses(db: Db, refIds: string[]): Promise<string[]> {
  if (refIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ id: duties.obligationId })
    .from(duties)
    .where(inArray(sql`${duties.obligationId} || ':' || ${duties.dutyKey}`, refIds))
    .orderBy(asc(duties.obligationId));
  return rows.map((r) => r.id);
}
