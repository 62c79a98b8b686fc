// When the roster moves an enterprise to another county or department, its open hazards follow
// in the same transaction: the ledger rows take the new codes (so the new regulators see and act on
// them at once) and each gets a REASSIGNED event. The event lives under its own workflow-ID key
// (`<hazard workflow>:roster:<uuid>`) because the hazard workflow owns the sequence of its own
// events; it sorts after the workflow event it followed (seq = the row's last seq).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, lt, notInArray } from 'drizzle-orm';
import { TERMINAL_STATES, type Actor } from '../domain/hazard';
import type { Db } from './client';
import { hazardEvents, hazards, hazardScopeSyncs } from './schema';

export interface ScopeCodes {
  countyCode: string;
  departmentCode: string;
}

export interface EnterpriseMove {
  enterpriseId: string;
  from: ScopeCodes;
  to: ScopeCodes;
}

export interface HazardsMoved extends EnterpriseMove {
  hazardIds: string[];
}

/** Moves the open hazards of each moved enterprise; call inside the transaction that moved it. */
export async function moveOpenHazards(tx: Db, moves: EnterpriseMove[], actor: Actor, reason: string): Promise<HazardsMoved[]> {
  const out: HazardsMoved[] = [];
  for (const m of moves) {
    const rows = await tx
      .update(hazards)
      .set({ countyCode: m.to.countyCode, departmentCode: m.to.departmentCode, updatedAt: new Date() })
      .where(and(eq(hazards.enterpriseId, m.enterpriseId), notInArray(hazards.state, [...TERMINAL_STATES])))
      .returning({ id: hazards.id, workflowId: hazards.workflowId, lastSeq: hazards.lastSeq, state: hazards.state });
    if (rows.length > 0) {
      const at = new Date();
      await tx.insert(hazardEvents).values(
        rows.map((r) => ({
          hazardId: r.id,
          workflowId: `${r.workflowId}:roster:${randomUUID()}`,
          seq: r.lastSeq,
          type: 'REASSIGNED',
          fromState: r.state,
          toState: r.state,
          actor,
          data: { from: m.from, to: m.to, reason },
          at,
        })),
      );
      // Until its workflow has been told (see services/hazard-scope.ts).
      await tx
        .insert(hazardScopeSyncs)
        .values(rows.map((r) => ({ hazardId: r.id, ...m.to, requestedAt: at })))
        .onConflictDoUpdate({ target: hazardScopeSyncs.hazardId, set: { countyCode: m.to.countyCode, departmentCode: m.to.departmentCode, requestedAt: at } });
    }
    out.push({ ...m, hazardIds: rows.map((r) => r.id) });
  }
  return out;
}

export type ScopeSync = typeof hazardScopeSyncs.$inferSelect;

/** Moves whose workflow has not been told yet, oldest first, requested before `olderThan`. */
export async function pendingScopeSyncs(db: Db, olderThan: Date, limit: number): Promise<ScopeSync[]> {
  return db.select().from(hazardScopeSyncs).where(lt(hazardScopeSyncs.requestedAt, olderThan)).orderBy(asc(hazardScopeSyncs.requestedAt)).limit(limit);
}

/** The workflow was told `sync`; a later move (other codes, later request) stays pending. */
export async function clearScopeSync(db: Db, sync: ScopeSync): Promise<void> {
  await db
    .delete(hazardScopeSyncs)
    .where(
      and(
        eq(hazardScopeSyncs.hazardId, sync.hazardId),
        eq(hazardScopeSyncs.countyCode, sync.countyCode),
        eq(hazardScopeSyncs.departmentCode, sync.departmentCode),
        eq(hazardScopeSyncs.requestedAt, sync.requestedAt),
      ),
    );
}
