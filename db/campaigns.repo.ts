// Campaign ledger writes (by activities) and the figures the office reads (status, summary).
import { and, count, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Duty } from '../domain/campaign';
import { coverageOf } from '../domain/coverage';
import type { Actor } from '../domain/hazard';
import type { RosterEntry, SpotCheckStratum } from '../domain/spot-check';
import type { DrawnInspection, InspectionState } from '../domain/unannounced';
import type { Db } from './client';
import { campaignEvents, campaignRosters, campaigns, duties, extraInspections, dutyEvents, enterprises, hazards, selfInspections, spotCheckDraws, supervisionFindings } from './schema';

export interface CampaignEventEntry {
  campaignId: string;
  seq: number;
  type: string;
  phase: string | null;
  actor: Actor;
  data: Record<string, unknown>;
  at: string;
  currentPhases: string[];
  completed: boolean;
}

/** Appends campaign events (unique on campaign + seq) and moves the campaign row forward only. */
export async function applyCampaignEvents(db: Db, entries: CampaignEventEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const newest = entries.reduce((a, b) => (b.seq > a.seq ? b : a));
  await db.transaction(async (tx) => {
    await tx
      .insert(campaignEvents)
      .values(entries.map((e) => ({ campaignId: e.campaignId, seq: e.seq, type: e.type, phase: e.phase, actor: e.actor, data: e.data, at: new Date(e.at) })))
      .onConflictDoNothing({ target: [campaignEvents.campaignId, campaignEvents.seq] });
    await tx
      .update(campaigns)
      .set({
        currentPhases: newest.currentPhases,
        lastSeq: newest.seq,
        ...(newest.completed ? { status: 'COMPLETED', completedAt: new Date(newest.at) } : { status: 'RUNNING' }),
        // The workflow wrote this: it runs, whoever started it.
        workflowStartedAt: sql`coalesce(${campaigns.workflowStartedAt}, now())`,
      })
      .where(and(eq(campaigns.id, newest.campaignId), sql`${campaigns.lastSeq} < ${newest.seq}`));
  });
}

export interface DutyLedgerEntry {
  campaignId: string;
  obligationId: string;
  holderCode: string;
  subjectEnterpriseId: string | null;
  seq: number;
  type: string;
  actor: Actor;
  data: Record<string, unknown>;
  at: string;
  duty: Duty;
  state: string;
  late: boolean;
  submittedAt: string | null;
  missedAt?: string;
  content?: Record<string, unknown>;
}

/** Appends duty events and upserts each duty's row to its newest state (never backward). */
export async function applyDutyEvents(db: Db, entries: DutyLedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const newestPerDuty = new Map<string, DutyLedgerEntry>();
  // Keyed by obligation too: a fan-out writes the duties of a page of obligations at once.
  const keyOf = (e: DutyLedgerEntry) => `${e.obligationId}\n${e.duty.key}`;
  for (const e of entries) if ((newestPerDuty.get(keyOf(e))?.seq ?? -1) < e.seq) newestPerDuty.set(keyOf(e), e);
  await db.transaction(async (tx) => {
    await tx
      .insert(dutyEvents)
      .values(entries.map((e) => ({ campaignId: e.campaignId, obligationId: e.obligationId, seq: e.seq, dutyKey: e.duty.key, type: e.type, actor: e.actor, data: e.data, at: new Date(e.at) })))
      .onConflictDoNothing({ target: [dutyEvents.obligationId, dutyEvents.seq] });
    await tx
      .insert(duties)
      .values(
        [...newestPerDuty.values()].map((e) => ({
          campaignId: e.campaignId,
          obligationId: e.obligationId,
          holderCode: e.holderCode,
          dutyKey: e.duty.key,
          kind: e.duty.kind,
          label: e.duty.label,
          subjectEnterpriseId: e.subjectEnterpriseId,
          opensAt: new Date(e.duty.opensAt),
          dueAt: new Date(e.duty.dueAt),
          state: e.state,
          late: e.late,
          missedAt: e.missedAt ? new Date(e.missedAt) : null,
          submittedAt: e.submittedAt ? new Date(e.submittedAt) : null,
          submittedBy: e.type.startsWith('DUTY_SUBMITTED') ? e.actor : null,
          content: e.content ?? null,
          lastSeq: e.seq,
        })),
      )
      .onConflictDoUpdate({
        target: [duties.obligationId, duties.dutyKey],
        set: {
          opensAt: sql`excluded.opens_at`,
          dueAt: sql`excluded.due_at`,
          state: sql`excluded.state`,
          late: sql`excluded.late`,
          missedAt: sql`coalesce(excluded.missed_at, ${duties.missedAt})`,
          submittedAt: sql`excluded.submitted_at`,
          submittedBy: sql`coalesce(excluded.submitted_by, ${duties.submittedBy})`,
          content: sql`coalesce(excluded.content, ${duties.content})`,
          lastSeq: sql`excluded.last_seq`,
        },
        setWhere: sql`${duties.lastSeq} < excluded.last_seq`,
      });
  });
}

