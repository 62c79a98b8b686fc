// A campaign template is the plan as data: phases, scope, work items, reporting duties, the
// spot-check rule. Everything below is a pure function of the template (and, for schedules, of
// the instant a schedule is armed), so campaign and unit workflows can compute it in the sandbox.
import type { CaseLadderOverride } from './accountability';
import { approxDays, calendarPart, isCalendarOnly, parseDuration, type Duration } from './duration';
import type { HazardGrade } from './hazard';
import type { Industry } from './industries';
import { shiftInstant, type HazardPolicyOverride } from './policy';
import type { RiskMapRule } from './risk-map';
import type { ScoringScheme } from './scoring';
import type { SpotCheckPopulation, SpotCheckStratumBy } from './spot-check';
import {
  addToLocalDate,
  daysInMonth,
  endOfLocalDay,
  instantOfLocal,
  isValidLocalTime,
  localDateOf,
  parseLocalDate,
} from './time';

export { datong2023Template, demoTemplate } from './fixtures/datong-2023';

export const PHASE_KEYS = ['MOBILIZATION', 'SELF_INSPECTION', 'SPOT_CHECK', 'SUMMARY', 'SUPERVISION'] as const;
export type PhaseKey = (typeof PHASE_KEYS)[number];

/** A campaign on the ledger: LAUNCHED until its workflow's first step, RUNNING, COMPLETED after the summary phase (wire values). */
export const CAMPAIGN_STATUSES = ['LAUNCHED', 'RUNNING', 'COMPLETED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface CampaignPhase {
  key: PhaseKey;
  nameZh: string;
  nameEn: string;
  /** 'YYYY-MM-DD' = start of that local day, or a local 'YYYY-MM-DDTHH:mm[:ss]' exactly. */
  start: string;
  /** 'YYYY-MM-DD' = end of that local day (its last ms), or a local 'YYYY-MM-DDTHH:mm[:ss]' exactly. */
  end: string;
}

export interface WorkItem {
  no: number;
  textZh: string;
  /**
   * The enterprises that self-inspect against this item (their checklist, 自查清单): every one
   * (ALL) or those of these industries. Absent: an item of the regulators', not of enterprises.
   */
  selfInspection?: 'ALL' | Industry[];
  /**
   * Who leads the item (牵头单位), whose monthly progress reports state it (domain/work-items.ts):
   * every unit of these kinds, the departments supervising enterprises of these industries on the
   * campaign's roster (谁主管谁牵头), and these units by code. Absent: no unit reports on it.
   */
  leads?: WorkItemLeads;
}

export interface WorkItemLeads {
  kinds?: ('COUNTY' | 'DEPARTMENT')[];
  industries?: Industry[];
  units?: string[];
}

export interface WorkLine {
  line: 1 | 2 | 3 | 4;
  nameZh: string;
  nameEn: string;
  items: WorkItem[];
}

/**
 * How the plan's "X日前" (before day X) reads: INCLUSIVE, by the end of day X (the plan's meaning:
 * 每月27日前 = the 27th included); EXCLUSIVE, by the end of day X - 1.
 */
export const BEFORE_DAY_READINGS = ['INCLUSIVE', 'EXCLUSIVE'] as const;
export type BeforeDayReading = (typeof BEFORE_DAY_READINGS)[number];

export type ProgressReportRule =
  /**
   * Monthly "每月`day`日前": due by the end of local day `day` (INCLUSIVE: 27 = the 27th
   * included) or `day - 1` (EXCLUSIVE), clamped to the month's last day (每月30日前 in February
   * is due by the end of the 28th, or the 29th in a leap year). The wire name stays.
   */
  | { rule: 'MONTHLY_BEFORE_DAY'; day: number; from: PhaseKey; to: PhaseKey }
  /** Every `every` (ISO duration) from the window's start, each due at its step's end. */
  | { rule: 'EVERY'; every: string; from: PhaseKey; to: PhaseKey };

export interface ReportingRules {
  /** Day X of "X日前" as a date (read by `beforeDay`), or an exact local date-time. */
  implementationPlan: { due: string; phase: 'MOBILIZATION' };
  progressReport: ProgressReportRule;
  /** Day X of "X日前" as a date (read by `beforeDay`), or an exact local date-time. */
  summary: { due: string };
  /** ISO durations before each duty's due instant; calendar-only ones go out at 09:00 local. */
  reminderOffsets: string[];
  /**
   * How "X日前" reads, the same for the plan's date, the monthly day and the summary's date.
   * validateTemplate fills in INCLUSIVE. Absent only in templates stored, and campaigns
   * launched, before the reading was a parameter: they keep the instants they were launched
   * with (the monthly day excluded, the plan's and the summary's dates included).
   */
  beforeDay?: BeforeDayReading;
}

