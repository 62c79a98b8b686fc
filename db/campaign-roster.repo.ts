// The roster a campaign's spot-check draw runs over: read from the enterprises in scope, frozen at
// launch with its SHA-256 (on the campaign row and in the append-only audit log), read back for the
// draw and its verification.
import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { rosterHashInput, rosterInScope } from '../domain/roster';
import type { RosterEntry } from '../domain/spot-check';
import type { Actor } from '../domain/hazard';
import { recordAudit } from './audit.repo';
import type { Db } from './client';
import { auditLog, campaignRosters, campaigns, enterprises } from './schema';

/** The audit entry that records a frozen roster's hash (subject: the roster, id: the campaign). */
export const ROSTER_FROZEN_ACTION = 'roster.frozen';

/** SHA-256 (hex) of a roster's canonical JSON as stored. */
export const rosterSha256 = (entries: unknown): string => createHash('sha256').update(rosterHashInput(entries)).digest('hex');

/**
 * The roster in scope now (domain/roster.ts rosterInScope): what a campaign launched now freezes,
 * and what a campaign launched before rosters were frozen draws over when its spot-check phase opens.
 */
export async function inScopeRoster(db: Db, scope: { counties: string[]; industries: string[] }): Promise<RosterEntry[]> {
  if (scope.counties.length === 0 || scope.industries.length === 0) return [];
  const rows = await db
    .select({ id: enterprises.id, industry: enterprises.industry, countyCode: enterprises.countyCode, departmentCode: enterprises.departmentCode, supervisionLevel: enterprises.supervisionLevel, deactivatedAt: enterprises.deactivatedAt })
    .from(enterprises)
    .where(and(inArray(enterprises.countyCode, scope.counties), inArray(enterprises.industry, scope.industries), isNull(enterprises.deactivatedAt)));
  return rosterInScope(rows, scope);
}

/**
 * Freezes the in-scope roster of a campaign just inserted (call it in the launch's transaction):
 * the snapshot row, its hash on the campaign row and an audit entry that can never be changed.
 */
export async function freezeRoster(tx: Db, c: { id: string; industries: string[]; counties: string[]; actor: Actor }): Promise<{ sha256: string; size: number }> {
  const entries = await inScopeRoster(tx, { counties: c.counties, industries: c.industries });
  const sha256 = rosterSha256(entries);
  await tx.insert(campaignRosters).values({ campaignId: c.id, entries, size: entries.length });
  await tx.update(campaigns).set({ rosterSha256: sha256 }).where(eq(campaigns.id, c.id));
  await recordAudit(tx, { actor: c.actor, action: ROSTER_FROZEN_ACTION, subjectKind: 'roster', subjectId: c.id, data: { campaignId: c.id, sha256, size: entries.length } });
  return { sha256, size: entries.length };
}

export async function getFrozenRoster(db: Db, campaignId: string) {
  const [row] = await db.select().from(campaignRosters).where(eq(campaignRosters.campaignId, campaignId));
  return row;
}

/** The roster hash the audit log recorded when the campaign was launched; null when none was. */
export async function auditedRosterSha256(db: Db, campaignId: string): Promise<string | null> {
  const [row] = await db
    .select({ data: auditLog.data })
    .from(auditLog)
    .where(and(eq(auditLog.action, ROSTER_FROZEN_ACTION), eq(auditLog.subjectKind, 'roster'), eq(auditLog.subjectId, campaignId)))
    .orderBy(asc(auditLog.createdAt))
    .limit(1);
  const sha = row?.data.sha256;
  return typeof sha === 'string' ? sha : null;
}
