// Portal events (the feed) and webhook endpoints and deliveries.
//
// The feed's order is (xid, seq): the writing transaction's id, then the event's number. A
// bigserial is not commit order (a transaction may take number 7, and commit after another took 8
// and committed), so a reader that resumed "after 8" would miss 7 for good. Here a page holds only
// rows whose transaction is older than every transaction still running (`xid <
// pg_snapshot_xmin(pg_current_snapshot())`): such rows are final, and every row still to come
// belongs to a transaction at or above that horizon, so it sorts after anything served. Events of
// one subject are written by one workflow step after another (each in its own transaction), so
// they come out in their ledger order. Works the same on PGlite.
import { and, asc, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { scopedTo } from './scope';
import { portalEvents, webhookDeliveries, webhookEndpoints } from './schema';
import type { Actor } from '../domain/hazard';
import { encodeCursor, eventId, type FeedCursor } from '../domain/webhooks';

export type PortalEventRow = typeof portalEvents.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** An event as the feed lists it and a webhook carries it. */
export interface PortalEventView {
  id: string;
  cursor: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  subject: { stream: string; id: string; seq: number };
  campaignId: string | null;
  enterpriseId: string | null;
  countyCode: string | null;
  departmentCode: string | null;
  data: Record<string, unknown>;
}

export function portalEventView(r: PortalEventRow): PortalEventView {
  return {
    id: eventId(r.seq),
    cursor: encodeCursor({ xid: r.xid, seq: r.seq }),
    type: r.type,
    occurredAt: r.occurredAt.toISOString(),
    recordedAt: r.recordedAt.toISOString(),
    subject: { stream: r.stream, id: r.subjectId, seq: r.subjectSeq },
    campaignId: r.campaignId,
    enterpriseId: r.enterpriseId,
    countyCode: r.countyCode,
    departmentCode: r.departmentCode,
    data: r.payload,
  };
}

/** `hazard.CLOSED` exactly, `hazard.*` the stream; none: every type. */
function typeFilter(patterns: readonly string[]): SQL | undefined {
  if (patterns.length === 0) return undefined;
  const exact = patterns.filter((p) => !p.endsWith('.*'));
  const prefixes = patterns.filter((p) => p.endsWith('.*')).map((p) => `${p.slice(0, -1)}%`);
  const parts: SQL[] = [];
  if (exact.length > 0) parts.push(sql`${portalEvents.type} in (${sql.join(exact.map((t) => sql`${t}`), sql`, `)})`);
  for (const p of prefixes) parts.push(sql`${portalEvents.type} like ${p}`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

const afterCursor = (c: FeedCursor): SQL => sql`(${portalEvents.xid}, ${portalEvents.seq}) > (${c.xid}::xid8, ${c.seq}::bigint)`;
const settled = sql`${portalEvents.xid} < pg_snapshot_xmin(pg_current_snapshot())`;

/** The events `actor` may see after `after`, in feed order, only those no running transaction can still precede. */
export async function readFeed(db: Db, actor: Actor, q: { after: FeedCursor | null; types: readonly string[]; limit: number }): Promise<PortalEventRow[]> {
  return db
    .select()
    .from(portalEvents)
    .where(and(settled, q.after ? afterCursor(q.after) : undefined, typeFilter(q.types), scopedTo(actor, portalEvents)))
    .orderBy(asc(portalEvents.xid), asc(portalEvents.seq))
    .limit(q.limit);
}

/** The newest settled position (where a reader starting now would begin), or null on an empty feed. */
export async function feedHead(db: Db): Promise<FeedCursor | null> {
  const [row] = await db
    .select({ xid: portalEvents.xid, seq: portalEvents.seq })
    .from(portalEvents)
    .where(settled)
    .orderBy(desc(portalEvents.xid), desc(portalEvents.seq))
    .limit(1);
  return row ?? null;
}

export async function getPortalEvent(db: Db, seq: number): Promise<PortalEventRow | null> {
  const [row] = await db.select().from(portalEvents).where(eq(portalEvents.seq, seq));
  return row ?? null;
}

// --- endpoints ---

/** Who may read and manage an endpoint: admin and the office every one; a key with the owner's role and scope. */
function endpointsOf(actor: Actor): SQL | undefined {
  if (actor.role === 'admin' || actor.role === 'office') return undefined;
  return and(sql`${webhookEndpoints.owner}->>'role' = ${actor.role}`, actor.scope === null ? sql`${webhookEndpoints.owner}->>'scope' is null` : sql`${webhookEndpoints.owner}->>'scope' = ${actor.scope}`);
}

export interface NewEndpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  owner: Actor;
  ownerKeyId: string | null;
  contactEmail: string | null;
  secret: string;
}

/** Delivery starts at the oldest running transaction: every event not yet settled, and all later ones. */
export async function insertEndpoint(db: Db, e: NewEndpoint): Promise<WebhookEndpointRow> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ ...e, startXid: sql`pg_snapshot_xmin(pg_current_snapshot())`, startSeq: 0 })
    .returning();
  return row!;
}

export async function getEndpoint(db: Db, actor: Actor, id: string): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt), endpointsOf(actor)));
  return row ?? null;
}

/** For the delivery workflow's activities: the endpoint whatever its state (deleted too). */
export async function loadEndpoint(db: Db, id: string): Promise<WebhookEndpointRow | null> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row ?? null;
}