export interface SpotCheckRule {
  minRatio: number;
  strata: SpotCheckStratumBy[];
  population: SpotCheckPopulation;
  /**
   * Read and checked but not used by campaigns launched now: a drawn enterprise is due for
   * inspection when the spot-check phase closes (inspectionDuty). Campaigns launched before
   * that rule keep it: their inspections are due this ISO duration after the draw.
   */
  inspectionDue?: string;
  reminderOffsets: string[];
}

export interface CampaignTemplate {
  key: string;
  version: number;
  name: string;
  issuingBody: string;
  documentNumber: string;
  /** YYYY-MM-DD */
  publishedOn: string;
  /** IANA zone; validateTemplate fills in 'Asia/Shanghai' when it is absent. */
  timeZone: string;
  phases: CampaignPhase[];
  industries: Industry[];
  workLines: WorkLine[];
  reporting: ReportingRules;
  spotCheck: SpotCheckRule;
  hazardPolicies?: Partial<Record<HazardGrade, HazardPolicyOverride>>;
  /** The accountability ladder of cases opened in this campaign, over the default (review times, reminders, skipping). */
  caseLadder?: CaseLadderOverride;
  /** Scoring and ranking (打分排队) of the participating counties and departments (domain/scoring.ts). */
  scoring?: ScoringScheme;
  /** The four-colour risk map's rule (四色图, domain/risk-map.ts); absent: the default rule. */
  riskMap?: RiskMapRule;
}

export interface PhaseWindow {
  opensAt: number;
  closesAt: number;
}

/**
 * unitDuties gives the first three; INSPECTION is a department's inspection of a drawn enterprise
 * (inspectionDuty); SELF_INSPECTION an enterprise's filing of its self-inspection (selfInspectionDuty).
 */
export type DutyKind = 'IMPLEMENTATION_PLAN' | 'PROGRESS_REPORT' | 'SUMMARY' | 'INSPECTION' | 'SELF_INSPECTION';

export interface Duty {
  /** Stable: 'plan', 'progress:2023-12' (MONTHLY_BEFORE_DAY), 'progress:3' (EVERY, 1-based), 'summary'. */
  key: string;
  kind: DutyKind;
  /** Last instant at which a submission is on time (inclusive). */
  dueAt: number;
  /** First instant at which a submission counts for this duty. */
  opensAt: number;
  label: string;
}

export interface DutyEvent {
  /** `<duty key>:reminder:<offset>` or `<duty key>:due`: unique across all duties of one unit. */
  key: string;
  kind: 'REMINDER' | 'DUE';
  at: number;
}

/** A template producing more progress reports than this is refused: a unit workflow must stay small. */
export const MAX_PROGRESS_REPORTS = 1000;
/** Local time at which calendar-day reminders (P3D, P1D) are sent, as for hazards. */
export const DUTY_REMINDER_SEND_TIME = '09:00';

export const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATETIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)$/;
const KIND_ORDER: Record<DutyKind, number> = { IMPLEMENTATION_PLAN: 0, PROGRESS_REPORT: 1, SELF_INSPECTION: 2, INSPECTION: 2, SUMMARY: 3 };

export type Edge = 'start' | 'end';

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Reads a template instant. A date alone is the start of that local day (edge 'start') or its
 * last millisecond (edge 'end'); a local date-time is exact. Offsets are refused on purpose: the
 * template's time zone governs every instant in it. Null when unreadable.
 */
export function templateInstant(text: string, timeZone: string, edge: Edge): number | null {
  try {
    if (DATE_ONLY_RE.test(text)) {
      if (!parseLocalDate(text)) return null;
      return edge === 'start' ? instantOfLocal(text, '00:00', timeZone) : endOfLocalDay(text, timeZone);
    }
    const m = LOCAL_DATETIME_RE.exec(text);
    if (m && parseLocalDate(m[1]!) && isValidLocalTime(m[2]!)) return instantOfLocal(m[1]!, m[2]!, timeZone);
  } catch {
    // Beyond year 9999 or an unknown zone: not an instant either.
  }
  return null;
}

