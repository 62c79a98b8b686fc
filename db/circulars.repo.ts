// The monthly circulars (通报): the figures of a month gathered from the ledger as it stood at an
// instant (the month's end), and the rows that hold drafts and frozen published circulars. Like
// db/scoring.repo.ts, every figure is read from the append-only event tables (duty_events,
// hazard_events), rows written once (supervision findings, extra inspections, a case's opening)
// and the roster frozen at launch, each bounded by the instant: the same month read again gives the
// same figures. Names (units, enterprises) are read as they are now.
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { CircularFigures, CircularStatus } from '../domain/circular';
import { coverageOf } from '../domain/coverage';
import type { Actor } from '../domain/hazard';
import { defaultScoringScheme, rank } from '../domain/scoring';
import type { RosterEntry } from '../domain/spot-check';
import type { CampaignRow } from './campaign-admin.repo';
import type { Db } from './client';
import { campaignCirculars } from './schema';
import { scoringSnapshot } from './scoring.repo';

const rowsOf = async <T>(db: Db, q: SQL): Promise<T[]> => ((await db.execute(q)) as unknown as { rows: T[] }).rows;
const isoOf = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const REPORTING_DUTIES = ['IMPLEMENTATION_PLAN', 'PROGRESS_REPORT', 'SUMMARY'];

