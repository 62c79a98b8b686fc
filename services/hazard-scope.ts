// Telling hazard workflows the scope a roster move gave them. The ledger moved in the roster's
// transaction and left a pending row per hazard; each is cleared once its workflow was signalled.
// A signal that fails (Temporal down) stays pending and the API's reconciler sends it again.
import type { Db } from '../db/client';
import { clearScopeSync, pendingScopeSyncs, type ScopeSync } from '../db/hazard-moves.repo';
import { reassignHazardWorkflows } from './hazard.service';
import type { TemporalTarget } from './temporal';

/** Signals each pending move; returns how many workflows were told. Throws nothing: failures stay pending. */
export async function syncHazardScopes(db: Db, t: TemporalTarget, opts: { olderThanMs?: number; limit?: number; onError?: (err: unknown, sync: ScopeSync) => void } = {}): Promise<number> {
  const pending = await pendingScopeSyncs(db, new Date(Date.now() - (opts.olderThanMs ?? 0)), opts.limit ?? 500);
  let told = 0;
  for (const sync of pending) {
    try {
      await reassignHazardWorkflows(t, [sync.hazardId], { countyCode: sync.countyCode, departmentCode: sync.departmentCode });
      await clearScopeSync(db, sync);
      told++;
    } catch (err) {
      opts.onError?.(err, sync);
    }
  }
  return told;
}