function mustInstant(text: string, timeZone: string, edge: Edge): number {
  const at = templateInstant(text, timeZone, edge);
  if (at === null) throw new RangeError(`invalid template instant '${text}' (validate the template first)`);
  return at;
}

/** The readings of "X日前" a template's duties get: its `beforeDay`, or when absent the one it was stored under. */
function beforeDayReadings(r: ReportingRules): { dates: BeforeDayReading; monthly: BeforeDayReading } {
  return r.beforeDay ? { dates: r.beforeDay, monthly: r.beforeDay } : { dates: 'INCLUSIVE', monthly: 'EXCLUSIVE' };
}

/**
 * The due instant of a reporting date "X日前": a date X is the end of local day X (INCLUSIVE)
 * or of day X - 1 (EXCLUSIVE); a local date-time is exact whatever the reading. Null when unreadable.
 */
export function reportingDueInstant(text: string, timeZone: string, reading: BeforeDayReading): number | null {
  if (reading === 'EXCLUSIVE' && DATE_ONLY_RE.test(text)) {
    if (!parseLocalDate(text)) return null;
    try {
      return templateInstant(addToLocalDate(text, { days: -1 }), timeZone, 'end');
    } catch {
      return null;
    }
  }
  return templateInstant(text, timeZone, 'end');
}

/** The smallest and largest `day` of a MONTHLY_BEFORE_DAY rule under a reading (EXCLUSIVE day 1 would fall in the month before). */
export function monthlyDayBounds(reading: BeforeDayReading): { min: number; max: number } {
  return { min: reading === 'INCLUSIVE' ? 1 : 2, max: 31 };
}

/** The local date a monthly "每月day日前" report of month `ym` (YYYY-MM) is due on, clamped to the month's last day. */
export function monthlyDueDate(ym: string, day: number, reading: BeforeDayReading): string {
  const last = daysInMonth(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)));
  return `${ym}-${pad2(Math.min(reading === 'INCLUSIVE' ? day : day - 1, last))}`;
}

/** Absolute window of each phase: opensAt its first ms, closesAt its last ms (both inclusive). */
export function phaseWindows(t: CampaignTemplate): Record<PhaseKey, PhaseWindow> {
  const out: Partial<Record<PhaseKey, PhaseWindow>> = {};
  for (const p of t.phases) {
    out[p.key] = { opensAt: mustInstant(p.start, t.timeZone, 'start'), closesAt: mustInstant(p.end, t.timeZone, 'end') };
  }
  for (const k of PHASE_KEYS) if (!out[k]) throw new RangeError(`template has no ${k} phase (validate the template first)`);
  return out as Record<PhaseKey, PhaseWindow>;
}

/** From the earliest phase opening to the latest phase closing. */
export function campaignWindow(t: CampaignTemplate): PhaseWindow {
  const ws = Object.values(phaseWindows(t));
  return { opensAt: Math.min(...ws.map((w) => w.opensAt)), closesAt: Math.max(...ws.map((w) => w.closesAt)) };
}

function scaleDuration(d: Duration, k: number): Duration {
  return {
    years: d.years * k,
    months: d.months * k,
    weeks: d.weeks * k,
    days: d.days * k,
    hours: d.hours * k,
    minutes: d.minutes * k,
    seconds: d.seconds * k,
  };
}

/**
 * Progress reports in the window [from-phase opensAt, to-phase closesAt], at most `limit + 1`
 * (so a caller can tell that a rule asks for too many). Reports tile the window: each opens 1 ms
 * after the previous one's due instant (the first at the window's start).
 */
