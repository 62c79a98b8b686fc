// The ledger as it stood at an instant, for scoring (domain/scoring.ts). Everything is read from
// what cannot change afterwards: the append-only event tables (duty_events, hazard_events,
// case_events) with their `at`, the roster frozen at launch, the participants; a current row is
// read only for what its events do not carry and never changes (a duty's kind and holder, a
// hazard's source, a case's subject), or is corrected back by a later event (a duty's due instant
// by DUTY_RESCHEDULED's previousDueAt, a hazard's scope by REASSIGNED's `from`). So a ranking
// asked for a past instant is the same before and after later events.
import { sql, type SQL } from 'drizzle-orm';
import type { ScoringSnapshot, SnapshotDuty, SnapshotHazard, UnitKind } from '../domain/scoring';
import type { HazardSource } from '../domain/hazard';
import type { Db } from './client';
import { participantsOf } from './campaign-admin.repo';

const SCORED_DUTY_KINDS = ['IMPLEMENTATION_PLAN', 'PROGRESS_REPORT', 'SUMMARY', 'INSPECTION'];

const rowsOf = async <T>(db: Db, q: SQL): Promise<T[]> => ((await db.execute(q)) as unknown as { rows: T[] }).rows;
const ms = (v: Date | string): number => (v instanceof Date ? v.getTime() : Date.parse(v));

/**
 * The units' duties assigned by `at` (a first event by then), each with its due instant as it stood
 * at `at` (the newest DUTY_RESCHEDULED by then, else the first one's previousDueAt, else the row's)
 * and whether it was filed by then, on time (DUTY_SUBMITTED) or late (DUTY_SUBMITTED_LATE).
 */
async function dutiesAt(db: Db, campaignId: string, at: string): Promise<SnapshotDuty[]> {
  const same = sql`e.obligation_id = d.obligation_id AND e.duty_key = d.duty_key`;
  const rows = await rowsOf<{ holder_code: string; kind: string; due_at: Date | string; filed: string | null }>(
    db,
    sql`SELECT d.holder_code, d.kind,
          coalesce(
            (SELECT (e.data->>'dueAt')::timestamptz FROM duty_events e WHERE ${same} AND e.type = 'DUTY_RESCHEDULED' AND e.at <= ${at}::timestamptz ORDER BY e.seq DESC LIMIT 1),
            (SELECT (e.data->>'previousDueAt')::timestamptz FROM duty_events e WHERE ${same} AND e.type = 'DUTY_RESCHEDULED' AND e.at > ${at}::timestamptz ORDER BY e.seq ASC LIMIT 1),
            d.due_at) AS due_at,
          (SELECT e.type FROM duty_events e WHERE ${same} AND e.type IN ('DUTY_SUBMITTED', 'DUTY_SUBMITTED_LATE') AND e.at <= ${at}::timestamptz ORDER BY e.seq LIMIT 1) AS filed
        FROM duties d
        WHERE d.campaign_id = ${campaignId} AND d.kind IN (${sql.join(
          SCORED_DUTY_KINDS.map((k) => sql`${k}`),
          sql`, `,
        )})
          AND EXISTS (SELECT 1 FROM duty_events e WHERE ${same} AND e.at <= ${at}::timestamptz)`,
  );
  return rows.map((r) => ({ holderCode: r.holder_code, kind: r.kind, dueAt: ms(r.due_at), filed: r.filed === 'DUTY_SUBMITTED' ? 'ON_TIME' : r.filed === 'DUTY_SUBMITTED_LATE' ? 'LATE' : null }));
}

/**
 * Hazards of the campaign registered by `at` and not withdrawn by then (a withdrawn report was no
 * hazard), in the scope they had at `at` (the `from` of the first REASSIGNED after it, else the
 * row's), closed by then, overdue at some point by then.
 */
async function hazardsAt(db: Db, campaignId: string, at: string): Promise<SnapshotHazard[]> {
  const byThen = (cond: SQL) => sql`EXISTS (SELECT 1 FROM hazard_events e WHERE e.hazard_id = h.id AND ${cond} AND e.at <= ${at}::timestamptz)`;
  const scopeThen = (field: 'countyCode' | 'departmentCode') =>
    sql`(SELECT r.data->'from'->>${field} FROM hazard_events r WHERE r.hazard_id = h.id AND r.type = 'REASSIGNED' AND r.at > ${at}::timestamptz ORDER BY r.at, r.id LIMIT 1)`;
  const rows = await rowsOf<{ county_code: string; department_code: string; source: HazardSource; closed: boolean; overdue: boolean }>(
    db,
    sql`SELECT coalesce(${scopeThen('countyCode')}, h.county_code) AS county_code,
          coalesce(${scopeThen('departmentCode')}, h.department_code) AS department_code,
          h.source, ${byThen(sql`e.to_state = 'CLOSED'`)} AS closed, ${byThen(sql`e.type = 'OVERDUE'`)} AS overdue
        FROM hazards h
        WHERE h.campaign_id = ${campaignId} AND ${byThen(sql`e.type = 'REGISTERED'`)} AND NOT ${byThen(sql`e.to_state = 'WITHDRAWN'`)}`,
  );
  return rows.map((r) => ({ countyCode: r.county_code, departmentCode: r.department_code, source: r.source, closed: r.closed, overdue: r.overdue }));
}

