// Messages of the webhook delivery workflow (`webhook:<endpointId>`). Wire names: never renamed.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { WebhookRetry } from '../domain/webhooks';

export interface WebhookDeliveryInput {
  endpointId: string;
  /** The last event delivered (feed cursor); null: the endpoint's start. Carried across continue-as-new. */
  cursor: string | null;
  /** The task queue of the POST activity (the worker's webhook queue); absent: the workflow's own. */
  deliveryTaskQueue?: string;
  retry: WebhookRetry;
  /** One attempt's deadline; the activity's start-to-close is a little longer. */
  attemptTimeoutMs: number;
  /** A fallback: the API's waker signals an endpoint when an event for it settles. */
  pollIntervalMs: number;
  /** Replays asked for and not yet done (carried across continue-as-new). */
  replays?: number[];
}

export interface WebhookDeliveryState {
  cursor: string | null;
  delivered: number;
  pendingReplays: number[];
  state: 'RUNNING' | 'WAITING' | 'PAUSED';
}

/** Something may be waiting for this endpoint: read the next batch now. */
export const wakeWebhookSignal = defineSignal('wakeWebhook');
/** Send one event again (a delivery the owner replays), before the next batch. */
export const replayWebhookSignal = defineSignal<[{ eventSeq: number }]>('replayWebhookDelivery');
export const webhookStateQuery = defineQuery<WebhookDeliveryState>('webhookState');
