// Campaign ledger writes (by activities) and the figures the office reads (status, summary).
import { and, count, eq, inArray, isNotNull, notInArray, sql } from 'drizzle-orm';
import type { Duty } from '../domain/campaign';
import { coverageOf } from '../domain/coverage';
import type { Actor } from '../domain/hazard';
import type { RosterEntry, SpotCheckStratum } from '../domain/spot-check';
import type { DrawnInspection, InspectionState } from '../domain/unannounced';
import type { Db } from './client';
import { campaignEvents, campaignRosters, campaigns, duties, extraInspections, dutyEvents, enterprises, hazards, selfInspections, spotCheckDraws, supervisionFindings } from './schema';
import { ENTERPRISE_DUTY_KINDS } from './unit-duties.repo';

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
const COUNT_DIMENSIONS = ['byCounty', 'byDepartment', 'byIndustry', 'byGrade', 'byState'] as const;

/** The campaign's hazards counted by county, department, industry, grade and state in one pass over its rows (grouping sets). */
async function hazardCounts(db: Db, campaignId: string): Promise<Record<(typeof COUNT_DIMENSIONS)[number], Counts>> {
  const rows = await db
    .select({
      // grouping() is 0 for the column a row is grouped by; the sets below list the dimensions in COUNT_DIMENSIONS' order.
      dim: sql<number>`(case when grouping(${hazards.countyCode}) = 0 then 0 when grouping(${hazards.departmentCode}) = 0 then 1 when grouping(${hazards.industry}) = 0 then 2 when grouping(${hazards.grade}) = 0 then 3 else 4 end)::int`,
      key: sql<string>`coalesce(${hazards.countyCode}, ${hazards.departmentCode}, ${hazards.industry}, ${hazards.grade}::text, ${hazards.state}::text)`,
      total: count(),
      open: sql<number>`count(*) filter (where ${hazards.state} not in ('CLOSED', 'WITHDRAWN'))::int`,
      overdue: sql<number>`count(*) filter (where ${hazards.overdue} and ${hazards.state} not in ('CLOSED', 'WITHDRAWN'))::int`,
    })
    .from(hazards)
    .where(eq(hazards.campaignId, campaignId))
    .groupBy(sql`grouping sets ((${hazards.countyCode}), (${hazards.departmentCode}), (${hazards.industry}), (${hazards.grade}), (${hazards.state}))`);
  const out = Object.fromEntries(COUNT_DIMENSIONS.map((d) => [d, {} as Counts])) as Record<(typeof COUNT_DIMENSIONS)[number], Counts>;
  for (const r of rows) out[COUNT_DIMENSIONS[r.dim]!][r.key] = { total: Number(r.total), open: Number(r.open), overdue: Number(r.overdue) };
  return out;
}

/**
 * What never changes once written, read once per process instead of on every status call: the
 * roster frozen in the launch's transaction (db/campaign-roster.repo.ts; 10,000 entries for a city)
 * and the spot-check draw, inserted once when the phase opens. Only rows that exist are kept, so a
 * draw made after a read is found by the next one. Bounded: the least recently read campaign goes first.
 */
const fixedOnceWritten = new Map<string, { frozen?: RosterEntry[]; draw?: { seed: string; strata: SpotCheckStratum[]; roster: RosterEntry[] } }>();
const FIXED_CAMPAIGNS_KEPT = 32;

async function rosterAndDraw(db: Db, campaignId: string) {
  const known = fixedOnceWritten.get(campaignId) ?? {};
  fixedOnceWritten.delete(campaignId);
  const [frozen, draw] = await Promise.all([
    known.frozen ?? db.select({ entries: campaignRosters.entries }).from(campaignRosters).where(eq(campaignRosters.campaignId, campaignId)).then(([r]) => r?.entries),
    known.draw ?? db.select({ seed: spotCheckDraws.seed, strata: spotCheckDraws.strata, roster: spotCheckDraws.roster }).from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, campaignId)).then(([r]) => r),
  ]);
  // A campaign launched before rosters were frozen has none: its draw's roster stands in, so keep that only then.
  const kept = { frozen, draw: draw && (frozen ? { ...draw, roster: [] } : draw) };
  if (kept.frozen || kept.draw) fixedOnceWritten.set(campaignId, kept);
  if (fixedOnceWritten.size > FIXED_CAMPAIGNS_KEPT) fixedOnceWritten.delete(fixedOnceWritten.keys().next().value!);
  return { roster: frozen ?? draw?.roster ?? [], draw };
}