export function progressReports(t: CampaignTemplate, windows: Record<PhaseKey, PhaseWindow>, limit: number): Duty[] {
  const rule = t.reporting.progressReport;
  const tz = t.timeZone;
  const open = windows[rule.from].opensAt;
  const close = windows[rule.to].closesAt;
  const out: Duty[] = [];
  const opensAt = () => (out.length === 0 ? open : out[out.length - 1]!.dueAt + 1);
  if (rule.rule === 'MONTHLY_BEFORE_DAY') {
    const reading = beforeDayReadings(t.reporting).monthly;
    const bounds = monthlyDayBounds(reading);
    if (!Number.isInteger(rule.day) || rule.day < bounds.min || rule.day > bounds.max) throw new RangeError(`invalid progress report day ${rule.day}`);
    const last = `${localDateOf(close, tz).slice(0, 7)}-01`;
    for (let month = `${localDateOf(open, tz).slice(0, 7)}-01`; month <= last && out.length <= limit; month = addToLocalDate(month, { months: 1 })) {
      const ym = month.slice(0, 7);
      const dueAt = endOfLocalDay(monthlyDueDate(ym, rule.day, reading), tz);
      if (dueAt < open || dueAt > close) continue;
      out.push({ key: `progress:${ym}`, kind: 'PROGRESS_REPORT', dueAt, opensAt: opensAt(), label: `Progress report ${ym} 工作进展情况` });
    }
    return out;
  }
  const step = parseDuration(rule.every);
  if (!step || !(approxDays(step) > 0)) throw new RangeError(`invalid progress report step '${rule.every}'`);
  // Each due instant is the window's start shifted by k steps (not the previous due shifted by
  // one), so month-end clamping does not drift: 01-31 + P1M×2 is 03-31, not 03-29.
  for (let k = 1; out.length <= limit; k++) {
    const dueAt = shiftInstant(open, scaleDuration(step, k), 1, tz);
    if (dueAt > close) break;
    out.push({ key: `progress:${k}`, kind: 'PROGRESS_REPORT', dueAt, opensAt: opensAt(), label: `Progress report ${k} 第${k}次工作进展情况` });
  }
  return out;
}

/**
 * Reporting duties of every county and department (报送), sorted by due instant. The plan writes
 * all three as "X日前" and `reporting.beforeDay` reads them alike; INCLUSIVE (the plan's meaning):
 * - `plan`: the implementation plan (实施方案), "11月30日前": due at the end of 2023-11-30 local,
 *   2023-11-30T23:59:59.999+08:00 = 2023-11-30T15:59:59.999Z; open from the mobilization phase's start;
 * - progress reports (工作进展情况) in the window [from-phase opens, to-phase closes]:
 *   MONTHLY_BEFORE_DAY: "每月27日前" (day 27) means by the END of the 27th, local: a report is
 *   due at the last millisecond of local day `day` of each month (clamped to the month's last
 *   day), e.g. December 2023 at 2023-12-27T23:59:59.999+08:00 = 2023-12-27T15:59:59.999Z; a
 *   submission at 00:00 on the 28th is late. Only months whose due instant falls inside the
 *   window get a report (key `progress:YYYY-MM`, the month of the due date), so a window opening
 *   after the 27th skips that month and one closing before the 27th ends skips the last;
 *   EVERY: due at window start + k × every (k = 1, 2, ...) while inside the window (`progress:k`);
 *   each report opens 1 ms after the previous report's due instant (the first at the window start);
 * - `summary`: the campaign summary (工作总结), "3月5日前": due at the end of 2024-03-05 local;
 *   open from the summary phase's start.
 * EXCLUSIVE moves each date-only due to the end of the day before; without `beforeDay` (a
 * template stored before it existed) the monthly day is excluded and the two dates included.
 * A submission at t is on time for a duty when opensAt ≤ t ≤ dueAt.
 */
