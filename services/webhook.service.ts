// The only module that calls the Temporal client for webhooks: registering an endpoint (the row,
// then its delivery workflow `webhook:<id>` by signal-with-start, which starts it when missing and
// wakes it otherwise), replays, and the waker the API runs: when events settle on the feed, each
// enabled endpoint that may see one of them is signalled, so delivery follows within about a second
// while an idle endpoint's workflow sleeps (its poll is only a fallback).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { feedHead, insertEndpoint, listActiveEndpoints, readFeed, type NewEndpoint, type WebhookEndpointRow } from '../db/portal.repo';
import { canSee, SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import { typeMatches, WEBHOOK_RETRY, type FeedCursor, type WebhookRetry } from '../domain/webhooks';
import { replayWebhookSignal, wakeWebhookSignal, type WebhookDeliveryInput } from '../workflows/webhook.messages';
import { webhookWorkflowId } from '../workflows/ids';
import type { TemporalTarget } from './temporal';

export interface WebhookSettings {
  retry: WebhookRetry;
  attemptTimeoutMs: number;
  pollIntervalMs: number;
  /** The worker's webhook task queue (worker/main.ts: `<queue>-webhooks`); absent: the workflow's own queue. */
  deliveryTaskQueue?: string;
}

export const webhookTaskQueue = (taskQueue: string): string => `${taskQueue}-webhooks`;

export const defaultWebhookSettings = (taskQueue: string): WebhookSettings => ({
  retry: WEBHOOK_RETRY,
  attemptTimeoutMs: 10_000,
  pollIntervalMs: 300_000,
  deliveryTaskQueue: webhookTaskQueue(taskQueue),
});

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** Starts the endpoint's delivery workflow if it is not running, and wakes it. */
export async function wakeEndpoint(t: TemporalTarget, settings: WebhookSettings, endpointId: string): Promise<void> {
  const input: WebhookDeliveryInput = { endpointId, cursor: null, ...settings };
  await t.client.workflow.signalWithStart('webhookDeliveryWorkflow', {
    workflowId: webhookWorkflowId(endpointId),
    taskQueue: t.taskQueue,
    args: [input],
    signal: wakeWebhookSignal,
    signalArgs: [],
  });
}

/** The endpoint's row, then its workflow; when Temporal does not answer the waker starts it later (`deferred`). */
export async function registerEndpoint(
  db: Db,
  t: TemporalTarget,
  settings: WebhookSettings,
  actor: Actor,
  body: { url: string; description?: string; eventTypes?: string[]; contactEmail?: string },
): Promise<{ row: WebhookEndpointRow; deferred?: unknown }> {
  const endpoint: NewEndpoint = {
    id: randomUUID(),
    url: body.url,
    description: body.description ?? null,
    eventTypes: [...new Set(body.eventTypes ?? [])],
    owner: actor,
    ownerKeyId: actor.kind === 'user' ? null : actor.keyId,
    contactEmail: body.contactEmail ?? null,
    secret: newWebhookSecret(),
  };
  const row = await insertEndpoint(db, endpoint);
  try {
    await wakeEndpoint(t, settings, row.id);
    return { row };
  } catch (err) {
    return { row, deferred: err };
  }
}

export async function requestReplay(t: TemporalTarget, settings: WebhookSettings, endpointId: string, eventSeq: number): Promise<void> {
  const input: WebhookDeliveryInput = { endpointId, cursor: null, ...settings };
  await t.client.workflow.signalWithStart('webhookDeliveryWorkflow', {
    workflowId: webhookWorkflowId(endpointId),
    taskQueue: t.taskQueue,
    args: [input],
    signal: replayWebhookSignal,
    signalArgs: [{ eventSeq }],
  });
}

/**
 * One pass of the waker: the events settled after `since` (at most `limit`), and a wake for each
 * enabled endpoint that may see one of them and subscribed to its type. Returns where the next pass
 * starts, whether the page was full, and how many endpoints were woken. A failed signal is left for
 * the next event or the endpoint's poll.
 */
export async function wakeEndpointsFor(db: Db, t: TemporalTarget, settings: WebhookSettings, since: FeedCursor, limit = 1000): Promise<{ next: FeedCursor; full: boolean; woken: number }> {
  const events = await readFeed(db, SYSTEM_ACTOR, { after: since, types: [], limit });
  const last = events.at(-1);
  if (!last) return { next: since, full: false, woken: 0 };
  const endpoints = await listActiveEndpoints(db);
  const due = endpoints.filter((e) =>
    events.some(
      (ev) =>
        typeMatches(ev.type, e.eventTypes) &&
        canSee(e.owner, { enterpriseId: ev.enterpriseId ?? '', countyCode: ev.countyCode ?? '', departmentCode: ev.departmentCode ?? '' }),
    ),
  );
  let woken = 0;
  for (const e of due) {
    await wakeEndpoint(t, settings, e.id).then(
      () => woken++,
      () => undefined,
    );
  }
  return { next: { xid: last.xid, seq: last.seq }, full: events.length === limit, woken };
}

/** Runs the waker every `intervalMs` until stopped; it starts at the feed's head (the workflows' polls cover what came before). */
export function startWebhookWaker(db: Db, t: TemporalTarget, settings: WebhookSettings, intervalMs: number, onError: (err: unknown) => void): () => void {
  let since: FeedCursor | null = null;
  let running = false;
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      since ??= (await feedHead(db)) ?? { xid: '0', seq: 0 };
      for (;;) {
        const pass = await wakeEndpointsFor(db, t, settings, since);
        since = pass.next;
        if (!pass.full || stopped) break;
      }
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

