// Duty events written the way the obligation activities write them (applyDutyEvents), for tests
// that build a campaign's past by hand; and the per-stream sequence numbers every ledger writer of
// such a test shares (events are unique on workflow + seq).
import type { Db } from '../../db/client';
import { applyDutyEvents } from '../../db/campaigns.repo';
import type { DutyKind } from '../../domain/campaign';
import { SYSTEM_ACTOR } from '../../domain/hazard';

/** 1, 2, 3… per stream (a workflow ID): hand one to every writer of a test. */
export function sequencer(): (stream: string) => number {
  const seqs = new Map<string, number>();
  return (stream) => {
    const n = (seqs.get(stream) ?? 0) + 1;
    seqs.set(stream, n);
    return n;
  };
}

export interface DutyRef {
  holder: string;
  key: string;
  kind: DutyKind;
  dueAt: number;
  subject?: string;
  /** Another campaign than the writer's. */
  campaign?: string;
}

export type DutyEventType = 'DUTY_ASSIGNED' | 'DUTY_SUBMITTED' | 'DUTY_SUBMITTED_LATE' | 'DUTY_MISSED' | 'DUTY_RESCHEDULED';

/**
 * A writer of one duty event at `at` (ms), the row's state following from the event. The campaign,
 * the duties' opening instant and the obligation a duty is written under are read at each call
 * (a test sets them up after making the writer).
 */
export function dutyEventWriter(
  db: () => Db,
  nextSeq: (stream: string) => number,
  o: { campaignId: () => string; opensAt: () => number; obligationId: (campaignId: string, d: DutyRef) => string },
) {
  return async (d: DutyRef, type: DutyEventType, at: number, data: Record<string, unknown> = {}): Promise<void> => {
    const campaignId = d.campaign ?? o.campaignId();
    const obligationId = o.obligationId(campaignId, d);
    const filed = type.startsWith('DUTY_SUBMITTED');
    const iso = new Date(at).toISOString();
    await applyDutyEvents(db(), [
      {
        campaignId,
        obligationId,
        holderCode: d.holder,
        subjectEnterpriseId: d.subject ?? null,
        seq: nextSeq(obligationId),
        type,
        actor: SYSTEM_ACTOR,
        data,
        at: iso,
        duty: { key: d.key, kind: d.kind, dueAt: d.dueAt, opensAt: o.opensAt(), label: d.key },
        state: filed ? 'SUBMITTED' : type === 'DUTY_MISSED' ? 'MISSED' : 'PENDING',
        late: type === 'DUTY_SUBMITTED_LATE',
        submittedAt: filed ? iso : null,
      },
    ]);
  };
}