export function unitDuties(t: CampaignTemplate): Duty[] {
  const windows = phaseWindows(t);
  const progress = progressReports(t, windows, MAX_PROGRESS_REPORTS);
  if (progress.length > MAX_PROGRESS_REPORTS) throw new RangeError(`more than ${MAX_PROGRESS_REPORTS} progress reports (validate the template first)`);
  const { dates } = beforeDayReadings(t.reporting);
  const due = (text: string): number => {
    const at = reportingDueInstant(text, t.timeZone, dates);
    if (at === null) throw new RangeError(`invalid due date '${text}' (validate the template first)`);
    return at;
  };
  const duties: Duty[] = [
    {
      key: 'plan',
      kind: 'IMPLEMENTATION_PLAN',
      dueAt: due(t.reporting.implementationPlan.due),
      opensAt: windows.MOBILIZATION.opensAt,
      label: 'Implementation plan 实施方案',
    },
    ...progress,
    {
      key: 'summary',
      kind: 'SUMMARY',
      dueAt: due(t.reporting.summary.due),
      opensAt: windows.SUMMARY.opensAt,
      label: 'Campaign summary 专项行动工作总结',
    },
  ];
  return duties.sort((a, b) => a.dueAt - b.dueAt || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/**
 * The inspection of one drawn enterprise (key `inspection:<enterpriseId>`), open from the draw and
 * due when the spot-check phase closes (检查抽查阶段 "2023年12月1日-2024年2月底": in Datong the end
 * of 2024-02-29 local, 2024-02-29T15:59:59.999Z). `spotCheckClosesAt` is that close as the campaign holds
 * it: the template's, or where the office moved it; a move gives every open inspection the new
 * close. The draw happens when the phase opens, so the close is after it.
 */
export function inspectionDuty(enterpriseId: string, drawnAt: number, spotCheckClosesAt: number): Duty {
  return { key: `inspection:${enterpriseId}`, kind: 'INSPECTION', dueAt: spotCheckClosesAt, opensAt: drawnAt, label: `Spot-check inspection 检查抽查 ${enterpriseId}` };
}

/** The key of an enterprise's self-inspection duty: the activities read the enterprise back from it. */
export const selfInspectionDutyKey = (enterpriseId: string): string => `self-inspection:${enterpriseId}`;

/**
 * An enterprise's self-inspection (企业自查): its hazard list (清单) and ledger (台账) filed with its
 * supervising department (备案), open when the self-inspection phase opens and due when it closes
 * (`selfInspectionClosesAt`: the close as the campaign holds it, moved by the office or not).
 */
export function selfInspectionDuty(enterpriseId: string, enterpriseName: string, opensAt: number, selfInspectionClosesAt: number): Duty {
  return { key: selfInspectionDutyKey(enterpriseId), kind: 'SELF_INSPECTION', dueAt: selfInspectionClosesAt, opensAt, label: `企业自查清单与台账备案 ${enterpriseName}` };
}

/**
 * The inspection duty of a campaign launched before inspectionDuty's rule (kept so that it keeps
 * its instants): due `spotCheck.inspectionDue` after the draw, a calendar-only duration (P30D)
 * at the END of the local day it lands on, one with a time part (PT15S) exactly; capped at the
 * template's spot-check close when that is still after the draw. Without `inspectionDue`: at
 * that close.
 */
export function inspectionDutyAfterDraw(enterpriseId: string, drawnAt: number, t: CampaignTemplate): Duty {
  const phaseClose = phaseWindows(t).SPOT_CHECK.closesAt;
  const duty = inspectionDuty(enterpriseId, drawnAt, phaseClose);
  if (t.spotCheck.inspectionDue === undefined) return duty;
  const d = parseDuration(t.spotCheck.inspectionDue);
  if (!d) throw new RangeError(`invalid inspection step '${t.spotCheck.inspectionDue}' (validate the template first)`);
  const natural = isCalendarOnly(d)
    ? endOfLocalDay(addToLocalDate(localDateOf(drawnAt, t.timeZone), calendarPart(d, 1)), t.timeZone)
    : shiftInstant(drawnAt, d, 1, t.timeZone);
  return { ...duty, dueAt: phaseClose > drawnAt ? Math.min(natural, phaseClose) : natural };
}

/**
 * Timer events of one duty: a reminder per offset before its due instant, then DUE at dueAt.
 * Calendar-only offsets (P3D) land at 09:00 local on the day they name; offsets with a time part
 * (PT3S, P1DT2H) are exact. A reminder at or after dueAt, before armedAt (never sent late in a
 * burst) or at an instant another offset already took is dropped. Sorted by instant.
 */
export function dutySchedule(duty: Duty, reminderOffsets: string[], armedAt: number, timeZone: string): DutyEvent[] {
  const events: DutyEvent[] = [];
  const taken = new Set<number>();
  for (const offset of reminderOffsets) {
    const d = parseDuration(offset);
    if (!d) throw new RangeError(`invalid reminder offset ${offset}`);
    const at = isCalendarOnly(d)
      ? instantOfLocal(addToLocalDate(localDateOf(duty.dueAt, timeZone), calendarPart(d, -1)), DUTY_REMINDER_SEND_TIME, timeZone)
      : shiftInstant(duty.dueAt, d, -1, timeZone);
    if (at >= duty.dueAt || at < armedAt || taken.has(at)) continue;
    taken.add(at);
    events.push({ key: `${duty.key}:reminder:${offset}`, kind: 'REMINDER', at });
  }
  events.push({ key: `${duty.key}:due`, kind: 'DUE', at: duty.dueAt });
  return events.sort((a, b) => a.at - b.at);
}

/** Mail about duties (wire values on the outbox: never rename). */
export const DUTY_NOTIFICATION_KINDS = ['DUTIES_ASSIGNED', 'DUTY_REMINDER', 'DUTY_MISSED'] as const;
export type DutyNotificationKind = (typeof DUTY_NOTIFICATION_KINDS)[number];