export async function listEndpoints(db: Db, actor: Actor, q: { limit: number; cursor?: { createdAt: string; id: string } }): Promise<WebhookEndpointRow[]> {
  const at = q.cursor ? new Date(q.cursor.createdAt) : null;
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        isNull(webhookEndpoints.deletedAt),
        endpointsOf(actor),
        at && q.cursor ? sql`(${webhookEndpoints.createdAt}, ${webhookEndpoints.id}) < (${at}, ${q.cursor.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .limit(q.limit + 1);
}

export async function listActiveEndpoints(db: Db): Promise<Pick<WebhookEndpointRow, 'id' | 'owner' | 'eventTypes'>[]> {
  return db
    .select({ id: webhookEndpoints.id, owner: webhookEndpoints.owner, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.enabled, true), isNull(webhookEndpoints.deletedAt)));
}

export async function updateEndpoint(
  db: Db,
  id: string,
  patch: Partial<Pick<WebhookEndpointRow, 'url' | 'description' | 'eventTypes' | 'contactEmail' | 'enabled'>>,
): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...patch,
      ...(patch.enabled === true ? { disabledAt: null, disabledReason: null } : {}),
      ...(patch.enabled === false ? { disabledAt: sql`coalesce(${webhookEndpoints.disabledAt}, now())`, disabledReason: sql`coalesce(${webhookEndpoints.disabledReason}, 'disabled by its owner')` } : {}),
      updatedAt: new Date(),
    })
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt)))
    .returning();
  return row ?? null;
}

/** The new secret signs from now on; the old one signs too (a second signature) until `overlapUntil`. */
export async function rotateEndpointSecret(db: Db, id: string, secret: string, overlapUntil: Date): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ previousSecret: sql`${webhookEndpoints.secret}`, previousSecretExpiresAt: overlapUntil, secret, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt)))
    .returning();
  return row ?? null;
}

export async function deleteEndpoint(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ deletedAt: new Date(), enabled: false, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt)))
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/** Disabled after its retries were spent (only if still enabled: the first reason stays). */
export async function disableEndpoint(db: Db, id: string, reason: string): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledAt: new Date(), disabledReason: reason, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.enabled, true)))
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

// --- deliveries ---

/** Where a delivery workflow started afresh resumes: after the newest event delivered to the endpoint (delivery is in feed order). */
export async function newestDelivered(db: Db, endpointId: string): Promise<FeedCursor | null> {
  const [row] = await db
    .select({ xid: portalEvents.xid, seq: portalEvents.seq })
    .from(webhookDeliveries)
    .innerJoin(portalEvents, eq(portalEvents.seq, webhookDeliveries.eventSeq))
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, 'DELIVERED')))
    .orderBy(desc(portalEvents.xid), desc(portalEvents.seq))
    .limit(1);
  return row ?? null;
}

export interface DeliveryAttempt {
  endpointId: string;
  eventSeq: number;
  eventType: string;
  /** Temporal's attempt number (1 on the first try of a series). */
  attempt: number;
  outcome: 'DELIVERED' | 'RETRYING' | 'FAILED';
  statusCode: number | null;
  error: string | null;
  latencyMs: number | null;
  at: Date;
}

/** One attempt on the delivery log (row per endpoint and event, written first on the first attempt). */
export async function recordDeliveryAttempt(db: Db, a: DeliveryAttempt): Promise<void> {
  const status = a.outcome === 'DELIVERED' ? 'DELIVERED' : a.outcome === 'FAILED' ? 'FAILED' : 'PENDING';
  await db
    .insert(webhookDeliveries)
    .values({
      endpointId: a.endpointId,
      eventSeq: a.eventSeq,
      eventType: a.eventType,
      status,
      attempts: 1,
      lastStatusCode: a.statusCode,
      lastError: a.error,
      latencyMs: a.latencyMs,
      firstAttemptAt: a.at,
      lastAttemptAt: a.at,
      deliveredAt: a.outcome === 'DELIVERED' ? a.at : null,
    })
    .onConflictDoUpdate({
      target: [webhookDeliveries.endpointId, webhookDeliveries.eventSeq],
      set: {
        status,
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        lastStatusCode: a.statusCode,
        lastError: a.error,
        latencyMs: a.latencyMs,
        lastAttemptAt: a.at,
        deliveredAt: a.outcome === 'DELIVERED' ? a.at : sql`${webhookDeliveries.deliveredAt}`,
      },
    });
}

/** A delivery whose retries were spent without an attempt recording it so (the activity's last attempt timed out). */
export async function markDeliveryFailed(db: Db, endpointId: string, eventSeq: number, eventType: string, reason: string): Promise<void> {
  await db
    .insert(webhookDeliveries)
    .values({ endpointId, eventSeq, eventType, status: 'FAILED', lastError: reason })
    .onConflictDoUpdate({
      target: [webhookDeliveries.endpointId, webhookDeliveries.eventSeq],
      set: { status: sql`case when ${webhookDeliveries.status} = 'DELIVERED' then 'DELIVERED' else 'FAILED' end`, lastError: sql`coalesce(${webhookDeliveries.lastError}, ${reason})` },
    });
}

export async function listDeliveries(db: Db, endpointId: string, q: { limit: number; beforeSeq?: number; status?: string }): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        q.beforeSeq !== undefined ? lt(webhookDeliveries.eventSeq, q.beforeSeq) : undefined,
        q.status ? eq(webhookDeliveries.status, q.status) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.eventSeq))
    .limit(q.limit + 1);
}

export async function getDelivery(db: Db, endpointId: string, id: string): Promise<WebhookDeliveryRow | null> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id)));
  return row ?? null;
}

/** A replay asked for: counted, and PENDING again until the workflow's attempt records its outcome. */
export async function markReplayRequested(db: Db, id: string): Promise<WebhookDeliveryRow | null> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ replays: sql`${webhookDeliveries.replays} + 1`, status: 'PENDING' })
    .where(eq(webhookDeliveries.id, id))
    .returning();
  return row ?? null;
}
