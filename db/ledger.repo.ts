// Ledger writes made by activities. Each is idempotent: a retried activity changes nothing twice.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Actor, HazardEventType, HazardState, PendingExtension } from '../domain/hazard';
import { isTerminal } from '../domain/hazard';
import type { Db } from './client';
import { accountabilityReviews, hazardEvents, hazards } from './schema';

export interface LedgerEntry {
  hazardId: string;
  workflowId: string;
  seq: number;
  type: HazardEventType;
  fromState: HazardState | null;
  toState: HazardState;
  actor: Actor;
  data: Record<string, unknown>;
  at: string;
  row: {
    state: HazardState;
    overdue: boolean;
    escalated: boolean;
    deadline: string;
    deadlineVersion: number;
    pendingExtension: PendingExtension | null;
  };
}

/**
 * Appends the events (unique on workflow + seq) and moves the row forward to the newest of
 * them, never backward: a delayed retry of an older write changes nothing. One transaction.
 */
export async function applyLedgerEntries(db: Db, entries: LedgerEntry[]): Promise<{ applied: number }> {
  const newest = entries.reduce((a, b) => (b.seq > a.seq ? b : a));
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(hazardEvents)
      .values(
        entries.map((e) => ({
          hazardId: e.hazardId,
          workflowId: e.workflowId,
          seq: e.seq,
          type: e.type,
          fromState: e.fromState,
          toState: e.toState,
          actor: e.actor,
          data: e.data,
          at: new Date(e.at),
        })),
      )
      .onConflictDoNothing({ target: [hazardEvents.workflowId, hazardEvents.seq] })
      .returning({ id: hazardEvents.id });
    const at = new Date(newest.at);
    const updated = await tx
      .update(hazards)
      .set({
        state: newest.row.state,
        overdue: newest.row.overdue,
        escalated: newest.row.escalated,
        deadline: new Date(newest.row.deadline),
        deadlineVersion: newest.row.deadlineVersion,
        pendingExtension: newest.row.pendingExtension,
        lastSeq: newest.seq,
        updatedAt: at,
        closedAt: isTerminal(newest.row.state) ? at : null,
        workflowStartedAt: sql`coalesce(${hazards.workflowStartedAt}, ${at.toISOString()}::timestamptz)`,
      })
      .where(and(eq(hazards.id, newest.hazardId), lt(hazards.lastSeq, newest.seq)))
      .returning({ id: hazards.id });
    if (updated.length === 0) {
      const [exists] = await tx.select({ id: hazards.id }).from(hazards).where(eq(hazards.id, newest.hazardId));
      // Retrying helps only if the row is about to appear; say loudly that it is missing.
      if (!exists) throw new Error(`ledger row for hazard ${newest.hazardId} is missing`);
    }
    return { applied: inserted.length };
  });
}

export async function openReview(db: Db, input: { hazardId: string; deadlineVersion: number; reason: string; at: string }): Promise<string> {
  const [created] = await db
    .insert(accountabilityReviews)
    .values({ hazardId: input.hazardId, deadlineVersion: input.deadlineVersion, reason: input.reason, openedAt: new Date(input.at) })
    .onConflictDoNothing({ target: [accountabilityReviews.hazardId, accountabilityReviews.deadlineVersion] })
    .returning({ id: accountabilityReviews.id });
  if (created) return created.id;
  const [existing] = await db
    .select({ id: accountabilityReviews.id })
    .from(accountabilityReviews)
    .where(and(eq(accountabilityReviews.hazardId, input.hazardId), eq(accountabilityReviews.deadlineVersion, input.deadlineVersion)));
  return existing!.id;
}