type Counts = Record<string, { total: number; open: number; overdue: number }>;

async function hazardCounts(db: Db, campaignId: string, column: typeof hazards.countyCode | typeof hazards.departmentCode | typeof hazards.industry | typeof hazards.grade | typeof hazards.state): Promise<Counts> {
  const rows = await db
    .select({
      key: sql<string>`${column}::text`,
      total: count(),
      open: sql<number>`count(*) filter (where ${hazards.state} not in ('CLOSED', 'WITHDRAWN'))::int`,
      overdue: sql<number>`count(*) filter (where ${hazards.overdue} and ${hazards.state} not in ('CLOSED', 'WITHDRAWN'))::int`,
    })
    .from(hazards)
    .where(eq(hazards.campaignId, campaignId))
    .groupBy(column);
  return Object.fromEntries(rows.map((r) => [r.key, { total: Number(r.total), open: Number(r.open), overdue: Number(r.overdue) }]));
}

/** One duty's row on the ledger (where its workflow last recorded it); undefined before its workflow recorded it. */
export async function dutyOnLedger(db: Db, obligationId: string, dutyKey: string) {
  const [row] = await db
    .select({ state: duties.state, late: duties.late, submittedAt: duties.submittedAt, dueAt: duties.dueAt })
    .from(duties)
    .where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, dutyKey)));
  return row;
}

