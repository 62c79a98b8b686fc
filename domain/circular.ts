// The monthly circular (通报): its figures gathered from the ledger as it stood at the month's end
// (db/circulars.repo.ts), rendered here as zh-CN Markdown and HTML, pure, so that the same month
// generated twice gives the same content and the same SHA-256. Every text that comes from the
// ledger (names, labels, findings) is escaped where it lands: Markdown's markup characters get a
// backslash and line breaks become spaces; HTML gets entities. One document model feeds both.
import { instantOfLocal, localDateOf, localTimeOf } from './time';

export const CIRCULAR_STATUSES = ['DRAFT', 'PUBLISHED'] as const;
export type CircularStatus = (typeof CIRCULAR_STATUSES)[number];

export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';

/** The month's span in the campaign's zone: [from, to) as epoch ms. Null for a malformed month. */
export function monthSpan(month: string, timeZone: string): { from: number; to: number } | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return null;
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const next = mon === 12 ? `${String(year + 1).padStart(4, '0')}-01-01` : `${m[1]}-${String(mon + 1).padStart(2, '0')}-01`;
  try {
    return { from: instantOfLocal(`${month}-01`, '00:00', timeZone), to: instantOfLocal(next, '00:00', timeZone) };
  } catch {
    // A year the calendar maths does not read (0000, found by schemathesis: it was a 500): no such month.
    return null;
  }
}

/**
 * The instant a month's circular reads the ledger at: its last millisecond once it has ended (what
 * the ledger held by then never changes: its figures are reproducible), now while it runs; null
 * for a month that has not begun.
 */
export function circularInstant(span: { from: number; to: number }, now: number): number | null {
  if (now < span.from) return null;
  return Math.min(span.to - 1, now);
}

export interface CircularUnitRank {
  unitCode: string;
  unitName: string;
  total: number;
  rank: number;
}

export interface CircularMissedDuty {
  unitCode: string;
  unitName: string;
  kind: string;
  label: string;
  /** ISO instants. */
  dueAt: string;
  missedAt: string;
}

export interface CircularOverdueEnterprise {
  enterpriseId: string;
  enterpriseName: string;
  countyCode: string;
  countyName: string;
  /** Major hazards overdue by the instant and not closed by then. */
  overdueMajorHazards: number;
}

export interface CircularFinding {
  kind: 'SUPERVISION_FINDING' | 'CONCEALMENT_CASE';
  at: string;
  /** The supervision team; null for a case. */
  team: string | null;
  /** The enterprise's or the unit's name. */
  subjectName: string;
  description: string;
}

export interface CircularCoverageRow {
  unitCode: string;
  unitName: string;
  required: number;
  covered: number;
}

export interface CircularFigures {
  campaignId: string;
  campaignName: string;
  month: string;
  timeZone: string;
  /** The month's span and the instant the ledger was read at (ISO). */
  from: string;
  to: string;
  asOf: string;
  /** Totals and ranks only: the departments' indicator counts would tell who was drawn. */
  counties: CircularUnitRank[];
  departments: CircularUnitRank[];
  hazards: { foundInMonth: number; closedInMonth: number; openAtEnd: number; overdueAtEnd: number };
  missedDuties: CircularMissedDuty[];
  overdueMajorHazards: CircularOverdueEnterprise[];
  findings: CircularFinding[];
  coverage: {
    selfInspection: { due: number; filed: number; filedLate: number; missed: number };
    /** A county's roster inspected or self-inspected. */
    byCounty: CircularCoverageRow[];
    /** A department's key supervision (CITY) inspected. */
    byDepartment: CircularCoverageRow[];
  };
}

// ---- the document model, rendered twice ----

/** A piece of text from the ledger, kept apart from the template's own text until it is escaped. */
interface Fragment {
  raw: string;
  ledger: boolean;
}
type Line = Fragment[];
const t = (raw: string): Fragment => ({ raw, ledger: false });
const v = (raw: string | number): Fragment => ({ raw: String(raw), ledger: true });

type RichBlock = { h: 1 | 2 | 3; line: Line } | { p: Line } | { list: Line[] } | { table: { head: string[]; rows: Line[][] } };

