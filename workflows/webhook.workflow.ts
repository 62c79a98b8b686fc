// One workflow per webhook endpoint (`webhook:<endpointId>`): reads the endpoint's next events
// after its cursor and POSTs them one at a time, in feed order (so in order per subject), each
// retried with exponential backoff for about three days (domain/webhooks.ts). When a delivery's
// retries are spent the endpoint is disabled and its owner mailed (bounded mail retries), and it waits, cursor
// unmoved, until the endpoint is enabled again: nothing is skipped. An endpoint is its own
// workflow and its POSTs run on their own task queue, so a slow or dead endpoint delays neither
// another endpoint nor any hazard's timers. Woken by a signal when an event settles (the API's
// waker), or by a bounded poll; continues as new before its history grows long. Deterministic.
import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { webhookDisabledKey, WebhookErrorType } from '../domain/webhooks';
import { LEDGER, MAIL } from './activity-options';
import { failureReason } from './side-effects';
import { replayWebhookSignal, wakeWebhookSignal, webhookStateQuery, type WebhookDeliveryInput } from './webhook.messages';

type Activities = ReturnType<typeof createActivities>;
const { nextWebhookBatch, disableFailingEndpoint, abandonNotification } = proxyActivities<Activities>(LEDGER);
const { mailEndpointDisabled } = proxyActivities<Activities>(MAIL);

const BATCH = 100;
/** Continue as new past this many history events (Temporal's limit is 50k; replays stay fast). */
const HISTORY_LIMIT = 5_000;
/** A replay is a few quick tries: the owner is watching; its failure is on the log, the endpoint stays. */
const REPLAY_ATTEMPTS = 3;

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  const options = (maximumAttempts: number) => ({
    taskQueue: input.deliveryTaskQueue,
    startToCloseTimeout: `${input.attemptTimeoutMs + 5_000} milliseconds`,
    retry: {
      initialInterval: `${input.retry.initialIntervalMs} milliseconds`,
      backoffCoefficient: input.retry.backoffCoefficient,
      maximumInterval: `${input.retry.maximumIntervalMs} milliseconds`,
      maximumAttempts,
      nonRetryableErrorTypes: [WebhookErrorType.FORBIDDEN_TARGET],
    },
  });
  const { deliverWebhookEvent } = proxyActivities<Activities>(options(input.retry.maximumAttempts));
  const { deliverWebhookEvent: replayWebhookEvent } = proxyActivities<Activities>(options(REPLAY_ATTEMPTS));

  let cursor = input.cursor;
  let woken = false;
  let delivered = 0;
  let state: 'RUNNING' | 'WAITING' | 'PAUSED' = 'RUNNING';
  const replays = [...(input.replays ?? [])];
  setHandler(wakeWebhookSignal, () => {
    woken = true;
  });
  setHandler(replayWebhookSignal, ({ eventSeq }) => {
    if (!replays.includes(eventSeq)) replays.push(eventSeq);
    woken = true;
  });
  setHandler(webhookStateQuery, () => ({ cursor, delivered, pendingReplays: [...replays], state }));

  for (;;) {
    woken = false;
    state = 'RUNNING';
    while (replays.length > 0) {
      const eventSeq = replays[0]!;
      try {
        const r = await replayWebhookEvent({ endpointId: input.endpointId, eventSeq });
        if (r.outcome === 'DELETED') return;
      } catch (err) {
        log.warn('webhook replay failed', { endpointId: input.endpointId, eventSeq, error: failureReason(err) });
      }
      replays.shift();
    }
    const batch = await nextWebhookBatch({ endpointId: input.endpointId, after: cursor, limit: BATCH });
    if (batch.state === 'DELETED') return;
    cursor ??= batch.cursor;
    let paused = batch.state === 'DISABLED';
    for (const event of batch.events) {
      try {
        const r = await deliverWebhookEvent({ endpointId: input.endpointId, eventSeq: event.seq });
        if (r.outcome === 'DELETED') return;
        if (r.outcome === 'DISABLED') {
          paused = true;
          break;
        }
      } catch (err) {
        const reason = failureReason(err);
        const cause = err instanceof ActivityFailure ? err.cause : undefined;
        log.error('webhook delivery gave up; disabling the endpoint', { endpointId: input.endpointId, eventSeq: event.seq, error: reason });
        await disableFailingEndpoint({
          endpointId: input.endpointId,
          eventSeq: event.seq,
          eventType: event.type,
          reason: cause instanceof ApplicationFailure && cause.type === WebhookErrorType.FORBIDDEN_TARGET ? cause.message : `retries spent: ${reason}`,
        });
        // The owner's mail is bounded (MAIL) and never the gate: a mail that gives up is FAILED on the outbox.
        try {
          await mailEndpointDisabled({ endpointId: input.endpointId, eventSeq: event.seq });
        } catch (mailErr) {
          await abandonNotification({ businessKey: webhookDisabledKey(input.endpointId, event.seq), reason: failureReason(mailErr) });
        }
        paused = true;
        break;
      }
      // DELIVERED, or GONE (no such event: nothing to send): past it.
      cursor = event.cursor;
      delivered++;
    }
    if (paused || batch.events.length === 0) {
      state = paused ? 'PAUSED' : 'WAITING';
      await condition(() => woken, input.pollIntervalMs);
    }
    if (workflowInfo().historyLength > HISTORY_LIMIT || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof webhookDeliveryWorkflow>({ ...input, cursor, replays });
    }
  }
}
