// The work items as tasks on the ledger: which unit leads what (its kind, the industries it
// supervises on the frozen roster) and what the ledger already knows for a progress report's
// window (hazards found, rectified, overdue in the unit's scope; self-inspection coverage of a
// county's enterprises; a department's inspections).
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { LeadingUnit } from '../domain/work-items';
import type { Db } from './client';
import { participantsOf } from './campaign-admin.repo';
import { getFrozenRoster } from './campaign-roster.repo';
import { duties } from './schema';

const rowsOf = async <T>(db: Db, q: SQL): Promise<T[]> => ((await db.execute(q)) as unknown as { rows: T[] }).rows;

/** The participating unit as the leads read it; null when it does not take part. */
export async function leadingUnit(db: Db, campaignId: string, unitCode: string): Promise<LeadingUnit | null> {
  const p = (await participantsOf(db, campaignId)).find((x) => x.unitCode === unitCode);
  if (!p) return null;
  const roster = (await getFrozenRoster(db, campaignId))?.entries ?? [];
  return { code: unitCode, kind: p.kind, supervisedIndustries: new Set(roster.filter((e) => e.departmentCode === unitCode).map((e) => e.industry)) };
}

export interface HazardWindowFigures {
  hazardsFound: number;
  hazardsRectified: number;
  hazardsOverdue: number;
}

/**
 * Hazards of the campaign in the unit's scope (its county, or its department; the hazard's
 * current scope), optionally of some industries or of one work item, registered, closed and fallen overdue within
 * [from, to] (their hazard_events).
 */
export async function hazardWindowFigures(db: Db, q: { campaignId: string; unit: LeadingUnit; from: Date; to: Date; industries?: string[]; workItem?: number }): Promise<HazardWindowFigures> {
  const scope = q.unit.kind === 'COUNTY' ? sql`h.county_code = ${q.unit.code}` : sql`h.department_code = ${q.unit.code}`;
  const industry = q.industries ? sql`AND h.industry IN (${sql.join(q.industries.map((i) => sql`${i}`), sql`, `)})` : sql``;
  const item = q.workItem === undefined ? sql`` : sql`AND h.work_item_no = ${q.workItem}`;
  const inWindow = (cond: SQL) =>
    sql`count(*) FILTER (WHERE EXISTS (SELECT 1 FROM hazard_events e WHERE e.hazard_id = h.id AND ${cond} AND e.at BETWEEN ${q.from.toISOString()}::timestamptz AND ${q.to.toISOString()}::timestamptz))::int`;
  const [row] = await rowsOf<{ found: number; rectified: number; overdue: number }>(
    db,
    sql`SELECT ${inWindow(sql`e.type = 'REGISTERED'`)} AS found, ${inWindow(sql`e.to_state = 'CLOSED'`)} AS rectified, ${inWindow(sql`e.type = 'OVERDUE'`)} AS overdue
        FROM hazards h WHERE h.campaign_id = ${q.campaignId} AND ${scope} ${industry} ${item}`,
  );
  return { hazardsFound: Number(row?.found ?? 0), hazardsRectified: Number(row?.rectified ?? 0), hazardsOverdue: Number(row?.overdue ?? 0) };
}

/** A county's enterprises on the frozen roster and how many of them declared their self-inspection by `to`. */
export async function selfInspectionCoverageBy(db: Db, campaignId: string, countyCode: string, to: Date): Promise<{ rosterEnterprises: number; selfInspected: number }> {
  const [row] = await rowsOf<{ roster: number; declared: number }>(
    db,
    sql`SELECT count(*)::int AS roster,
          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM self_inspections s WHERE s.campaign_id = r.campaign_id AND s.enterprise_id::text = x.entry->>'enterpriseId' AND s.declared_at <= ${to.toISOString()}::timestamptz))::int AS declared
        FROM campaign_rosters r CROSS JOIN LATERAL jsonb_array_elements(r.entries) AS x(entry)
        WHERE r.campaign_id = ${campaignId} AND x.entry->>'countyCode' = ${countyCode}`,
  );
  return { rosterEnterprises: Number(row?.roster ?? 0), selfInspected: Number(row?.declared ?? 0) };
}

/** A unit's inspections recorded within [from, to]: drawn ones (its INSPECTION duties filed) and those beyond the sample. */
export async function inspectionsBy(db: Db, campaignId: string, unitCode: string, from: Date, to: Date): Promise<{ drawnInspections: number; extraInspections: number }> {
  const f = from.toISOString();
  const t = to.toISOString();
  const [row] = await rowsOf<{ drawn: number; extra: number }>(
    db,
    sql`SELECT
          (SELECT count(*) FROM duties d WHERE d.campaign_id = ${campaignId} AND d.kind = 'INSPECTION' AND d.holder_code = ${unitCode} AND d.submitted_at BETWEEN ${f}::timestamptz AND ${t}::timestamptz)::int AS drawn,
          (SELECT count(*) FROM extra_inspections x WHERE x.campaign_id = ${campaignId} AND x.unit_code = ${unitCode} AND x.inspected_at BETWEEN ${f}::timestamptz AND ${t}::timestamptz)::int AS extra`,
  );
  return { drawnInspections: Number(row?.drawn ?? 0), extraInspections: Number(row?.extra ?? 0) };
}

/** A unit duty's window on the ledger (from its opening to its due instant); undefined before its workflow recorded it. */
export async function dutyWindow(db: Db, obligationId: string, dutyKey: string): Promise<{ opensAt: Date; dueAt: Date } | undefined> {
  const [row] = await db.select({ opensAt: duties.opensAt, dueAt: duties.dueAt }).from(duties).where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, dutyKey)));
  return row;
}