/** The figures of `month` ([from, to) in the campaign's zone) read at `asOf`. */
export async function circularFigures(db: Db, c: CampaignRow, month: string, span: { from: number; to: number }, asOf: number): Promise<CircularFigures> {
  const at = new Date(asOf).toISOString();
  const from = new Date(span.from).toISOString();
  const names = new Map(
    (await rowsOf<{ code: string; name: string }>(db, sql`SELECT u.code, u.name FROM units u JOIN campaign_participants p ON p.unit_code = u.code WHERE p.campaign_id = ${c.id}`)).map((r) => [r.code, r.name]),
  );
  const nameOf = (code: string) => names.get(code) ?? code;

  // Rankings: the scoring snapshot at the instant, totals and ranks only.
  const scheme = c.template.scoring ?? defaultScoringScheme();
  const snapshot = await scoringSnapshot(db, c.id, new Date(asOf));
  const ranked = (kind: 'COUNTY' | 'DEPARTMENT') => rank(snapshot, scheme, kind).map((u) => ({ unitCode: u.unitCode, unitName: nameOf(u.unitCode), total: u.total, rank: u.rank }));

  // Hazards: each with its registration, closing, withdrawal and first overdue instant by then.
  const firstAt = (cond: SQL) => sql`(SELECT min(e.at) FROM hazard_events e WHERE e.hazard_id = h.id AND ${cond} AND e.at <= ${at}::timestamptz)`;
  const countyThen = sql`coalesce((SELECT r.data->'from'->>'countyCode' FROM hazard_events r WHERE r.hazard_id = h.id AND r.type = 'REASSIGNED' AND r.at > ${at}::timestamptz ORDER BY r.at, r.id LIMIT 1), h.county_code)`;
  const hz = await rowsOf<{ enterprise_id: string; enterprise_name: string; county_code: string; grade: string; registered: Date | null; closed: Date | null; withdrawn: Date | null; overdue: Date | null }>(
    db,
    sql`SELECT h.enterprise_id, en.name AS enterprise_name, ${countyThen} AS county_code, h.grade,
          ${firstAt(sql`e.type = 'REGISTERED'`)} AS registered, ${firstAt(sql`e.to_state = 'CLOSED'`)} AS closed,
          ${firstAt(sql`e.to_state = 'WITHDRAWN'`)} AS withdrawn, ${firstAt(sql`e.type = 'OVERDUE'`)} AS overdue
        FROM hazards h JOIN enterprises en ON en.id = h.enterprise_id
        WHERE h.campaign_id = ${c.id}`,
  );
  const found = hz.filter((h) => h.registered !== null && h.withdrawn === null);
  const inMonth = (v: Date | null) => v !== null && Date.parse(isoOf(v)) >= span.from;
  const open = found.filter((h) => h.closed === null);
  const overdueMajor = new Map<string, { enterpriseId: string; enterpriseName: string; countyCode: string; countyName: string; overdueMajorHazards: number }>();
  for (const h of open.filter((x) => x.overdue !== null && x.grade === 'MAJOR')) {
    const e = overdueMajor.get(h.enterprise_id) ?? { enterpriseId: h.enterprise_id, enterpriseName: h.enterprise_name, countyCode: h.county_code, countyName: nameOf(h.county_code), overdueMajorHazards: 0 };
    e.overdueMajorHazards += 1;
    overdueMajor.set(h.enterprise_id, e);
  }

  // The units' reporting duties missed in the month: a DUTY_MISSED event whose due instant (as it
  // stood when missed) lies in the month by then. By the due instant, not by when the event was
  // written: a plan due at the last ms of 30 November is recorded missed a few ms into December,
  // and it is November's miss (found by the time-skipping Datong run).
  const dueOf = sql`coalesce((e.data->>'dueAt')::timestamptz, d.due_at)`;
  const missed = await rowsOf<{ holder_code: string; kind: string; label: string; due_at: Date; missed_at: Date }>(
    db,
    sql`SELECT d.holder_code, d.kind, d.label, ${dueOf} AS due_at, e.at AS missed_at
        FROM duty_events e JOIN duties d ON d.obligation_id = e.obligation_id AND d.duty_key = e.duty_key
        WHERE e.campaign_id = ${c.id} AND e.type = 'DUTY_MISSED' AND ${dueOf} >= ${from}::timestamptz AND ${dueOf} <= ${at}::timestamptz
          AND d.kind IN (${sql.join(
            REPORTING_DUTIES.map((k) => sql`${k}`),
            sql`, `,
          )})
        ORDER BY d.holder_code, e.at, d.duty_key`,
  );

  // Notable findings: the supervision teams' findings and the concealment (瞒报) cases of the month.
  const findings = await rowsOf<{ kind: 'SUPERVISION_FINDING' | 'CONCEALMENT_CASE'; at: Date; team: string | null; subject_name: string; description: string; id: string }>(
    db,
    sql`SELECT 'SUPERVISION_FINDING' AS kind, f.found_at AS at, f.team, coalesce(en.name, u.name, f.unit_code, '') AS subject_name, f.description, f.id::text AS id
          FROM supervision_findings f LEFT JOIN enterprises en ON en.id = f.enterprise_id LEFT JOIN units u ON u.code = f.unit_code
          WHERE f.campaign_id = ${c.id} AND f.found_at >= ${from}::timestamptz AND f.found_at <= ${at}::timestamptz
        UNION ALL
        SELECT 'CONCEALMENT_CASE', k.opened_at, NULL, coalesce(k.subject_name, k.subject_ref), '', k.id::text
          FROM cases k WHERE k.campaign_id = ${c.id} AND k.cause_kind = 'CONCEALMENT' AND k.opened_at >= ${from}::timestamptz AND k.opened_at <= ${at}::timestamptz
        ORDER BY at, kind, id`,
  );

  // Coverage at the instant: the frozen roster (the draw's for a campaign launched before) less
  // enterprises deactivated by then; self-inspection duties as they stood; inspections recorded by then.
  const [roster] = await rowsOf<{ entries: RosterEntry[] | null }>(
    db,
    sql`SELECT coalesce((SELECT r.entries FROM campaign_rosters r WHERE r.campaign_id = ${c.id}), (SELECT s.roster FROM spot_check_draws s WHERE s.campaign_id = ${c.id})) AS entries`,
  );
  const gone = new Set(
    (await rowsOf<{ id: string }>(db, sql`SELECT id::text AS id FROM enterprises WHERE deactivated_at IS NOT NULL AND deactivated_at <= ${at}::timestamptz`)).map((r) => r.id),
  );
  const same = sql`e.obligation_id = d.obligation_id AND e.duty_key = d.duty_key AND e.at <= ${at}::timestamptz`;
  const duties = await rowsOf<{ kind: string; enterprise_id: string; filed: string | null; missed: boolean }>(
    db,
    sql`SELECT d.kind, d.subject_enterprise_id::text AS enterprise_id,
          (SELECT e.type FROM duty_events e WHERE ${same} AND e.type IN ('DUTY_SUBMITTED', 'DUTY_SUBMITTED_LATE') ORDER BY e.seq LIMIT 1) AS filed,
          EXISTS (SELECT 1 FROM duty_events e WHERE e.obligation_id = d.obligation_id AND e.duty_key = d.duty_key AND e.type = 'DUTY_MISSED'
                    AND coalesce((e.data->>'dueAt')::timestamptz, d.due_at) <= ${at}::timestamptz) AS missed
        FROM duties d
        WHERE d.campaign_id = ${c.id} AND d.kind IN ('SELF_INSPECTION', 'INSPECTION') AND d.subject_enterprise_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM duty_events e WHERE ${same})`,
  );
  const selfDuties = duties
    .filter((d) => d.kind === 'SELF_INSPECTION')
    .map((d) => ({ enterpriseId: d.enterprise_id, state: d.filed ? 'SUBMITTED' : d.missed ? 'MISSED' : 'PENDING', late: d.filed === 'DUTY_SUBMITTED_LATE' }));
  const extra = await rowsOf<{ id: string }>(db, sql`SELECT DISTINCT enterprise_id::text AS id FROM extra_inspections WHERE campaign_id = ${c.id} AND inspected_at <= ${at}::timestamptz`);
  const inspected = new Set([...duties.filter((d) => d.kind === 'INSPECTION' && d.filed).map((d) => d.enterprise_id), ...extra.map((r) => r.id)]);
  const coverage = coverageOf((roster?.entries ?? []).filter((e) => !gone.has(e.enterpriseId)), selfDuties, inspected);
  const rowsBy = (by: Record<string, { required: number; covered: number }>) =>
    Object.keys(by)
      .sort()
      .map((code) => ({ unitCode: code, unitName: nameOf(code), required: by[code]!.required, covered: by[code]!.covered }));
  const self = coverage.selfInspection.total;

  return {
    campaignId: c.id,
    campaignName: c.name,
    month,
    timeZone: c.template.timeZone,
    from,
    to: new Date(span.to).toISOString(),
    asOf: at,
    counties: ranked('COUNTY'),
    departments: ranked('DEPARTMENT'),
    hazards: {
      foundInMonth: found.filter((h) => inMonth(h.registered)).length,
      closedInMonth: found.filter((h) => inMonth(h.closed)).length,
      openAtEnd: open.length,
      overdueAtEnd: open.filter((h) => h.overdue !== null).length,
    },
    missedDuties: missed.map((d) => ({ unitCode: d.holder_code, unitName: nameOf(d.holder_code), kind: d.kind, label: d.label, dueAt: isoOf(d.due_at), missedAt: isoOf(d.missed_at) })),
    overdueMajorHazards: [...overdueMajor.values()].sort((a, b) => b.overdueMajorHazards - a.overdueMajorHazards || a.enterpriseName.localeCompare(b.enterpriseName, 'en') || a.enterpriseId.localeCompare(b.enterpriseId, 'en')),
    findings: findings.map((x) => ({ kind: x.kind, at: isoOf(x.at), team: x.team, subjectName: x.subject_name, description: x.description })),
    coverage: {
      selfInspection: { due: self.due, filed: self.filed, filedLate: self.filedLate, missed: self.missed },
      byCounty: rowsBy(coverage.byCounty),
      byDepartment: rowsBy(coverage.byDepartment),
    },
  };
}

