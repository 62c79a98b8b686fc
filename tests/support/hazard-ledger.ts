// Hazard events written the way the hazard activities write them (applyLedgerEntries), for tests
// that build a ledger's past by hand.
import type { Db } from '../../db/client';
import { applyLedgerEntries } from '../../db/ledger.repo';
import { SYSTEM_ACTOR, type HazardEventType, type HazardState } from '../../domain/hazard';

/** A writer (the database read at each call: a harness starts after this is made) of one hazard event at `at` (ms or ISO), its seq from `nextSeq` per workflow; `overdue` goes on the row. */
export function hazardEventWriter(db: () => Db, nextSeq: (stream: string) => number) {
  return async (hz: { id: string; workflowId: string }, type: HazardEventType, from: HazardState | null, to: HazardState, at: number | string, overdue = false): Promise<void> => {
    await applyLedgerEntries(db(), [
      {
        hazardId: hz.id,
        workflowId: hz.workflowId,
        seq: nextSeq(hz.workflowId),
        type,
        fromState: from,
        toState: to,
        actor: SYSTEM_ACTOR,
        data: {},
        at: typeof at === 'number' ? new Date(at).toISOString() : at,
        row: { state: to, overdue, escalated: false, deadline: '2099-12-31T15:59:59.999Z', deadlineVersion: 1, pendingExtension: null },
      },
    ]);
  };
}
