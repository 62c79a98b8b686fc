// Test data: every test makes its own uniquely named rows; nothing assumes an empty table.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client';
import { insertHazard, type HazardRow } from '../../db/hazards.repo';
import { enterprises, units } from '../../db/schema';
import { creditCodeCheckChar } from '../../domain/enterprise';
import type { Actor } from '../../domain/hazard';
import { buildHazardRow, type HazardReport } from '../../services/hazard-report';

/** A random but valid 统一社会信用代码. */
export function creditCode(): string {
  const body = `91${randomBytes(8).toString('hex').toUpperCase()}`.slice(0, 17).replace(/[IOSVZ]/g, '0');
  return body + creditCodeCheckChar(body)!;
}

export const uniq = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function seedUnits(db: Db) {
  const county = uniq('county');
  const department = uniq('dept');
  await db.insert(units).values([
    { kind: 'COUNTY', code: county, name: `${county} 县`, email: `${county}@county.test` },
    { kind: 'DEPARTMENT', code: department, name: `${department} 局`, email: `${department}@dept.test` },
  ]);
  return { countyCode: county, departmentCode: department };
}

export async function seedEnterprise(db: Db, over: Partial<typeof enterprises.$inferInsert> = {}) {
  const u = over.countyCode && over.departmentCode ? { countyCode: over.countyCode, departmentCode: over.departmentCode } : await seedUnits(db);
  const tag = uniq('ent');
  const [row] = await db
    .insert(enterprises)
    .values({
      name: `${tag} 化工有限公司`,
      creditCode: creditCode(),
      industry: 'HAZARDOUS_CHEMICALS',
      principalName: '张主任',
      principalEmail: `principal@${tag}.test`,
      ...u,
      ...over,
    })
    .returning();
  return row!;
}

export const reportBody = (over: Partial<HazardReport> = {}): HazardReport => ({
  grade: 'GENERAL',
  description: '配电室线路老化',
  location: '二号车间配电室',
  responsible: { name: '李工', email: `responsible-${randomBytes(3).toString('hex')}@example.test` },
  measures: '更换老化线路，加装漏电保护',
  fundsAmount: 12000,
  deadline: '2099-12-31',
  interimControls: '每日巡查，设置警示标志',
  ...over,
});

export const actorFor = (role: Actor['role'], scope: string | null = null): Actor => ({ keyId: uniq('key'), role, scope, name: `${role} tester` });

/** A hazard on the ledger, as the API would insert it, ready for its workflow. */
export async function seedHazard(db: Db, enterprise: typeof enterprises.$inferSelect, report: HazardReport, now: number): Promise<HazardRow> {
  const built = buildHazardRow(report, enterprise, actorFor('enterprise', enterprise.id), now);
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  const outcome = await insertHazard(db, built.row);
  return outcome.hazard;
}