/** The campaign's figures: what the status API shows live and what the summary snapshot freezes. */
export async function campaignFigures(db: Db, campaignId: string) {
  const [byCounty, byDepartment, byIndustry, byGrade, byState] = await Promise.all([
    hazardCounts(db, campaignId, hazards.countyCode),
    hazardCounts(db, campaignId, hazards.departmentCode),
    hazardCounts(db, campaignId, hazards.industry),
    hazardCounts(db, campaignId, hazards.grade),
    hazardCounts(db, campaignId, hazards.state),
  ]);
  const totals = Object.values(byGrade).reduce((a, c) => ({ total: a.total + c.total, open: a.open + c.open, overdue: a.overdue + c.overdue }), { total: 0, open: 0, overdue: 0 });
  const dutyRows = await db
    .select({ holderCode: duties.holderCode, dutyKey: duties.dutyKey, kind: duties.kind, label: duties.label, dueAt: duties.dueAt, state: duties.state, late: duties.late, subjectEnterpriseId: duties.subjectEnterpriseId })
    .from(duties)
    .where(eq(duties.campaignId, campaignId))
    .orderBy(duties.holderCode, duties.dueAt);
  const unitDutyRows = dutyRows.filter((d) => d.kind !== 'INSPECTION' && d.kind !== 'SELF_INSPECTION');
  const units: Record<string, { dutyKey: string; kind: string; label: string; dueAt: string; state: string; late: boolean }[]> = {};
  for (const d of unitDutyRows) (units[d.holderCode] ??= []).push({ dutyKey: d.dutyKey, kind: d.kind, label: d.label, dueAt: d.dueAt.toISOString(), state: d.state, late: d.late });
  const [draw] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, campaignId));
  const inspected = new Set(dutyRows.filter((d) => d.kind === 'INSPECTION' && d.state === 'SUBMITTED').map((d) => d.subjectEnterpriseId));
  const spotCheck = draw
    ? {
        seed: draw.seed,
        strata: draw.strata.map((st) => ({
          key: st.key,
          industry: st.industry,
          countyCode: st.countyCode ?? null,
          population: st.population,
          required: st.required,
          drawn: st.drawn.length,
          inspected: st.drawn.filter((id) => inspected.has(id)).length,
          drawnRatio: st.population === 0 ? 0 : st.drawn.length / st.population,
        })),
      }
    : null;
  const [self] = await db
    .select({ declared: count(), problemsFound: sql<number>`coalesce(sum(${selfInspections.problemsFound}), 0)::int` })
    .from(selfInspections)
    .where(eq(selfInspections.campaignId, campaignId));
  const [findings] = await db.select({ n: count() }).from(supervisionFindings).where(eq(supervisionFindings.campaignId, campaignId));
  // Full coverage over the roster frozen at launch (the draw's for a campaign launched before), active enterprises only.
  const [frozen] = await db.select({ entries: campaignRosters.entries }).from(campaignRosters).where(eq(campaignRosters.campaignId, campaignId));
  const rosterAll = frozen?.entries ?? draw?.roster ?? [];
  const gone = rosterAll.length === 0 ? new Set<string>() : new Set((await db.select({ id: enterprises.id }).from(enterprises).where(isNotNull(enterprises.deactivatedAt))).map((r) => r.id));
  const selfDuties = dutyRows.filter((d) => d.kind === 'SELF_INSPECTION' && d.subjectEnterpriseId).map((d) => ({ enterpriseId: d.subjectEnterpriseId!, state: d.state, late: d.late }));
  // Inspected: a drawn inspection recorded, or one beyond the sample.
  const extra = await db.selectDistinct({ id: extraInspections.enterpriseId }).from(extraInspections).where(eq(extraInspections.campaignId, campaignId));
  const anyInspected = new Set([...[...inspected].filter((id): id is string => id !== null), ...extra.map((r) => r.id)]);
  const coverage = coverageOf(rosterAll.filter((e) => !gone.has(e.enterpriseId)), selfDuties, anyInspected);
  return {
    hazards: { ...totals, byCounty, byDepartment, byIndustry, byGrade, byState },
    duties: {
      units,
      missed: unitDutyRows.filter((d) => d.state === 'MISSED').length,
      submittedLate: unitDutyRows.filter((d) => d.state === 'SUBMITTED' && d.late).length,
      submitted: unitDutyRows.filter((d) => d.state === 'SUBMITTED').length,
      total: unitDutyRows.length,
    },
    spotCheck,
    selfInspections: { declared: Number(self?.declared ?? 0), problemsFound: Number(self?.problemsFound ?? 0) },
    supervisionFindings: Number(findings?.n ?? 0),
    coverage,
  };
}
export type CampaignFigures = Awaited<ReturnType<typeof campaignFigures>>;

/**
 * Every drawn enterprise with where its inspection stands (its INSPECTION duty; NOT_STARTED
 * without one), its county and department as the draw's roster had them, and whether it is still
 * on the roster. Sorted by enterprise id. Who may know of which is domain/unannounced.ts.
 */
export async function drawnInspections(db: Db, campaignId: string, draw: { roster: RosterEntry[]; strata: SpotCheckStratum[] }): Promise<DrawnInspection[]> {
  const ids = draw.strata.flatMap((s) => s.drawn).sort();
  if (ids.length === 0) return [];
  const [dutyRows, enterpriseRows] = await Promise.all([
    db
      .select({ enterpriseId: duties.subjectEnterpriseId, state: duties.state, late: duties.late, submittedAt: duties.submittedAt })
      .from(duties)
      .where(and(eq(duties.campaignId, campaignId), eq(duties.kind, 'INSPECTION'))),
    db.select({ id: enterprises.id, deactivatedAt: enterprises.deactivatedAt }).from(enterprises).where(inArray(enterprises.id, ids)),
  ]);
  const dutyOf = new Map(dutyRows.map((d) => [d.enterpriseId, d]));
  const inactive = new Set(enterpriseRows.filter((e) => e.deactivatedAt !== null).map((e) => e.id));
  const entryOf = new Map(draw.roster.map((r) => [r.enterpriseId, r]));
  return ids.map((id) => {
    const d = dutyOf.get(id);
    return {
      enterpriseId: id,
      countyCode: entryOf.get(id)?.countyCode ?? '',
      departmentCode: entryOf.get(id)?.departmentCode ?? '',
      state: (d?.state ?? 'NOT_STARTED') as InspectionState,
      late: d?.late ?? false,
      submittedAt: d?.submittedAt?.toISOString() ?? null,
      active: !inactive.has(id),
    };
  });
}
