import { describe, expect, it } from 'vitest';
import { campaignReport, reportMarkdown, type FrozenFigures } from '../../domain/campaign-report';

const campaign = { id: '00000000-0000-4000-8000-000000000001', name: '全市重点行业领域持续深入开展重大事故隐患专项排查整治行动实施方案', documentNumber: '同安发〔2023〕15号', issuingBody: '大同市安全生产委员会' };
const figures: FrozenFigures = {
  hazards: {
    total: 10,
    open: 3,
    overdue: 1,
    byCounty: { C2: { total: 4, open: 1, overdue: 0 }, C1: { total: 6, open: 2, overdue: 1 } },
    byDepartment: { D1: { total: 10, open: 3, overdue: 1 } },
    byIndustry: { COAL_MINE: { total: 7, open: 2, overdue: 1 }, FIRE_SAFETY: { total: 3, open: 1, overdue: 0 } },
  },
  duties: { total: 12, submitted: 10, submittedLate: 2, missed: 2 },
  selfInspections: { declared: 5, problemsFound: 9 },
  supervisionFindings: 1,
  coverage: {
    selfInspection: { total: { due: 6, filed: 5, filedLate: 1, missed: 1, share: 5 / 6 }, byCounty: {}, byDepartment: {}, byIndustry: {} },
    byCounty: { C1: { required: 4, covered: 4, share: 1 }, C2: { required: 2, covered: 1, share: 0.5 } },
    byDepartment: { D1: { required: 1, covered: 1, share: 1 } },
    byIndustry: {},
  },
  report: {
    // One of C1's six was withdrawn: rectified 3, open 2.
    rectified: { byCounty: { C1: 3, C2: 3 }, byDepartment: { D1: 6 }, byIndustry: { COAL_MINE: 4, FIRE_SAFETY: 2 } },
    ranking: { COUNTY: [{ unitCode: 'C1', total: 92.5, rank: 1 }, { unitCode: 'C2', total: 80, rank: 2 }], DEPARTMENT: [{ unitCode: 'D1', total: 100, rank: 1 }] },
    cases: { total: 2, byStatus: { OPEN: 1, RESOLVED: 1 } },
    orders: { total: 3, byKind: { RECTIFICATION: 2, SUSPENSION: 1 } },
  },
};

describe('the report upward (总结报告)', () => {
  const r = campaignReport(campaign, '2024-03-05T15:59:59.999Z', figures, { C1: '平城区', C2: '云冈区', D1: '市应急管理局' });

  it('lays the frozen figures out by county, department and industry with rectification rates', () => {
    expect(r.hazards).toMatchObject({ total: 10, rectified: 6, rectificationRate: 0.6 });
    expect(r.hazards.byCounty).toEqual([
      { key: 'C1', nameZh: '平城区', total: 6, rectified: 3, open: 2, overdue: 1, rectificationRate: 0.5 },
      { key: 'C2', nameZh: '云冈区', total: 4, rectified: 3, open: 1, overdue: 0, rectificationRate: 0.75 },
    ]);
    expect(r.hazards.byIndustry.map((x) => [x.nameZh, x.rectified])).toEqual([['煤矿', 4], ['消防安全', 2]]);
    expect(r.coverage.counties).toEqual([{ key: 'C1', required: 4, covered: 4, share: 1 }, { key: 'C2', required: 2, covered: 1, share: 0.5 }]);
    expect(r.ranking?.COUNTY[0]).toEqual({ unitCode: 'C1', nameZh: '平城区', total: 92.5, rank: 1 });
    expect(r.recipients).toEqual(['中共大同市委', '大同市人民政府', '山西省安全生产委员会办公室']);
  });

  it('reads a summary frozen before the report: rectification, ranking, cases and orders unknown', () => {
    const old = campaignReport(campaign, '2024-03-05T15:59:59.999Z', { ...figures, report: undefined });
    expect(old.hazards.rectified).toBeNull();
    expect(old.hazards.byCounty[0]).toMatchObject({ nameZh: 'C1', rectified: null, rectificationRate: null });
    expect([old.ranking, old.cases, old.orders]).toEqual([null, null, null]);
    expect(reportMarkdown(old)).toContain('（本次行动冻结数据不含排名。）');
  });

  it('renders zh-CN Markdown', () => {
    const md = reportMarkdown(r);
    expect(md).toContain('# 关于全市重点行业领域持续深入开展重大事故隐患专项排查整治行动实施方案情况的总结报告');
    expect(md).toContain('中共大同市委、大同市人民政府、山西省安全生产委员会办公室：');
    expect(md).toContain('共排查隐患 10 项，已整改 6 项，整改率 60.0%；未整改 3 项，其中逾期 1 项。');
    expect(md).toContain('| 平城区 | 6 | 3 | 2 | 1 | 50.0% |');
    expect(md).toContain('| 煤矿 | 7 | 4 | 2 | 1 | 57.1% |');
    expect(md).toContain('| 云冈区 | 2 | 1 | 50.0% |');
    expect(md).toContain('企业自查应报 6 家，已报 5 家（其中逾期报送 1 家），未报 1 家，自查覆盖率 83.3%。');
    expect(md).toContain('| 1 | 平城区 | 92.5 |');
    expect(md).toContain('| 1 | 市应急管理局 | 100.0 |');
    expect(md).toContain('下达执法指令 3 份（限期整改 2 份，停产整顿 1 份）。');
    expect(md).toContain('立案追责 2 件（办理中 1 件，已办结 1 件）。');
  });
});
