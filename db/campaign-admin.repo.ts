// Campaign reads and writes for the API: templates, launch (with its frozen roster), participants, declarations.
import { and, asc, desc, eq, exists, gte, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { CampaignStatus, CampaignTemplate } from '../domain/campaign';
import { canonicalJson } from '../domain/canonical-json';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { freezeRoster } from './campaign-roster.repo';
import { after, newestFirst, toPage, type Cursor } from './pagination';
import { campaignParticipants, campaignRosters, campaigns, campaignSnapshots, campaignTemplates, extraInspections, selfInspections, spotCheckDraws, supervisionFindings } from './schema';

export type CampaignRow = typeof campaigns.$inferSelect;

/** First write wins; the same body again is a replay, another body under the same key+version a conflict. */
export async function saveTemplate(db: Db, t: CampaignTemplate): Promise<{ kind: 'created' | 'same' | 'conflict'; id: string }> {
  const [created] = await db.insert(campaignTemplates).values({ key: t.key, version: t.version, body: t }).onConflictDoNothing().returning({ id: campaignTemplates.id });
  if (created) return { kind: 'created', id: created.id };
  const [existing] = await db.select().from(campaignTemplates).where(and(eq(campaignTemplates.key, t.key), eq(campaignTemplates.version, t.version)));
  // jsonb reorders keys: compare canonical forms.
  return { kind: canonicalJson(existing!.body) === canonicalJson(t) ? 'same' : 'conflict', id: existing!.id };
}

export async function getTemplate(db: Db, key: string, version: number): Promise<CampaignTemplate | undefined> {
  const [row] = await db.select().from(campaignTemplates).where(and(eq(campaignTemplates.key, key), eq(campaignTemplates.version, version)));
  return row?.body;
}

export async function listTemplates(db: Db) {
  return db.select({ key: campaignTemplates.key, version: campaignTemplates.version, body: campaignTemplates.body, createdAt: campaignTemplates.createdAt }).from(campaignTemplates).orderBy(campaignTemplates.key, desc(campaignTemplates.version));
}

export async function insertCampaign(
  db: Db,
  c: typeof campaigns.$inferInsert,
  participants: { unitCode: string; kind: 'COUNTY' | 'DEPARTMENT' }[],
): Promise<{ kind: 'created' | 'replayed' | 'key-reused'; campaign: CampaignRow }> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(campaigns).values(c).onConflictDoNothing({ target: campaigns.idempotencyKey }).returning();
    if (!created) {
      const [existing] = await tx.select().from(campaigns).where(eq(campaigns.idempotencyKey, c.idempotencyKey!));
      return { kind: existing!.requestHash === c.requestHash ? ('replayed' as const) : ('key-reused' as const), campaign: existing! };
    }
    if (participants.length > 0) await tx.insert(campaignParticipants).values(participants.map((p) => ({ ...p, campaignId: created.id })));
    // The roster the draw will run over, frozen with the launch: a later roster edit cannot change who is drawn.
    const counties = participants.filter((p) => p.kind === 'COUNTY').map((p) => p.unitCode);
    const { sha256 } = await freezeRoster(tx, { id: created.id, industries: created.template.industries, counties, actor: created.launchedBy });
    return { kind: 'created' as const, campaign: { ...created, rosterSha256: sha256 } };
  });
}

export async function markCampaignStarted(db: Db, id: string): Promise<void> {
  await db.update(campaigns).set({ workflowStartedAt: sql`coalesce(${campaigns.workflowStartedAt}, now())` }).where(eq(campaigns.id, id));
}

/** Campaigns launched more than a moment ago whose workflow is not known to run (a crash or an outage at launch). */
export async function findUnstartedCampaigns(db: Db, olderThan: Date, limit: number): Promise<CampaignRow[]> {
  return db.select().from(campaigns).where(and(isNull(campaigns.workflowStartedAt), lt(campaigns.createdAt, olderThan))).orderBy(asc(campaigns.createdAt)).limit(limit);
}

export async function getCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  return row;
}

export interface CampaignFilters {
  status?: CampaignStatus;
  templateKey?: string;
  /** Campaigns this county or department takes part in. */
  unitCode?: string;
  launchedFrom?: Date;
  launchedTo?: Date;
}

/**
 * Campaigns newest first, in keyset pages. `visibleTo`: null for every campaign, else the unit
 * codes whose campaigns the caller may see (one of them takes part); an empty list sees none.
 */
