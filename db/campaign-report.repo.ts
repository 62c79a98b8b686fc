// What the report upward adds to the summary snapshot (domain/campaign-report.ts ReportExtras):
// rectified hazards by county, department and industry, the ranking at the summary instant, the
// campaign's cases and enforcement orders. Written once, with the snapshot.
import { sql, type SQL } from 'drizzle-orm';
import type { ReportExtras } from '../domain/campaign-report';
import { rank, type ScoringScheme } from '../domain/scoring';
import type { Db } from './client';
import { campaignFigures } from './campaigns.repo';
import { campaignSnapshots } from './schema';
import { scoringSnapshot } from './scoring.repo';

const rowsOf = async <T>(db: Db, q: SQL): Promise<T[]> => ((await db.execute(q)) as unknown as { rows: T[] }).rows;
const tally = (rs: { key: string; n: number }[]): Record<string, number> => Object.fromEntries(rs.map((r) => [r.key, Number(r.n)]));

export async function reportExtras(db: Db, campaignId: string, at: Date, scheme: ScoringScheme): Promise<ReportExtras> {
  const closedBy = (column: SQL) => rowsOf<{ key: string; n: number }>(db, sql`SELECT ${column}::text AS key, count(*)::int AS n FROM hazards WHERE campaign_id = ${campaignId} AND state = 'CLOSED' GROUP BY 1`);
  const [byCounty, byDepartment, byIndustry, caseRows, orderRows, snapshot] = await Promise.all([
    closedBy(sql`county_code`),
    closedBy(sql`department_code`),
    closedBy(sql`industry`),
    rowsOf<{ key: string; n: number }>(db, sql`SELECT status::text AS key, count(*)::int AS n FROM cases WHERE campaign_id = ${campaignId} GROUP BY 1`),
    // An order belongs to the campaign through its hazards or its case.
    rowsOf<{ key: string; n: number }>(
      db,
      sql`SELECT o.kind::text AS key, count(*)::int AS n FROM orders o
          WHERE EXISTS (SELECT 1 FROM hazards h WHERE h.campaign_id = ${campaignId} AND o.hazard_ids ? h.id::text)
             OR EXISTS (SELECT 1 FROM cases c WHERE c.campaign_id = ${campaignId} AND c.id = o.case_id)
          GROUP BY 1`,
    ),
    scoringSnapshot(db, campaignId, at),
  ]);
  const ranked = (kind: 'COUNTY' | 'DEPARTMENT') => rank(snapshot, scheme, kind).map((u) => ({ unitCode: u.unitCode, total: u.total, rank: u.rank }));
  const cases = tally(caseRows);
  const orders = tally(orderRows);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    rectified: { byCounty: tally(byCounty), byDepartment: tally(byDepartment), byIndustry: tally(byIndustry) },
    ranking: { COUNTY: ranked('COUNTY'), DEPARTMENT: ranked('DEPARTMENT') },
    cases: { total: sum(cases), byStatus: cases },
    orders: { total: sum(orders), byKind: orders },
  };
}

/**
 * The summary snapshot (campaign_snapshots): the campaign's figures and the report's extras as they
 * stand at `at`, written once (a second call keeps the first).
 */
export async function writeSummarySnapshot(db: Db, campaignId: string, at: Date, scheme: ScoringScheme): Promise<void> {
  const figures = await campaignFigures(db, campaignId);
  const report = await reportExtras(db, campaignId, at, scheme);
  await db.insert(campaignSnapshots).values({ campaignId, figures: { ...figures, report }, takenAt: at }).onConflictDoNothing();
}
