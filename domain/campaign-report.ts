// The report upward (总结报告 to 市委、市政府 and 省安委办): the campaign's figures as frozen when the
// summary phase closed (campaign_snapshots.figures), laid out by county, department and industry,
// with rectification, coverage, the ranking at that instant, cases and enforcement orders; and its
// zh-CN Markdown. Pure: the frozen figures in, the report out, so it reads the same every time.
import type { Coverage } from './coverage';
import { ORDER_KIND_LABELS } from './enforcement';
import { INDUSTRIES } from './industries';

export const REPORT_RECIPIENTS = ['中共大同市委', '大同市人民政府', '山西省安全生产委员会办公室'] as const;

interface Counts {
  total: number;
  open: number;
  overdue: number;
}

/** What the summary snapshot adds for the report (absent in snapshots frozen before it). */
export interface ReportExtras {
  /** CLOSED hazards by county, department, industry. */
  rectified: { byCounty: Record<string, number>; byDepartment: Record<string, number>; byIndustry: Record<string, number> };
  ranking: { COUNTY: RankedUnit[]; DEPARTMENT: RankedUnit[] };
  cases: { total: number; byStatus: Record<string, number> };
  orders: { total: number; byKind: Record<string, number> };
}

export interface RankedUnit {
  unitCode: string;
  total: number;
  rank: number;
}

/** The frozen figures the report reads (db/campaigns.repo.ts campaignFigures plus `report`). */
export interface FrozenFigures {
  hazards: Counts & { byCounty: Record<string, Counts>; byDepartment: Record<string, Counts>; byIndustry: Record<string, Counts> };
  duties: { total: number; submitted: number; submittedLate: number; missed: number };
  selfInspections: { declared: number; problemsFound: number };
  supervisionFindings: number;
  coverage?: Coverage;
  report?: ReportExtras;
}

export interface ReportRow {
  key: string;
  nameZh: string;
  total: number;
  rectified: number | null;
  open: number;
  overdue: number;
  rectificationRate: number | null;
}

export interface CampaignReport {
  campaignId: string;
  name: string;
  documentNumber: string;
  issuingBody: string;
  recipients: string[];
  takenAt: string;
  hazards: { total: number; open: number; overdue: number; rectified: number | null; rectificationRate: number | null; byCounty: ReportRow[]; byDepartment: ReportRow[]; byIndustry: ReportRow[] };
  duties: FrozenFigures['duties'];
  selfInspections: FrozenFigures['selfInspections'];
  supervisionFindings: number;
  coverage: { counties: { key: string; required: number; covered: number; share: number }[]; departments: { key: string; required: number; covered: number; share: number }[]; selfInspection: { due: number; filed: number; filedLate: number; missed: number; share: number } | null };
  ranking: { COUNTY: (RankedUnit & { nameZh: string })[]; DEPARTMENT: (RankedUnit & { nameZh: string })[] } | null;
  cases: ReportExtras['cases'] | null;
  orders: ReportExtras['orders'] | null;
}

const rate = (done: number | null, total: number): number | null => (done === null || total === 0 ? null : done / total);

function rows(by: Record<string, Counts>, rectified: Record<string, number> | undefined, name: (k: string) => string): ReportRow[] {
  return Object.keys(by)
    .sort()
    .map((key) => {
      const c = by[key]!;
      const r = rectified ? (rectified[key] ?? 0) : null;
      return { key, nameZh: name(key), total: c.total, rectified: r, open: c.open, overdue: c.overdue, rectificationRate: rate(r, c.total) };
    });
}

const industryZh = (k: string): string => (k in INDUSTRIES ? INDUSTRIES[k as keyof typeof INDUSTRIES].zh : k);

/** The report from the frozen figures; `names` gives units' names by code (their code when absent). */
export function campaignReport(c: { id: string; name: string; documentNumber: string; issuingBody: string }, takenAt: string, f: FrozenFigures, names: Record<string, string> = {}): CampaignReport {
  const x = f.report;
  const unitZh = (k: string) => names[k] ?? k;
  const rectified = x ? Object.values(x.rectified.byIndustry).reduce((a, b) => a + b, 0) : null;
  const cov = (by: Record<string, { required: number; covered: number; share: number }> | undefined) =>
    Object.entries(by ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, v]) => ({ key, required: v.required, covered: v.covered, share: v.share }));
  return {
    campaignId: c.id,
    name: c.name,
    documentNumber: c.documentNumber,
    issuingBody: c.issuingBody,
    recipients: [...REPORT_RECIPIENTS],
    takenAt,
    hazards: {
      total: f.hazards.total,
      open: f.hazards.open,
      overdue: f.hazards.overdue,
      rectified,
      rectificationRate: rate(rectified, f.hazards.total),
      byCounty: rows(f.hazards.byCounty, x?.rectified.byCounty, unitZh),
      byDepartment: rows(f.hazards.byDepartment, x?.rectified.byDepartment, unitZh),
      byIndustry: rows(f.hazards.byIndustry, x?.rectified.byIndustry, industryZh),
    },
    duties: { total: f.duties.total, submitted: f.duties.submitted, submittedLate: f.duties.submittedLate, missed: f.duties.missed },
    selfInspections: f.selfInspections,
    supervisionFindings: f.supervisionFindings,
    coverage: { counties: cov(f.coverage?.byCounty), departments: cov(f.coverage?.byDepartment), selfInspection: f.coverage ? { ...f.coverage.selfInspection.total } : null },
    ranking: x ? { COUNTY: x.ranking.COUNTY.map((u) => ({ ...u, nameZh: unitZh(u.unitCode) })), DEPARTMENT: x.ranking.DEPARTMENT.map((u) => ({ ...u, nameZh: unitZh(u.unitCode) })) } : null,
    cases: x?.cases ?? null,
    orders: x?.orders ?? null,
  };
}

