// Webhook delivery (issue 14): the next events of an endpoint, one signed POST per attempt, the
// delivery log, and disabling an endpoint whose retries were spent (its owner mailed through the
// outbox, a separate activity with the mail's bounded retries). The POST runs on the webhook task queue (worker/main.ts), so a slow endpoint never
// holds a worker slot that a hazard's activity waits for.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { disableEndpoint, getPortalEvent, loadEndpoint, markDeliveryFailed, newestDelivered, portalEventView, readFeed, recordDeliveryAttempt, type WebhookEndpointRow } from '../db/portal.repo';
import { apiKeys } from '../db/schema';
import { ErrorCode } from '../domain/errors';
import { decodeCursor, encodeCursor, eventId, webhookDisabledKey, WebhookErrorType, type FeedCursor } from '../domain/webhooks';
import { deliver, uniqueEmails, type DeliveryResult, type OutboxDeps } from './outbox';
import { ForbiddenTargetError, postJson, type TargetPolicy } from './webhook-http';

export interface WebhookDeliveryDeps {
  /** Which addresses an endpoint may resolve to; every private range refused by default. */
  targets: TargetPolicy;
  /** One attempt's deadline (connect, send, answer). */
  attemptTimeoutMs: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryDeps = { targets: { allowLoopback: false, allowPrivate: false }, attemptTimeoutMs: 10_000 };

export type EndpointState = 'ACTIVE' | 'DISABLED' | 'DELETED';

const stateOf = (e: WebhookEndpointRow | null): EndpointState => (!e || e.deletedAt ? 'DELETED' : e.enabled ? 'ACTIVE' : 'DISABLED');

export interface WebhookBatch {
  state: EndpointState;
  /** Where the workflow stands (the endpoint's start when it had none). */
  cursor: string;
  events: { seq: number; type: string; cursor: string }[];
}

export type DeliveryOutcome = { outcome: 'DELIVERED'; statusCode: number; latencyMs: number } | { outcome: 'DISABLED' | 'DELETED' | 'GONE' };

/** Signatures with the current secret and, during a rotation's overlap, the previous one too (space-separated, as Standard Webhooks allows). */
export function signatures(e: Pick<WebhookEndpointRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, msgId: string, at: Date, body: string): string {
  const secrets = [e.secret];
  if (e.previousSecret && e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > at.getTime()) secrets.push(e.previousSecret);
  return secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(' ');
}

const currentAttempt = (): number => {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
};

export function createWebhookActivities(deps: OutboxDeps & { webhooks?: WebhookDeliveryDeps }) {
  const { db } = deps;
  const delivery = deps.webhooks ?? DEFAULT_WEBHOOK_DELIVERY;

  /** The endpoint's next events after `after` (its start when null) that its owner may see and it subscribed to. */
  async function nextWebhookBatch(input: { endpointId: string; after: string | null; limit: number }): Promise<WebhookBatch> {
    const endpoint = await loadEndpoint(db, input.endpointId);
    // A run started afresh (no cursor) resumes after the newest delivered event, else at the endpoint's start.
    const start: FeedCursor | null = endpoint ? ((await newestDelivered(db, endpoint.id)) ?? { xid: endpoint.startXid, seq: endpoint.startSeq }) : null;
    const after = (input.after ? decodeCursor(input.after) : null) ?? start;
    const cursor = after ? encodeCursor(after) : '0.0';
    const state = stateOf(endpoint);
    if (state !== 'ACTIVE' || !endpoint) return { state, cursor, events: [] };
    const rows = await readFeed(db, endpoint.owner, { after, types: endpoint.eventTypes, limit: input.limit });
    return { state, cursor, events: rows.map((r) => ({ seq: r.seq, type: r.type, cursor: encodeCursor({ xid: r.xid, seq: r.seq }) })) };
  }

  /**
   * One signed POST of one event. A 2xx is DELIVERED; anything else (an error status, a timeout, a
   * refused connection) is recorded on the log and thrown to be retried with backoff; a target the
   * configuration forbids is thrown as non-retryable. The same `webhook-id` on every attempt and
   * replay, so a receiver can drop what it already has.
   */
  async function deliverWebhookEvent(input: { endpointId: string; eventSeq: number }): Promise<DeliveryOutcome> {
    const endpoint = await loadEndpoint(db, input.endpointId);
    const state = stateOf(endpoint);
    if (state !== 'ACTIVE' || !endpoint) return { outcome: state === 'DELETED' ? 'DELETED' : 'DISABLED' };
    const event = await getPortalEvent(db, input.eventSeq);
    if (!event) return { outcome: 'GONE' };
    const msgId = eventId(event.seq);
    const body = JSON.stringify(portalEventView(event));
    const at = new Date();
    const headers = {
      'webhook-id': msgId,
      'webhook-timestamp': Math.floor(at.getTime() / 1000).toString(),
      'webhook-signature': signatures(endpoint, msgId, at, body),
    };
    const attempt = currentAttempt();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string;
    try {
      const res = await postJson(endpoint.url, body, headers, { timeoutMs: delivery.attemptTimeoutMs, policy: delivery.targets });
      const latencyMs = Math.round(performance.now() - started);
      statusCode = res.status;
      if (res.status >= 200 && res.status < 300) {
        await recordDeliveryAttempt(db, { endpointId: endpoint.id, eventSeq: event.seq, eventType: event.type, attempt, outcome: 'DELIVERED', statusCode, error: null, latencyMs, at: new Date() });
        return { outcome: 'DELIVERED', statusCode, latencyMs };
      }
      error = `answered ${res.status}${res.body ? `: ${res.body.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      if (err instanceof ForbiddenTargetError) {
        await recordDeliveryAttempt(db, { endpointId: endpoint.id, eventSeq: event.seq, eventType: event.type, attempt, outcome: 'FAILED', statusCode: null, error, latencyMs: null, at: new Date() });
        throw ApplicationFailure.nonRetryable(error, WebhookErrorType.FORBIDDEN_TARGET);
      }
    }
    const latencyMs = Math.round(performance.now() - started);
    await recordDeliveryAttempt(db, { endpointId: endpoint.id, eventSeq: event.seq, eventType: event.type, attempt, outcome: 'RETRYING', statusCode, error, latencyMs, at: new Date() });
    throw ApplicationFailure.retryable(`attempt ${attempt}: ${error}`, WebhookErrorType.DELIVERY_FAILED);
  }

  /**
   * Retries spent (or a forbidden target): the delivery is FAILED and the endpoint disabled with the
   * reason. Re-enabling it resumes at this event. A ledger write: retried through database outages.
   */
  async function disableFailingEndpoint(input: { endpointId: string; eventSeq: number; eventType: string; reason: string }): Promise<void> {
    await markDeliveryFailed(db, input.endpointId, input.eventSeq, input.eventType, input.reason);
    await disableEndpoint(db, input.endpointId, `delivery of ${eventId(input.eventSeq)} (${input.eventType}) failed: ${input.reason}`.slice(0, 1000));
  }

  /**
   * The owner told, once per disabling, through the outbox: the endpoint's contact, else the
   * creating key's mailbox, else the office. A mail: bounded retries, never the workflow's gate.
   */
  async function mailEndpointDisabled(input: { endpointId: string; eventSeq: number }): Promise<DeliveryResult> {
    const endpoint = await loadEndpoint(db, input.endpointId);
    if (!endpoint) throw ApplicationFailure.nonRetryable(`no webhook endpoint ${input.endpointId}`, ErrorCode.NOT_FOUND);
    const [key] = endpoint.ownerKeyId ? await db.select({ email: apiKeys.email }).from(apiKeys).where(eq(apiKeys.id, endpoint.ownerKeyId)) : [];
    const recipients = uniqueEmails([endpoint.contactEmail ?? key?.email ?? null]);
    return deliver(deps, {
      businessKey: webhookDisabledKey(endpoint.id, input.eventSeq),
      hazardId: null,
      campaignId: null,
      kind: 'WEBHOOK_DISABLED',
      deadlineVersion: null,
      recipients: recipients.length > 0 ? recipients : deps.mail.officeEmails,
      subject: `【Webhook 已停用】${endpoint.url}`,
      bodyText: [
        `您的 webhook 端点 ${endpoint.url}（${endpoint.id}）在多次重试后仍无法投递，已被停用。`,
        `Your webhook endpoint ${endpoint.url} (${endpoint.id}) was disabled after its deliveries kept failing.`,
        '',
        endpoint.disabledReason ?? '',
        '',
        `Fix the receiver, then re-enable it: PATCH ${deps.mail.publicUrl}/v1/webhook-endpoints/${endpoint.id} {"enabled": true}. Delivery resumes at this event; nothing after it is lost.`,
        `Delivery log: ${deps.mail.publicUrl}/v1/webhook-endpoints/${endpoint.id}/deliveries`,
      ].join('\n'),
      locale: 'zh-CN',
    });
  }

  return { nextWebhookBatch, deliverWebhookEvent, disableFailingEndpoint, mailEndpointDisabled };
}