/** One duty's row on the ledger (where its workflow last recorded it); undefined before its workflow recorded it. */
export async function dutyOnLedger(db: Db, obligationId: string, dutyKey: string) {
  const [row] = await db
    .select({ state: duties.state, late: duties.late, submittedAt: duties.submittedAt, dueAt: duties.dueAt })
    .from(duties)
    .where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, dutyKey)));
  return row;
}

/** The campaign's figures: what the status API shows live and what the summary snapshot freezes. Independent reads run at once. */
export async function campaignFigures(db: Db, campaignId: string) {
  const [counts, [unitDutyRows, subjectDutyRows], { roster: rosterAll, draw }, [self], [findings], extra, gone] = await Promise.all([
    hazardCounts(db, campaignId),
    // Units' duties whole (a few hundred); of the per-enterprise ones (one per roster enterprise) only what coverage counts.
    Promise.all([
      db
        .select({ holderCode: duties.holderCode, dutyKey: duties.dutyKey, kind: duties.kind, label: duties.label, dueAt: duties.dueAt, state: duties.state, late: duties.late, subjectEnterpriseId: duties.subjectEnterpriseId })
        .from(duties)
        .where(and(eq(duties.campaignId, campaignId), notInArray(duties.kind, ENTERPRISE_DUTY_KINDS)))
        .orderBy(duties.holderCode, duties.dueAt),
      db
        .select({ kind: duties.kind, state: duties.state, late: duties.late, subjectEnterpriseId: duties.subjectEnterpriseId })
        .from(duties)
        .where(and(eq(duties.campaignId, campaignId), inArray(duties.kind, ENTERPRISE_DUTY_KINDS))),
    ]),
    rosterAndDraw(db, campaignId),
    db
      .select({ declared: count(), problemsFound: sql<number>`coalesce(sum(${selfInspections.problemsFound}), 0)::int` })
      .from(selfInspections)
      .where(eq(selfInspections.campaignId, campaignId)),
    db.select({ n: count() }).from(supervisionFindings).where(eq(supervisionFindings.campaignId, campaignId)),
    // Inspected: a drawn inspection recorded, or one beyond the sample.
    db.selectDistinct({ id: extraInspections.enterpriseId }).from(extraInspections).where(eq(extraInspections.campaignId, campaignId)),
    db.select({ id: enterprises.id }).from(enterprises).where(isNotNull(enterprises.deactivatedAt)).then((rows) => new Set(rows.map((r) => r.id))),
  ]);
  const { byCounty, byDepartment, byIndustry, byGrade, byState } = counts;
  const totals = Object.values(byGrade).reduce((a, c) => ({ total: a.total + c.total, open: a.open + c.open, overdue: a.overdue + c.overdue }), { total: 0, open: 0, overdue: 0 });
  const units: Record<string, { dutyKey: string; kind: string; label: string; dueAt: string; state: string; late: boolean }[]> = {};
  for (const d of unitDutyRows) (units[d.holderCode] ??= []).push({ dutyKey: d.dutyKey, kind: d.kind, label: d.label, dueAt: d.dueAt.toISOString(), state: d.state, late: d.late });
  const inspected = new Set(subjectDutyRows.filter((d) => d.kind === 'INSPECTION' && d.state === 'SUBMITTED').map((d) => d.subjectEnterpriseId));
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
  // Full coverage over the roster frozen at launch (the draw's for a campaign launched before), active enterprises only.
  const selfDuties = subjectDutyRows.filter((d) => d.kind === 'SELF_INSPECTION' && d.subjectEnterpriseId).map((d) => ({ enterpriseId: d.subjectEnterpriseId!, state: d.state, late: d.late }));
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
