// Full coverage (全覆盖、无遗漏): who on a campaign's roster filed its self-inspection, and who was
// inspected, by county, department and industry. Pure: the ledger's rows in, shares out.
import type { RosterEntry } from './spot-check';

export interface SelfInspectionCounts {
  /** Enterprises owing a self-inspection (their duty was assigned). */
  due: number;
  filed: number;
  /** Of `filed`, after the due instant. */
  filedLate: number;
  missed: number;
  /** filed / due (0 when nothing is due). */
  share: number;
}

export interface CoverageCounts {
  /** Enterprises that must be covered. */
  required: number;
  covered: number;
  share: number;
}

export interface Coverage {
  selfInspection: { total: SelfInspectionCounts; byCounty: Record<string, SelfInspectionCounts>; byDepartment: Record<string, SelfInspectionCounts>; byIndustry: Record<string, SelfInspectionCounts> };
  /** A county's roster: each enterprise inspected (a recorded inspection) or self-inspected (filed). */
  byCounty: Record<string, CoverageCounts>;
  /** A city department's key supervision (supervision level CITY): each enterprise inspected. */
  byDepartment: Record<string, CoverageCounts>;
  /** The roster by industry: inspected or self-inspected. */
  byIndustry: Record<string, CoverageCounts>;
}

export interface SelfInspectionDutyRow {
  enterpriseId: string;
  state: string;
  late: boolean;
}

const share = (n: number, of: number): number => (of === 0 ? 0 : n / of);

/**
 * Coverage over `roster` (deactivated enterprises owe nothing: leave them out) from the
 * self-inspection duties on the ledger and the enterprises whose inspection is recorded. Only
 * recorded inspections count, so a county's figures never reveal a drawn inspection still pending.
 */
export function coverageOf(roster: RosterEntry[], selfDuties: SelfInspectionDutyRow[], inspected: ReadonlySet<string>): Coverage {
  const dutyOf = new Map(selfDuties.map((d) => [d.enterpriseId, d]));
  const emptySelf = (): SelfInspectionCounts => ({ due: 0, filed: 0, filedLate: 0, missed: 0, share: 0 });
  const emptyCov = (): CoverageCounts => ({ required: 0, covered: 0, share: 0 });
  const self = { total: emptySelf(), byCounty: {} as Record<string, SelfInspectionCounts>, byDepartment: {} as Record<string, SelfInspectionCounts>, byIndustry: {} as Record<string, SelfInspectionCounts> };
  const byCounty: Record<string, CoverageCounts> = {};
  const byDepartment: Record<string, CoverageCounts> = {};
  const byIndustry: Record<string, CoverageCounts> = {};
  for (const e of roster) {
    const d = dutyOf.get(e.enterpriseId);
    const filed = d?.state === 'SUBMITTED';
    if (d) {
      for (const c of [self.total, (self.byCounty[e.countyCode] ??= emptySelf()), (self.byDepartment[e.departmentCode] ??= emptySelf()), (self.byIndustry[e.industry] ??= emptySelf())]) {
        c.due += 1;
        if (filed) c.filed += 1;
        if (filed && d.late) c.filedLate += 1;
        if (d.state === 'MISSED') c.missed += 1;
      }
    }
    const covered = filed || inspected.has(e.enterpriseId);
    for (const c of [(byCounty[e.countyCode] ??= emptyCov()), (byIndustry[e.industry] ??= emptyCov())]) {
      c.required += 1;
      if (covered) c.covered += 1;
    }
    if (e.supervisionLevel === 'CITY') {
      const c = (byDepartment[e.departmentCode] ??= emptyCov());
      c.required += 1;
      if (inspected.has(e.enterpriseId)) c.covered += 1;
    }
  }
  for (const c of [self.total, ...Object.values(self.byCounty), ...Object.values(self.byDepartment), ...Object.values(self.byIndustry)]) c.share = share(c.filed, c.due);
  for (const c of [...Object.values(byCounty), ...Object.values(byDepartment), ...Object.values(byIndustry)]) c.share = share(c.covered, c.required);
  return { selfInspection: self, byCounty, byDepartment, byIndustry };
}