export async function listCampaigns(db: Db, f: CampaignFilters, visibleTo: string[] | null, page: { limit: number; after?: Cursor }) {
  const takesPart = (codes: string[]) =>
    exists(
      db
        .select({ one: sql`1` })
        .from(campaignParticipants)
        .where(and(eq(campaignParticipants.campaignId, campaigns.id), inArray(campaignParticipants.unitCode, codes))),
    );
  if (visibleTo?.length === 0) return toPage([], page.limit);
  const rows = await db
    .select({
      id: campaigns.id,
      name: campaigns.name,
      status: campaigns.status,
      templateKey: sql<string>`${campaigns.template}->>'key'`,
      templateVersion: sql<number>`(${campaigns.template}->>'version')::int`,
      timeZone: sql<string>`${campaigns.template}->>'timeZone'`,
      currentPhases: campaigns.currentPhases,
      createdAt: campaigns.createdAt,
      completedAt: campaigns.completedAt,
    })
    .from(campaigns)
    .where(
      and(
        visibleTo ? takesPart(visibleTo) : undefined,
        f.status ? eq(campaigns.status, f.status) : undefined,
        f.templateKey ? sql`${campaigns.template}->>'key' = ${f.templateKey}` : undefined,
        f.unitCode ? takesPart([f.unitCode]) : undefined,
        f.launchedFrom ? gte(campaigns.createdAt, f.launchedFrom) : undefined,
        f.launchedTo ? lt(campaigns.createdAt, f.launchedTo) : undefined,
        after(campaigns.createdAt, campaigns.id, page.after),
      ),
    )
    .orderBy(...newestFirst(campaigns.createdAt, campaigns.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function participantsOf(db: Db, campaignId: string) {
  return db.select().from(campaignParticipants).where(eq(campaignParticipants.campaignId, campaignId)).orderBy(campaignParticipants.unitCode);
}

/** The running campaign a hazard found in this county belongs to, if any (newest first). */
export async function activeCampaignForCounty(db: Db, countyCode: string): Promise<string | null> {
  const [row] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .innerJoin(campaignParticipants, and(eq(campaignParticipants.campaignId, campaigns.id), eq(campaignParticipants.unitCode, countyCode)))
    .where(ne(campaigns.status, 'COMPLETED'))
    .orderBy(desc(campaigns.createdAt))
    .limit(1);
  return row?.id ?? null;
}

export async function getDraw(db: Db, campaignId: string) {
  const [row] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, campaignId));
  return row;
}

export async function getSnapshot(db: Db, campaignId: string) {
  const [row] = await db.select().from(campaignSnapshots).where(eq(campaignSnapshots.campaignId, campaignId));
  return row;
}

export async function declareSelfInspection(db: Db, v: { campaignId: string; enterpriseId: string; problemsFound: number; note: string | null; declaredBy: Actor }) {
  const [row] = await db
    .insert(selfInspections)
    .values(v)
    .onConflictDoUpdate({ target: [selfInspections.campaignId, selfInspections.enterpriseId], set: { problemsFound: v.problemsFound, note: v.note, declaredBy: v.declaredBy, declaredAt: new Date() } })
    .returning();
  return row!;
}

/** Records an inspection beyond the sample; a retry under the same request key finds the first row. */
export async function recordExtraInspection(db: Db, v: typeof extraInspections.$inferInsert) {
  const [row] = await db.insert(extraInspections).values(v).onConflictDoNothing({ target: extraInspections.requestKey }).returning();
  if (row) return row;
  const [first] = await db.select().from(extraInspections).where(eq(extraInspections.requestKey, v.requestKey!));
  return first!;
}

/** Whether the roster frozen at launch holds the enterprise; null when the campaign froze none (launched before). */
export async function onFrozenRoster(db: Db, campaignId: string, enterpriseId: string): Promise<boolean | null> {
  const [row] = await db
    .select({ on: sql<boolean>`${campaignRosters.entries} @> ${JSON.stringify([{ enterpriseId }])}::jsonb` })
    .from(campaignRosters)
    .where(eq(campaignRosters.campaignId, campaignId));
  return row ? row.on : null;
}

export async function recordSupervisionFinding(db: Db, v: typeof supervisionFindings.$inferInsert) {
  const [row] = await db.insert(supervisionFindings).values(v).returning();
  return row!;
}