export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\\`*_[\]<>|#~!()]/g, '\\$&');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const pct = (n: number, of: number): string => (of === 0 ? '—' : `${((n / of) * 100).toFixed(1)}%`);
const points = (n: number): string => n.toFixed(2);

function localDay(iso: string, timeZone: string): string {
  return localDateOf(Date.parse(iso), timeZone);
}

function monthZh(month: string): string {
  const [y, m] = month.split('-');
  return `${y}年${Number(m)}月`;
}

const KIND_ZH: Record<string, string> = { IMPLEMENTATION_PLAN: '实施方案', PROGRESS_REPORT: '进展情况报告', SUMMARY: '工作总结' };

/** The circular as blocks: the one structure both renderings follow. */
function documentOf(f: CircularFigures): RichBlock[] {
  const asOfMs = Date.parse(f.asOf);
  const ended = asOfMs === Date.parse(f.to) - 1;
  const asOfText = ended ? `${monthZh(f.month)}末` : `${localDateOf(asOfMs, f.timeZone)} ${localTimeOf(asOfMs, f.timeZone).slice(0, 5)}`;
  const out: RichBlock[] = [
    { h: 1, line: [v(f.campaignName), t(`工作通报（${monthZh(f.month)}）`)] },
    { p: [t(`本通报依据截至${asOfText}（${f.timeZone}）的工作台账生成。`)] },
  ];
  const rankTable = (rows: CircularUnitRank[]) => ({ table: { head: ['名次', '单位', '得分'], rows: rows.map((r) => [[t(String(r.rank))], [v(r.unitName)], [t(points(r.total))]]) } });
  out.push({ h: 2, line: [t('一、打分排队')] });
  out.push({ h: 3, line: [t('县区')] });
  out.push(f.counties.length > 0 ? rankTable(f.counties) : { p: [t('无。')] });
  out.push({ h: 3, line: [t('市直部门')] });
  out.push(f.departments.length > 0 ? rankTable(f.departments) : { p: [t('无。')] });

  out.push({ h: 2, line: [t('二、隐患排查整治')] });
  out.push({
    p: [t(`本月新发现隐患 ${f.hazards.foundInMonth} 项，整改销号 ${f.hazards.closedInMonth} 项；截至统计时点尚未销号 ${f.hazards.openAtEnd} 项，其中逾期 ${f.hazards.overdueAtEnd} 项。`)],
  });

  out.push({ h: 2, line: [t('三、未按时完成工作任务的单位')] });
  out.push(
    f.missedDuties.length > 0
      ? { list: f.missedDuties.map((d) => [v(d.unitName), t('：'), v(KIND_ZH[d.kind] ?? d.label), t(`（应于 ${localDay(d.dueAt, f.timeZone)} 前报送），逾期未报。`)]) }
      : { p: [t('本月无。')] },
  );

  out.push({ h: 2, line: [t('四、重大隐患逾期未整改的企业')] });
  out.push(
    f.overdueMajorHazards.length > 0
      ? { list: f.overdueMajorHazards.map((e) => [v(e.enterpriseName), t('（'), v(e.countyName), t(`）：逾期未整改重大隐患 ${e.overdueMajorHazards} 项。`)]) }
      : { p: [t('无。')] },
  );

  out.push({ h: 2, line: [t('五、督导检查发现的突出问题')] });
  out.push(
    f.findings.length > 0
      ? {
          list: f.findings.map((x) =>
            x.kind === 'SUPERVISION_FINDING'
              ? [t(`${localDay(x.at, f.timeZone)} `), v(x.team ?? ''), t('：'), v(x.subjectName), t('，'), v(x.description)]
              : [t(`${localDay(x.at, f.timeZone)} 瞒报隐患问责：`), v(x.subjectName)],
          ),
        }
      : { p: [t('本月无。')] },
  );

  const s = f.coverage.selfInspection;
  out.push({ h: 2, line: [t('六、企业自查与检查覆盖')] });
  out.push({ p: [t(`企业自查备案：应报 ${s.due} 家，已报 ${s.filed} 家（其中逾期补报 ${s.filedLate} 家），未报 ${s.missed} 家，完成率 ${pct(s.filed, s.due)}。`)] });
  const covTable = (first: string, rows: CircularCoverageRow[]) => ({
    table: { head: [first, '应覆盖', '已覆盖', '覆盖率'], rows: rows.map((r) => [[v(r.unitName)], [t(String(r.required))], [t(String(r.covered))], [t(pct(r.covered, r.required))]]) },
  });
  if (f.coverage.byCounty.length > 0) out.push(covTable('县区（检查或自查）', f.coverage.byCounty));
  if (f.coverage.byDepartment.length > 0) out.push(covTable('市直部门（重点监管企业检查）', f.coverage.byDepartment));
  return out;
}

const mdLine = (l: Line) => l.map((x) => (x.ledger ? escapeMarkdown(x.raw) : x.raw)).join('');
const htmlLine = (l: Line) => l.map((x) => escapeHtml(x.raw)).join('');

export function renderCircularMarkdown(f: CircularFigures): string {
  const lines: string[] = [];
  for (const b of documentOf(f)) {
    if ('h' in b) lines.push(`${'#'.repeat(b.h)} ${mdLine(b.line)}`);
    else if ('p' in b) lines.push(mdLine(b.p));
    else if ('list' in b) lines.push(b.list.map((l) => `- ${mdLine(l)}`).join('\n'));
    else lines.push([`| ${b.table.head.join(' | ')} |`, `| ${b.table.head.map(() => '---').join(' | ')} |`, ...b.table.rows.map((r) => `| ${r.map(mdLine).join(' | ')} |`)].join('\n'));
    lines.push('');
  }
  return lines.join('\n');
}

export function renderCircularHtml(f: CircularFigures): string {
  const parts: string[] = ['<!DOCTYPE html>', '<html lang="zh-CN">', '<head><meta charset="utf-8"><title>' + htmlLine([t(''), v(f.campaignName), t(`工作通报（${monthZh(f.month)}）`)]) + '</title></head>', '<body>'];
  for (const b of documentOf(f)) {
    if ('h' in b) parts.push(`<h${b.h}>${htmlLine(b.line)}</h${b.h}>`);
    else if ('p' in b) parts.push(`<p>${htmlLine(b.p)}</p>`);
    else if ('list' in b) parts.push(`<ul>${b.list.map((l) => `<li>${htmlLine(l)}</li>`).join('')}</ul>`);
    else
      parts.push(
        `<table><thead><tr>${b.table.head.map((x) => `<th>${escapeHtml(x)}</th>`).join('')}</tr></thead><tbody>${b.table.rows.map((r) => `<tr>${r.map((c) => `<td>${htmlLine(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
      );
  }
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}

/** The subject line of the circular's mail. */
export function circularMailSubject(f: Pick<CircularFigures, 'campaignName' | 'month'>): string {
  return `【通报】${f.campaignName.replace(/[\r\n]+/g, ' ')} 工作通报（${monthZh(f.month)}）`;
}
