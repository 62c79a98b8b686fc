// The only module that calls the Temporal client for campaign and obligation workflows.
import { DomainError, ErrorCode } from '../domain/errors';
import { campaignStatusQuery, movePhaseUpdate, submitDutyUpdate, type CampaignInput, type CampaignState, type DutyStatus, type DutySubmission, type ObligationInput, type PhaseMove } from '../workflows/campaign.messages';
import { campaignWorkflowId } from '../workflows/ids';
import { isEndedWorkflowError, queryOrNull, startIdempotently, toDomainError, type TemporalTarget } from './temporal';

export function startObligationWorkflow(t: TemporalTarget, input: ObligationInput): Promise<void> {
  return startIdempotently(t, 'obligationWorkflow', input.obligationId, [input]);
}

export function startCampaignWorkflow(t: TemporalTarget, input: CampaignInput): Promise<void> {
  return startIdempotently(t, 'campaignWorkflow', campaignWorkflowId(input.campaignId), [input]);
}

export async function movePhase(t: TemporalTarget, campaignId: string, move: PhaseMove): Promise<CampaignState> {
  try {
    return await t.client.workflow.getHandle(campaignWorkflowId(campaignId)).executeUpdate(movePhaseUpdate, { args: [move] });
  } catch (err) {
    throw toDomainError(err, 'the campaign has ended');
  }
}

export async function submitDuty(t: TemporalTarget, obligationId: string, submission: DutySubmission): Promise<DutyStatus> {
  try {
    return await t.client.workflow.getHandle(obligationId).executeUpdate(submitDutyUpdate, { args: [submission] });
  } catch (err) {
    if (isEndedWorkflowError(err)) {
      // Completed: every duty is in (or the late window has passed). Absent: no such holder in this campaign.
      const exists = await t.client.workflow.getHandle(obligationId).describe().then(() => true, () => false);
      if (exists) throw new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'this obligation is complete: its duties were submitted or the late window has closed');
      throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
    }
    throw toDomainError(err, 'this obligation is complete');
  }
}

export function queryCampaign(t: TemporalTarget, campaignId: string, timeoutMs?: number): Promise<CampaignState | null> {
  return queryOrNull(t, campaignWorkflowId(campaignId), campaignStatusQuery, timeoutMs);
}