const pct = (v: number | null): string => (v === null ? '—' : `${(Math.round(v * 1000) / 10).toFixed(1)}%`);
const cell = (v: number | null): string => (v === null ? '—' : String(v));
/** Table cells hold names: a '|' or a line break would break the table. */
const esc = (s: string): string => s.replace(/[|\\]/g, (m) => `\\${m}`).replace(/[\r\n]+/g, ' ');

function table(head: string[], body: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)];
}

const CASE_ZH: Record<string, string> = { OPEN: '办理中', HELD: '暂缓', RESOLVED: '已办结' };

/** The report in zh-CN Markdown. */
export function reportMarkdown(r: CampaignReport): string {
  const h = r.hazards;
  const hazardTable = (label: string, rs: ReportRow[]) => table([label, '隐患总数', '已整改', '未整改', '逾期未整改', '整改率'], rs.map((x) => [x.nameZh, String(x.total), cell(x.rectified), String(x.open), String(x.overdue), pct(x.rectificationRate)]));
  const lines: string[] = [
    `# 关于${r.name}情况的总结报告`,
    '',
    `${r.recipients.join('、')}：`,
    '',
    `按照《${r.name}》（${r.documentNumber}）要求，现将专项行动开展情况报告如下。数据截至 ${r.takenAt}（总结阶段结束时冻结）。`,
    '',
    '## 一、隐患排查整治总体情况',
    '',
    `共排查隐患 ${h.total} 项，已整改 ${cell(h.rectified)} 项，整改率 ${pct(h.rectificationRate)}；未整改 ${h.open} 项，其中逾期 ${h.overdue} 项。企业自查申报 ${r.selfInspections.declared} 家，自查发现问题 ${r.selfInspections.problemsFound} 个；督导巡查发现问题 ${r.supervisionFindings} 个。`,
    '',
    '## 二、分县（区）情况',
    '',
    ...hazardTable('县（区）', h.byCounty),
    '',
    '## 三、分部门情况',
    '',
    ...hazardTable('部门', h.byDepartment),
    '',
    '## 四、分行业领域情况',
    '',
    ...hazardTable('行业领域', h.byIndustry),
    '',
    '## 五、全覆盖情况',
    '',
    r.coverage.selfInspection
      ? `企业自查应报 ${r.coverage.selfInspection.due} 家，已报 ${r.coverage.selfInspection.filed} 家（其中逾期报送 ${r.coverage.selfInspection.filedLate} 家），未报 ${r.coverage.selfInspection.missed} 家，自查覆盖率 ${pct(r.coverage.selfInspection.share)}。`
      : '（本次行动冻结数据不含覆盖情况。）',
    '',
    ...table(['县（区）', '应覆盖企业', '已覆盖', '覆盖率'], r.coverage.counties.map((c) => [r.hazards.byCounty.find((x) => x.key === c.key)?.nameZh ?? c.key, String(c.required), String(c.covered), pct(c.share)])),
    '',
    ...table(['部门（市级重点监管）', '应检查企业', '已检查', '覆盖率'], r.coverage.departments.map((c) => [r.hazards.byDepartment.find((x) => x.key === c.key)?.nameZh ?? c.key, String(c.required), String(c.covered), pct(c.share)])),
    '',
    '## 六、打分排队',
    '',
  ];
  if (r.ranking) {
    lines.push('### 县（区）', '', ...table(['名次', '县（区）', '得分'], r.ranking.COUNTY.map((u) => [String(u.rank), u.nameZh, u.total.toFixed(1)])), '');
    lines.push('### 部门', '', ...table(['名次', '部门', '得分'], r.ranking.DEPARTMENT.map((u) => [String(u.rank), u.nameZh, u.total.toFixed(1)])), '');
  } else lines.push('（本次行动冻结数据不含排名。）', '');
  lines.push('## 七、追责问责和执法情况', '');
  lines.push(r.cases ? `立案追责 ${r.cases.total} 件（${Object.entries(r.cases.byStatus).map(([k, v]) => `${CASE_ZH[k] ?? k} ${v} 件`).join('，') || '无'}）。` : '（本次行动冻结数据不含追责问责情况。）');
  lines.push(r.orders ? `下达执法指令 ${r.orders.total} 份（${Object.entries(r.orders.byKind).map(([k, v]) => `${(ORDER_KIND_LABELS as Record<string, string>)[k] ?? k} ${v} 份`).join('，') || '无'}）。` : '（本次行动冻结数据不含执法指令情况。）');
  lines.push('', '## 八、工作报告情况', '', `各县（区）、各部门应报材料 ${r.duties.total} 份，已报 ${r.duties.submitted} 份（其中逾期 ${r.duties.submittedLate} 份），未报 ${r.duties.missed} 份。`, '', `${r.issuingBody}`, '');
  return lines.join('\n');
}
