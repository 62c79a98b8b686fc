// The figures the four-colour map (四色图) colours by, per enterprise of a campaign, now: its open
// hazards (every hazard not closed or withdrawn, whichever campaign found it) and its enforcement
// state. The enterprises are the campaign's roster frozen at launch, where it was frozen, else the
// active enterprises of its counties in its industries; each where it sits on the roster now.
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { campaignParticipants, campaignRosters, enterprises, hazards } from './schema';
import type { RiskMetrics } from '../domain/risk-map';

export interface RiskRosterRow {
  enterpriseId: string;
  name: string;
  creditCode: string;
  countyCode: string;
  departmentCode: string;
  industry: string;
  latitude: number | null;
  longitude: number | null;
  metrics: RiskMetrics;
}

/** `scope`: only the enterprises of this county or department (a county's or department's key). */
export async function riskRoster(db: Db, campaign: { id: string; industries: string[] }, scope: { countyCode?: string; departmentCode?: string } = {}): Promise<RiskRosterRow[]> {
  const [frozen] = await db.select({ entries: campaignRosters.entries }).from(campaignRosters).where(eq(campaignRosters.campaignId, campaign.id));
  let members: SQL;
  if (frozen) {
    const ids = frozen.entries.map((e) => e.enterpriseId);
    if (ids.length === 0) return [];
    members = sql`${enterprises.id} = any(${sql.param(ids)}::uuid[])`;
  } else {
    const counties = (await db.select({ code: campaignParticipants.unitCode }).from(campaignParticipants).where(and(eq(campaignParticipants.campaignId, campaign.id), eq(campaignParticipants.kind, 'COUNTY')))).map((p) => p.code);
    if (counties.length === 0 || campaign.industries.length === 0) return [];
    members = and(inArray(enterprises.countyCode, counties), inArray(enterprises.industry, campaign.industries))!;
  }
  const open = sql`${hazards.state} not in ('CLOSED', 'WITHDRAWN')`;
  const rows = await db
    .select({
      enterpriseId: enterprises.id,
      name: enterprises.name,
      creditCode: enterprises.creditCode,
      countyCode: enterprises.countyCode,
      departmentCode: enterprises.departmentCode,
      industry: enterprises.industry,
      latitude: enterprises.latitude,
      longitude: enterprises.longitude,
      enforcementStatus: enterprises.enforcementStatus,
      openMajor: sql<number>`count(${hazards.id}) filter (where ${hazards.grade} = 'MAJOR')`.mapWith(Number),
      openGeneral: sql<number>`count(${hazards.id}) filter (where ${hazards.grade} = 'GENERAL')`.mapWith(Number),
      overdue: sql<number>`count(${hazards.id}) filter (where ${hazards.overdue})`.mapWith(Number),
      escalated: sql<number>`count(${hazards.id}) filter (where ${hazards.escalated})`.mapWith(Number),
    })
    .from(enterprises)
    .leftJoin(hazards, and(eq(hazards.enterpriseId, enterprises.id), open))
    .where(
      and(
        members,
        isNull(enterprises.deactivatedAt),
        scope.countyCode !== undefined ? eq(enterprises.countyCode, scope.countyCode) : undefined,
        scope.departmentCode !== undefined ? eq(enterprises.departmentCode, scope.departmentCode) : undefined,
      ),
    )
    .groupBy(enterprises.id)
    .orderBy(asc(enterprises.id));
  return rows.map((r) => ({
    enterpriseId: r.enterpriseId,
    name: r.name,
    creditCode: r.creditCode,
    countyCode: r.countyCode,
    departmentCode: r.departmentCode,
    industry: r.industry,
    latitude: r.latitude,
    longitude: r.longitude,
    metrics: { OPEN_MAJOR: r.openMajor, OPEN_GENERAL: r.openGeneral, OVERDUE: r.overdue, ESCALATED: r.escalated, SUSPENDED: r.enforcementStatus === 'SUSPENDED' ? 1 : 0 },
  }));
}
