// A month's circular (通报) as a workbook: its frozen figures (domain/circular.ts CircularFigures),
// one sheet per table of the circular, with Chinese sheet names and headers. Nothing is read again
// from the ledger: the workbook says what the published circular says.
import type { CircularRow } from '../db/circulars.repo';
import type { CircularCoverageRow, CircularFigures, CircularFinding, CircularMissedDuty, CircularOverdueEnterprise, CircularUnitRank } from '../domain/circular';
import { renderSheet, type Columns, type RenderedSheet } from './xlsx-writer';

type Ranked = CircularUnitRank & { group: string };
type Covered = CircularCoverageRow & { group: string };

export const CIRCULAR_SHEETS = {
  info: '通报信息',
  ranking: '打分排队',
  hazards: '隐患情况',
  missedDuties: '未按时报送',
  overdueMajorHazards: '重大隐患逾期企业',
  findings: '督导发现',
  selfInspection: '企业自查',
  coverage: '检查覆盖',
} as const;

const INFO: Columns<{ item: string; value: string | null }> = [
  { header: '项目', cell: (r) => r.item },
  { header: '内容', cell: (r) => r.value },
];
const RANKING: Columns<Ranked> = [
  { header: '类别', cell: (r) => r.group },
  { header: '名次', cell: (r) => r.rank },
  { header: '单位代码', cell: (r) => r.unitCode },
  { header: '单位', cell: (r) => r.unitName },
  { header: '得分', cell: (r) => r.total },
];
const HAZARDS: Columns<CircularFigures['hazards']> = [
  { header: '本月新发现', cell: (r) => r.foundInMonth },
  { header: '本月整改销号', cell: (r) => r.closedInMonth },
  { header: '期末未销号', cell: (r) => r.openAtEnd },
  { header: '其中逾期', cell: (r) => r.overdueAtEnd },
];
const MISSED: Columns<CircularMissedDuty> = [
  { header: '单位代码', cell: (r) => r.unitCode },
  { header: '单位', cell: (r) => r.unitName },
  { header: '任务类型', cell: (r) => r.kind },
  { header: '任务', cell: (r) => r.label },
  { header: '截止时间', cell: (r) => r.dueAt },
  { header: '认定未报时间', cell: (r) => r.missedAt },
];
const OVERDUE: Columns<CircularOverdueEnterprise> = [
  { header: '企业ID', cell: (r) => r.enterpriseId },
  { header: '企业名称', cell: (r) => r.enterpriseName },
  { header: '县区代码', cell: (r) => r.countyCode },
  { header: '县区', cell: (r) => r.countyName },
  { header: '逾期未整改重大隐患（项）', cell: (r) => r.overdueMajorHazards },
];
const FINDINGS: Columns<CircularFinding> = [
  { header: '类型', cell: (r) => r.kind },
  { header: '时间', cell: (r) => r.at },
  { header: '督导组', cell: (r) => r.team },
  { header: '对象', cell: (r) => r.subjectName },
  { header: '问题描述', cell: (r) => r.description },
];
const SELF: Columns<CircularFigures['coverage']['selfInspection']> = [
  { header: '应报', cell: (r) => r.due },
  { header: '已报', cell: (r) => r.filed },
  { header: '其中逾期补报', cell: (r) => r.filedLate },
  { header: '未报', cell: (r) => r.missed },
];
const COVERAGE: Columns<Covered> = [
  { header: '类别', cell: (r) => r.group },
  { header: '单位代码', cell: (r) => r.unitCode },
  { header: '单位', cell: (r) => r.unitName },
  { header: '应覆盖', cell: (r) => r.required },
  { header: '已覆盖', cell: (r) => r.covered },
];

/** Groups of the ranking and coverage sheets, as the circular names them. */
export const COUNTIES = '县区';
export const DEPARTMENTS = '市直部门';

/** The circular's sheets, rendered from its frozen figures (nothing is read from the ledger). */
export function circularSheets(row: CircularRow): RenderedSheet[] {
  const f = row.figures as unknown as CircularFigures;
  const info = [
    { item: '专项行动', value: f.campaignName },
    { item: '月份', value: f.month },
    { item: '状态', value: row.status },
    { item: '统计时点', value: f.asOf },
    { item: '时区', value: f.timeZone },
    { item: '发布时间', value: row.publishedAt?.toISOString() ?? null },
    { item: '内容SHA-256', value: row.contentSha256 },
  ];
  return [
    renderSheet(CIRCULAR_SHEETS.info, INFO, info),
    renderSheet(CIRCULAR_SHEETS.ranking, RANKING, [...f.counties.map((r) => ({ ...r, group: COUNTIES })), ...f.departments.map((r) => ({ ...r, group: DEPARTMENTS }))]),
    renderSheet(CIRCULAR_SHEETS.hazards, HAZARDS, [f.hazards]),
    renderSheet(CIRCULAR_SHEETS.missedDuties, MISSED, f.missedDuties),
    renderSheet(CIRCULAR_SHEETS.overdueMajorHazards, OVERDUE, f.overdueMajorHazards),
    renderSheet(CIRCULAR_SHEETS.findings, FINDINGS, f.findings),
    renderSheet(CIRCULAR_SHEETS.selfInspection, SELF, [f.coverage.selfInspection]),
    renderSheet(CIRCULAR_SHEETS.coverage, COVERAGE, [...f.coverage.byCounty.map((r) => ({ ...r, group: COUNTIES })), ...f.coverage.byDepartment.map((r) => ({ ...r, group: DEPARTMENTS }))]),
  ];
}
