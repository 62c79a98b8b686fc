import { describe, expect, it } from 'vitest';
import { circularInstant, escapeHtml, escapeMarkdown, monthSpan, renderCircularHtml, renderCircularMarkdown, type CircularFigures } from '../../domain/circular';

const figures = (): CircularFigures => ({
  campaignId: '00000000-0000-4000-8000-000000000001',
  campaignName: '大同市重大事故隐患专项排查整治',
  month: '2023-12',
  timeZone: 'Asia/Shanghai',
  from: '2023-11-30T16:00:00.000Z',
  to: '2023-12-31T16:00:00.000Z',
  asOf: '2023-12-31T15:59:59.999Z',
  counties: [
    { unitCode: 'C1', unitName: '平城区', total: 80, rank: 1 },
    { unitCode: 'C2', unitName: '云冈区', total: 44.167, rank: 2 },
  ],
  departments: [{ unitCode: 'D1', unitName: '市应急局', total: 55, rank: 1 }],
  hazards: { foundInMonth: 3, closedInMonth: 1, openAtEnd: 2, overdueAtEnd: 1 },
  missedDuties: [{ unitCode: 'C2', unitName: '云冈区', kind: 'IMPLEMENTATION_PLAN', label: '实施方案', dueAt: '2023-12-10T15:59:59.999Z', missedAt: '2023-12-10T16:00:00.000Z' }],
  overdueMajorHazards: [{ enterpriseId: 'e1', enterpriseName: '同煤*集团*', countyCode: 'C1', countyName: '平城区', overdueMajorHazards: 2 }],
  findings: [
    { kind: 'SUPERVISION_FINDING', at: '2023-12-05T02:00:00.000Z', team: '第一督导组', subjectName: '云冈区', description: '排查<b>流于形式</b>\n未建台账' },
    { kind: 'CONCEALMENT_CASE', at: '2023-12-20T02:00:00.000Z', team: null, subjectName: '某化工厂', description: '' },
  ],
  coverage: {
    selfInspection: { due: 4, filed: 3, filedLate: 1, missed: 1 },
    byCounty: [
      { unitCode: 'C1', unitName: '平城区', required: 2, covered: 2 },
      { unitCode: 'C2', unitName: '云冈区', required: 2, covered: 1 },
    ],
    byDepartment: [],
  },
});

describe('the monthly circular (通报)', () => {
  it("spans the month in the campaign's zone and reads the ledger at its last millisecond once it has ended, now while it runs", () => {
    const span = monthSpan('2023-12', 'Asia/Shanghai')!;
    expect(new Date(span.from).toISOString()).toBe('2023-11-30T16:00:00.000Z');
    expect(new Date(span.to).toISOString()).toBe('2023-12-31T16:00:00.000Z');
    expect(circularInstant(span, Date.parse('2024-03-01T00:00:00Z'))).toBe(span.to - 1);
    expect(circularInstant(span, Date.parse('2023-12-15T00:00:00Z'))).toBe(Date.parse('2023-12-15T00:00:00Z'));
    expect(circularInstant(span, Date.parse('2023-11-30T15:59:59Z'))).toBeNull();
    expect(monthSpan('2023-13', 'Asia/Shanghai')).toBeNull();
    // A year the calendar cannot read is no month either (it was a 500 from the API).
    expect(monthSpan('0000-01', 'Asia/Shanghai')).toBeNull();
    expect(new Date(monthSpan('2024-01', 'Asia/Shanghai')!.from).toISOString()).toBe('2023-12-31T16:00:00.000Z');
  });

  it('renders the figures as zh-CN Markdown, line by line, the ledger’s texts escaped', () => {
    expect(renderCircularMarkdown(figures()).split('\n')).toEqual([
      '# 大同市重大事故隐患专项排查整治工作通报（2023年12月）',
      '',
      '本通报依据截至2023年12月末（Asia/Shanghai）的工作台账生成。',
      '',
      '## 一、打分排队',
      '',
      '### 县区',
      '',
      '| 名次 | 单位 | 得分 |',
      '| --- | --- | --- |',
      '| 1 | 平城区 | 80.00 |',
      '| 2 | 云冈区 | 44.17 |',
      '',
      '### 市直部门',
      '',
      '| 名次 | 单位 | 得分 |',
      '| --- | --- | --- |',
      '| 1 | 市应急局 | 55.00 |',
      '',
      '## 二、隐患排查整治',
      '',
      '本月新发现隐患 3 项，整改销号 1 项；截至统计时点尚未销号 2 项，其中逾期 1 项。',
      '',
      '## 三、未按时完成工作任务的单位',
      '',
      '- 云冈区：实施方案（应于 2023-12-10 前报送），逾期未报。',
      '',
      '## 四、重大隐患逾期未整改的企业',
      '',
      '- 同煤\\*集团\\*（平城区）：逾期未整改重大隐患 2 项。',
      '',
      '## 五、督导检查发现的突出问题',
      '',
      '- 2023-12-05 第一督导组：云冈区，排查\\<b\\>流于形式\\</b\\> 未建台账',
      '- 2023-12-20 瞒报隐患问责：某化工厂',
      '',
      '## 六、企业自查与检查覆盖',
      '',
      '企业自查备案：应报 4 家，已报 3 家（其中逾期补报 1 家），未报 1 家，完成率 75.0%。',
      '',
      '| 县区（检查或自查） | 应覆盖 | 已覆盖 | 覆盖率 |',
      '| --- | --- | --- | --- |',
      '| 平城区 | 2 | 2 | 100.0% |',
      '| 云冈区 | 2 | 1 | 50.0% |',
      '',
    ]);
  });

  it('says so when a section has nothing, and dates the current month by the instant read', () => {
    const f = { ...figures(), asOf: '2023-12-15T06:30:00.000Z', missedDuties: [], overdueMajorHazards: [], findings: [] };
    const md = renderCircularMarkdown(f);
    expect(md).toContain('本通报依据截至2023-12-15 14:30（Asia/Shanghai）的工作台账生成。');
    expect(md).toContain('## 三、未按时完成工作任务的单位\n\n本月无。');
    expect(md).toContain('## 四、重大隐患逾期未整改的企业\n\n无。');
  });

  it('escapes every text from the ledger in the HTML', () => {
    const f = { ...figures(), campaignName: '<script>alert(1)</script>' };
    const html = renderCircularHtml(f);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;工作通报（2023年12月）</h1>');
    expect(html).toContain('<li>2023-12-05 第一督导组：云冈区，排查&lt;b&gt;流于形式&lt;/b&gt;\n未建台账</li>');
    expect(html).toContain('<tr><td>2</td><td>云冈区</td><td>44.17</td></tr>');
    expect(escapeHtml(`a&"'`)).toBe('a&amp;&quot;&#39;');
    expect(escapeMarkdown('[x](javascript:y)\n# h')).toBe('\\[x\\]\\(javascript:y\\) \\# h');
  });

  it('renders the same figures to the same text', () => {
    expect(renderCircularMarkdown(figures())).toBe(renderCircularMarkdown(figures()));
    expect(renderCircularHtml(figures())).toBe(renderCircularHtml(figures()));
  });
});
