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

/** Appends the event (unique on workflow + seq) and moves the row forward, never backward. */
export async function applyLedgerEntry(db: Db, e: LedgerEntry): Promise<{ applied: boolean }> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(hazardEvents)
      .values({
        hazardId: e.hazardId,
        workflowId: e.workflowId,
        seq: e.seq,
        type: e.type,
        fromState: e.fromState,
        toState: e.toState,
        actor: e.actor,
        data: e.data,
        at: new Date(e.at),
      })
      .onConflictDoNothing({ target: [hazardEvents.workflowId, hazardEvents.seq] })
      .returning({ id: hazardEvents.id });
    const at = new Date(e.at);
    const updated = await tx
      .update(hazards)
      .set({
        state: e.row.state,
        overdue: e.row.overdue,
        escalated: e.row.escalated,
        deadline: new Date(e.row.deadline),
        deadlineVersion: e.row.deadlineVersion,
        pendingExtension: e.row.pendingExtension,
        lastSeq: e.seq,
        updatedAt: at,
        closedAt: isTerminal(e.row.state) ? at : null,
        workflowStartedAt: sql`coalesce(${hazards.workflowStartedAt}, ${at.toISOString()}::timestamptz)`,
      })
      .where(and(eq(hazards.id, e.hazardId), lt(hazards.lastSeq, e.seq)))
      .returning({ id: hazards.id });
    if (updated.length === 0) {
      const [exists] = await tx.select({ id: hazards.id }).from(hazards).where(eq(hazards.id, e.hazardId));
      // Retrying helps only if the row is about to appear; say loudly that it is missing.
      if (!exists) throw new Error(`ledger row for hazard ${e.hazardId} is missing`);
    }
    return { applied: inserted.length > 0 };
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
