// The ledger and the case workflows never disagree for long. Run by the API beside the hazard and
// campaign reconcilers: (a) a case row whose workflow never started (a crash between the insert
// and the start) is started from the input stored with it; (b) hazard review records left OPEN
// (escalations from before cases, or an opening that failed) open or join their case; (c) a
// supervision finding against a unit whose case was not opened in its request is opened here.
// Bounded batches; each item on its own, so one failure stays pending for the next round.
import { and, asc, eq, isNotNull, lt, ne, notExists, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accountabilityReviews, caseCauses, cases, supervisionFindings } from '../db/schema';
import { openCaseForFinding, openCaseForReview } from './case-openers';
import { startIdempotently, type TemporalTarget } from './temporal';

export interface CaseReconciliation {
  /** Case rows whose workflow was started (or found running). */
  started: number;
  /** Review records that opened or joined a case. */
  reviews: number;
  /** Findings against units that opened or joined a case. */
  findings: number;
  /** Items that failed this round; they are picked again next round. */
  failed: number;
}

export interface CaseReconcileOptions {
  /** Only rows older than this (default 30 s): a request or an activity still at work is left alone. */
  olderThanMs?: number;
  /** Per kind of row, per round (default 100). */
  limit?: number;
  onError?: (err: unknown, item: string) => void;
}

export async function reconcileCases(db: Db, t: TemporalTarget, opts: CaseReconcileOptions = {}): Promise<CaseReconciliation> {
  const before = new Date(Date.now() - (opts.olderThanMs ?? 30_000));
  const limit = opts.limit ?? 100;
  const out: CaseReconciliation = { started: 0, reviews: 0, findings: 0, failed: 0 };
  const attempt = async (item: string, fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      out.failed += 1;
      opts.onError?.(err, item);
      return false;
    }
  };

  // (a) A started case writes its opening step (seq 1) at once; a row still at 0 has no workflow yet.
  const unstarted = await db
    .select({ id: cases.id, workflowId: cases.workflowId, input: cases.workflowInput })
    .from(cases)
    .where(and(eq(cases.lastSeq, 0), ne(cases.status, 'RESOLVED'), isNotNull(cases.workflowInput), lt(cases.openedAt, before)))
    .orderBy(asc(cases.openedAt))
    .limit(limit);
  for (const c of unstarted) if (await attempt(`case ${c.id}`, () => startIdempotently(t, 'caseWorkflow', c.workflowId, [c.input]))) out.started += 1;

  // (b) Review records not yet marked CASE_OPENED.
  const reviews = await db
    .select({ id: accountabilityReviews.id, hazardId: accountabilityReviews.hazardId, deadlineVersion: accountabilityReviews.deadlineVersion, reason: accountabilityReviews.reason, openedAt: accountabilityReviews.openedAt })
    .from(accountabilityReviews)
    .where(and(eq(accountabilityReviews.status, 'OPEN'), lt(accountabilityReviews.createdAt, before)))
    .orderBy(asc(accountabilityReviews.createdAt))
    .limit(limit);
  for (const r of reviews) if (await attempt(`review ${r.id}`, () => openCaseForReview(db, t, r))) out.reviews += 1;

  // (c) Findings against a unit that no case lists as a cause.
  const findings = await db
    .select()
    .from(supervisionFindings)
    .where(
      and(
        eq(supervisionFindings.targetKind, 'UNIT'),
        isNotNull(supervisionFindings.unitCode),
        lt(supervisionFindings.foundAt, before),
        notExists(
          db
            .select({ one: sql`1` })
            .from(caseCauses)
            .where(and(eq(caseCauses.kind, 'SUPERVISION_FINDING'), eq(caseCauses.refId, sql`${supervisionFindings.id}::text`))),
        ),
      ),
    )
    .orderBy(asc(supervisionFindings.foundAt))
    .limit(limit);
  for (const f of findings) if (await attempt(`supervision finding ${f.id}`, () => openCaseForFinding(db, t, f))) out.findings += 1;

  return out;
}
