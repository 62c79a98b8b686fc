// The only module that calls the Temporal client for campaign and obligation workflows.
import type { Db } from '../db/client';
import { findUnstartedCampaigns, markCampaignStarted, type CampaignRow } from '../db/campaign-admin.repo';
import { DomainError, ErrorCode } from '../domain/errors';
import { campaignStatusQuery, movePhaseUpdate, rescheduleDutiesSignal, submitDutyUpdate, type CampaignInput, type CampaignState, type DutyStatus, type DutySubmission, type ObligationInput, type PhaseMove } from '../workflows/campaign.messages';
import { campaignWorkflowId } from '../workflows/ids';
import { executeUpdateBounded, queryOrNull, signalIfRunning, startIdempotently, type TemporalTarget } from './temporal';
import type { Duty } from '../domain/campaign';

export function startObligationWorkflow(t: TemporalTarget, input: ObligationInput): Promise<void> {
  return startIdempotently(t, 'obligationWorkflow', input.obligationId, [input]);
}

export function startCampaignWorkflow(t: TemporalTarget, input: CampaignInput): Promise<void> {
  return startIdempotently(t, 'campaignWorkflow', campaignWorkflowId(input.campaignId), [input]);
}

/** Starts the workflow of a campaign row (idempotent by its ID) and records that it runs. */
export async function startCampaignFor(db: Db, t: TemporalTarget, c: CampaignRow): Promise<void> {
  await startCampaignWorkflow(t, { campaignId: c.id, template: c.template, spotCheckSeed: c.spotCheckSeed, launchedBy: c.launchedBy });
  await markCampaignStarted(db, c.id);
}

/** Campaign rows whose workflow never started (a crash or a Temporal outage at launch): started now. */
export async function reconcileCampaigns(db: Db, t: TemporalTarget, opts: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await findUnstartedCampaigns(db, new Date(Date.now() - (opts.olderThanMs ?? 30_000)), opts.limit ?? 100);
  for (const row of rows) await startCampaignFor(db, t, row);
  return rows.length;
}

/** New due instants for an obligation's open duties (a phase moved); a finished obligation has nothing left to move. */
export function rescheduleObligation(t: TemporalTarget, obligationId: string, duties: Duty[], reason: string): Promise<void> {
  return signalIfRunning(t, obligationId, rescheduleDutiesSignal, { duties, reason });
}

export function movePhase(t: TemporalTarget, campaignId: string, move: PhaseMove, updateId?: string): Promise<CampaignState> {
  return executeUpdateBounded(t, campaignWorkflowId(campaignId), movePhaseUpdate, [move], { updateId, ended: 'the campaign has ended' });
}

export function submitDuty(t: TemporalTarget, obligationId: string, submission: DutySubmission, updateId?: string): Promise<DutyStatus> {
  return executeUpdateBounded(t, obligationId, submitDutyUpdate, [submission], {
    updateId,
    ended: 'this obligation is complete',
    // Completed: every duty is in (or the late window has passed). Absent: no such holder in this campaign.
    whenEnded: async () => {
      const exists = await t.client.workflow.getHandle(obligationId).describe().then(() => true, () => false);
      return exists
        ? new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'this obligation is complete: its duties were submitted or the late window has closed')
        : new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
    },
  });
}

export function queryCampaign(t: TemporalTarget, campaignId: string, timeoutMs?: number): Promise<CampaignState | null> {
  return queryOrNull(t, campaignWorkflowId(campaignId), campaignStatusQuery, timeoutMs);
}
