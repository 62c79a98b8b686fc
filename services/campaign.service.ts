// The only module that calls the Temporal client for campaign and obligation workflows.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { DomainError, ErrorCode } from '../domain/errors';
import { campaignStatusQuery, movePhaseUpdate, obligationStateQuery, submitDutyUpdate, type CampaignInput, type CampaignState, type DutyStatus, type DutySubmission, type ObligationInput, type ObligationState, type PhaseMove } from '../workflows/campaign.messages';
import { campaignWorkflowId } from '../workflows/ids';
import { toDomainError, type TemporalTarget } from './hazard.service';

async function startIdempotently(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export function startObligationWorkflow(t: TemporalTarget, input: ObligationInput): Promise<void> {
  return startIdempotently(() =>
    t.client.workflow.start('obligationWorkflow', {
      workflowId: input.obligationId,
      taskQueue: t.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  );
}

export function startCampaignWorkflow(t: TemporalTarget, input: CampaignInput): Promise<void> {
  return startIdempotently(() =>
    t.client.workflow.start('campaignWorkflow', {
      workflowId: campaignWorkflowId(input.campaignId),
      taskQueue: t.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  );
}

export async function movePhase(t: TemporalTarget, campaignId: string, move: PhaseMove): Promise<CampaignState> {
  try {
    return await t.client.workflow.getHandle(campaignWorkflowId(campaignId)).executeUpdate(movePhaseUpdate, { args: [move] });
  } catch (err) {
    throw toDomainError(err);
  }
}

export async function submitDuty(t: TemporalTarget, obligationId: string, submission: DutySubmission): Promise<DutyStatus> {
  try {
    return await t.client.workflow.getHandle(obligationId).executeUpdate(submitDutyUpdate, { args: [submission] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed/i.test(err.message))) {
      // Completed: every duty is in (or the late window has passed). Absent: no such holder in this campaign.
      const exists = await t.client.workflow.getHandle(obligationId).describe().then(() => true, () => false);
      if (exists) throw new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'this obligation is complete: its duties were submitted or the late window has closed');
      throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
    }
    throw toDomainError(err);
  }
}

export async function queryCampaign(t: TemporalTarget, campaignId: string, timeoutMs = 3000): Promise<CampaignState | null> {
  try {
    return await t.client.connection.withDeadline(Date.now() + timeoutMs, () => t.client.workflow.getHandle(campaignWorkflowId(campaignId)).query(campaignStatusQuery));
  } catch {
    return null;
  }
}

export async function queryObligation(t: TemporalTarget, obligationId: string, timeoutMs = 3000): Promise<ObligationState | null> {
  try {
    return await t.client.connection.withDeadline(Date.now() + timeoutMs, () => t.client.workflow.getHandle(obligationId).query(obligationStateQuery));
  } catch {
    return null;
  }
}