export type CircularRow = typeof campaignCirculars.$inferSelect;

export async function getCircular(db: Db, campaignId: string, month: string): Promise<CircularRow | undefined> {
  const [row] = await db
    .select()
    .from(campaignCirculars)
    .where(and(eq(campaignCirculars.campaignId, campaignId), eq(campaignCirculars.month, month)));
  return row;
}

export async function listCirculars(db: Db, campaignId: string, status?: CircularStatus): Promise<CircularRow[]> {
  return db
    .select()
    .from(campaignCirculars)
    .where(and(eq(campaignCirculars.campaignId, campaignId), status ? eq(campaignCirculars.status, status) : undefined))
    .orderBy(asc(campaignCirculars.month));
}

export interface CircularContent {
  asOf: Date;
  figures: CircularFigures;
  markdown: string;
  html: string;
  contentSha256: string;
}

/**
 * The month's draft: inserted, or the draft there replaced when its content differs (only the
 * current month's can: a past month's figures come out the same). A published one is never
 * touched: null.
 */
export async function saveDraft(db: Db, v: { campaignId: string; month: string; generatedBy: Actor } & CircularContent): Promise<{ row: CircularRow; created: boolean } | null> {
  const values = { ...v, figures: v.figures as unknown as Record<string, unknown> };
  const [inserted] = await db.insert(campaignCirculars).values(values).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, created: true };
  const [replaced] = await db
    .update(campaignCirculars)
    .set({ asOf: v.asOf, figures: values.figures, markdown: v.markdown, html: v.html, contentSha256: v.contentSha256, generatedBy: v.generatedBy, generatedAt: new Date() })
    .where(and(eq(campaignCirculars.campaignId, v.campaignId), eq(campaignCirculars.month, v.month), eq(campaignCirculars.status, 'DRAFT'), sql`${campaignCirculars.contentSha256} <> ${v.contentSha256}`))
    .returning();
  if (replaced) return { row: replaced, created: false };
  const row = await getCircular(db, v.campaignId, v.month);
  return row && row.status === 'DRAFT' ? { row, created: false } : null;
}

/** DRAFT → PUBLISHED, once: the row as published, or null when there was no draft to publish. */
export async function publishDraft(db: Db, campaignId: string, month: string, by: Actor): Promise<CircularRow | null> {
  const [row] = await db
    .update(campaignCirculars)
    .set({ status: 'PUBLISHED', publishedBy: by, publishedAt: new Date() })
    .where(and(eq(campaignCirculars.campaignId, campaignId), eq(campaignCirculars.month, month), eq(campaignCirculars.status, 'DRAFT')))
    .returning();
  return row ?? null;
}

/**
 * Published circulars (before `before`) whose mailing never began: no outbox row under any of the
 * campaign's units' keys (`circular:<campaign>:<month>:<unit>`, domain/delivery.ts). Each check is
 * a handful of unique-index look-ups, whatever the size of the outbox.
 */
export async function findUnmailedCirculars(db: Db, before: Date, limit: number): Promise<{ campaignId: string; month: string }[]> {
  return rowsOf<{ campaignId: string; month: string }>(
    db,
    sql`SELECT c.campaign_id::text AS "campaignId", c.month
          FROM campaign_circulars c
         WHERE c.status = 'PUBLISHED' AND c.published_at < ${before.toISOString()}::timestamptz
           AND NOT EXISTS (
             SELECT 1 FROM notifications n
              WHERE n.business_key IN (SELECT 'circular:' || c.campaign_id || ':' || c.month || ':' || p.unit_code FROM campaign_participants p WHERE p.campaign_id = c.campaign_id))
         ORDER BY c.published_at, c.campaign_id, c.month
         LIMIT ${limit}`,
  );
}
