// The units' reporting duties of a campaign (its counties' and departments' plans, progress reports,
// summaries: not the inspection and self-inspection duties about enterprises), for the duties
// export: read a page at a time, by unit then due instant, as GET /v1/campaigns/{id} lists them.
import { and, asc, eq, gt, notInArray, or } from 'drizzle-orm';
import type { Db } from './client';
import { campaignParticipants, duties, units } from './schema';

/** Duties about an enterprise, not a unit's own reporting (the campaign status counts them apart). */
export const ENTERPRISE_DUTY_KINDS = ['INSPECTION', 'SELF_INSPECTION'];

export interface UnitDutyRow {
  id: string;
  holderCode: string;
  unitName: string | null;
  unitKind: string | null;
  dutyKey: string;
  kind: string;
  label: string;
  dueAt: Date;
  state: string;
  late: boolean;
  submittedAt: Date | null;
  missedAt: Date | null;
}

/** Every page of the campaign's unit duties (`limit` rows each), ordered by unit, due instant and id. */
export async function* unitDutyPages(db: Db, campaignId: string, limit = 500): AsyncGenerator<UnitDutyRow[]> {
  let after: UnitDutyRow | undefined;
  for (;;) {
    const rows = await db
      .select({
        id: duties.id,
        holderCode: duties.holderCode,
        unitName: units.name,
        unitKind: campaignParticipants.kind,
        dutyKey: duties.dutyKey,
        kind: duties.kind,
        label: duties.label,
        dueAt: duties.dueAt,
        state: duties.state,
        late: duties.late,
        submittedAt: duties.submittedAt,
        missedAt: duties.missedAt,
      })
      .from(duties)
      .leftJoin(units, eq(units.code, duties.holderCode))
      .leftJoin(campaignParticipants, and(eq(campaignParticipants.campaignId, duties.campaignId), eq(campaignParticipants.unitCode, duties.holderCode)))
      .where(
        and(
          eq(duties.campaignId, campaignId),
          notInArray(duties.kind, ENTERPRISE_DUTY_KINDS),
          after
            ? or(
                gt(duties.holderCode, after.holderCode),
                and(eq(duties.holderCode, after.holderCode), gt(duties.dueAt, after.dueAt)),
                and(eq(duties.holderCode, after.holderCode), eq(duties.dueAt, after.dueAt), gt(duties.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(duties.holderCode), asc(duties.dueAt), asc(duties.id))
      .limit(limit);
    if (rows.length > 0) yield rows;
    if (rows.length < limit) return;
    after = rows.at(-1);
  }
}