/** The subject unit of each case of the campaign about a unit, opened by `at` and not resolved by then (its newest event by then). */
async function openCasesAt(db: Db, campaignId: string, at: string): Promise<string[]> {
  const rows = await rowsOf<{ subject_ref: string }>(
    db,
    sql`SELECT c.subject_ref FROM cases c
        WHERE c.campaign_id = ${campaignId} AND c.subject_kind = 'UNIT' AND c.opened_at <= ${at}::timestamptz
          AND coalesce((SELECT e.status::text FROM case_events e WHERE e.case_id = c.id AND e.at <= ${at}::timestamptz ORDER BY e.seq DESC LIMIT 1), 'OPEN') <> 'RESOLVED'`,
  );
  return rows.map((r) => r.subject_ref);
}

/**
 * The self-inspection coverage's one source: the enterprises on the roster frozen at launch (their
 * county as frozen), each filed by `at` or not.
 * - A campaign with self-inspection duties: the enterprises whose SELF_INSPECTION duty was assigned
 *   by `at` (a first duty event by then), filed if that duty has a DUTY_SUBMITTED or
 *   DUTY_SUBMITTED_LATE event by then. Duty events are append-only and a declaration made again
 *   leaves the filed duty as it was, so a past coverage stays put. An enterprise without a duty by
 *   then (the phase not open yet, deactivated since launch) is not counted: it owed nothing.
 * - A campaign launched before those duties (none on the ledger): the declarations
 *   (self_inspections.declared_at), whose one limit is that a declaration made again moves it.
 */
async function selfInspectionsAt(db: Db, campaignId: string, at: string): Promise<ScoringSnapshot['selfInspections']> {
  const roster = sql`campaign_rosters r CROSS JOIN LATERAL jsonb_array_elements(r.entries) AS x(entry)`;
  const [withDuties] = await rowsOf<{ any: boolean }>(db, sql`SELECT EXISTS (SELECT 1 FROM duties d WHERE d.campaign_id = ${campaignId} AND d.kind = 'SELF_INSPECTION') AS any`);
  if (withDuties?.any) {
    const same = sql`e.obligation_id = d.obligation_id AND e.duty_key = d.duty_key`;
    return rowsOf<{ countyCode: string; declared: boolean }>(
      db,
      sql`SELECT x.entry->>'countyCode' AS "countyCode",
            EXISTS (SELECT 1 FROM duty_events e WHERE ${same} AND e.type IN ('DUTY_SUBMITTED', 'DUTY_SUBMITTED_LATE') AND e.at <= ${at}::timestamptz) AS declared
          FROM ${roster}
          JOIN duties d ON d.campaign_id = r.campaign_id AND d.kind = 'SELF_INSPECTION' AND d.subject_enterprise_id::text = x.entry->>'enterpriseId'
          WHERE r.campaign_id = ${campaignId} AND EXISTS (SELECT 1 FROM duty_events e WHERE ${same} AND e.at <= ${at}::timestamptz)`,
    );
  }
  return rowsOf<{ countyCode: string; declared: boolean }>(
    db,
    sql`SELECT x.entry->>'countyCode' AS "countyCode",
          EXISTS (SELECT 1 FROM self_inspections s WHERE s.campaign_id = r.campaign_id AND s.enterprise_id::text = x.entry->>'enterpriseId' AND s.declared_at <= ${at}::timestamptz) AS declared
        FROM ${roster}
        WHERE r.campaign_id = ${campaignId}`,
  );
}

/** The campaign's ledger as it stood at `at`: what rank() scores. */
export async function scoringSnapshot(db: Db, campaignId: string, at: Date): Promise<ScoringSnapshot> {
  const iso = at.toISOString();
  const [participants, duties, hazards, openCases, selfInspections] = await Promise.all([
    participantsOf(db, campaignId),
    dutiesAt(db, campaignId, iso),
    hazardsAt(db, campaignId, iso),
    openCasesAt(db, campaignId, iso),
    selfInspectionsAt(db, campaignId, iso),
  ]);
  return { at: at.getTime(), units: participants.map((p) => ({ code: p.unitCode, kind: p.kind as UnitKind })), duties, hazards, openCases, selfInspections };
}
