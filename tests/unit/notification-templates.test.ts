import { describe, expect, it } from 'vitest';
import { renderNotification, type Locale, type TemplateContext } from '../../activities/notification-templates';
import { NOTIFICATION_KINDS } from '../../domain/hazard';

const context = (over: Partial<TemplateContext> = {}): TemplateContext => ({
  hazardId: '7b1c2d3e-0000-4000-8000-000000000001',
  enterpriseName: '大同市恒安化工有限公司',
  description: '配电室线路老化',
  location: '二号车间配电室',
  grade: 'MAJOR',
  responsibleName: '李工',
  // End of 2024-03-20 in Shanghai (UTC+8).
  deadline: '2024-03-20T15:59:59.999Z',
  timeZone: 'Asia/Shanghai',
  data: {},
  link: 'https://hazards.example.cn/hazards/7b1c2d3e-0000-4000-8000-000000000001',
  ...over,
});

const LOCALES: Locale[] = ['zh-CN', 'en'];
const cases = LOCALES.flatMap((locale) => NOTIFICATION_KINDS.map((kind) => [kind, locale] as const));

describe('renderNotification: every kind in every locale', () => {
  it.each(cases)('%s in %s names the enterprise in the subject', (kind, locale) => {
    const { subject } = renderNotification(kind, locale, context({ data: { reason: 'r', decision: 'APPROVE', reviewId: 'rv-1' } }));
    expect(subject).toContain('大同市恒安化工有限公司');
  });

  it.each(cases)('%s in %s ends with the hazard id and its link', (kind, locale) => {
    const c = context({ data: { reason: 'r', decision: 'REFUSE', reviewId: 'rv-1' } });
    const { text } = renderNotification(kind, locale, c);
    expect(text.endsWith(`${c.hazardId}\n${c.link}\n`)).toBe(true);
  });

  it.each(cases.filter(([kind]) => kind !== 'REJECTED'))('%s in %s shows the deadline in Shanghai time, not UTC', (kind, locale) => {
    const { subject, text } = renderNotification(kind, locale, context({ data: { decision: 'APPROVE', previousDeadline: '2024-03-10T15:59:59.999Z', reason: 'r' } }));
    expect(`${subject}\n${text}`).toContain('2024-03-20 23:59');
    expect(`${subject}\n${text}`).not.toContain('15:59');
  });
});

describe('renderNotification: details', () => {
  it('renders a New York deadline as New York wall-clock time on a DST day', () => {
    // 2024-03-11T03:59:59.999Z is 23:59 EDT on 2024-03-10.
    const { text } = renderNotification('REMINDER', 'en', context({ deadline: '2024-03-11T03:59:59.999Z', timeZone: 'America/New_York' }));
    expect(text).toContain('2024-03-10 23:59');
  });

  it('renders a deadline just after midnight on the local date, not the UTC one', () => {
    // 2024-03-19T16:30Z is 00:30 on 2024-03-20 in Shanghai.
    const { text } = renderNotification('OVERDUE', 'zh-CN', context({ deadline: '2024-03-19T16:30:00Z' }));
    expect(text).toContain('2024-03-20 00:30');
  });

  it('addresses the reminder to the responsible person and names the hazard', () => {
    for (const locale of LOCALES) {
      const { text } = renderNotification('REMINDER', locale, context());
      expect(text).toContain('李工');
      expect(text).toContain('配电室线路老化');
      expect(text).toContain('二号车间配电室');
    }
  });

  it('carries the rejection reason', () => {
    for (const locale of LOCALES) {
      const { text } = renderNotification('REJECTED', locale, context({ data: { reason: '整改照片不清晰，请补充' } }));
      expect(text).toContain('整改照片不清晰，请补充');
    }
  });

  it('tells an approved extension from a refused one, with the old deadline or the refusal reason', () => {
    for (const locale of LOCALES) {
      const approved = renderNotification('EXTENSION_DECIDED', locale, context({ deadline: '2024-03-30T15:59:59.999Z', data: { decision: 'APPROVE', previousDeadline: '2024-03-20T15:59:59.999Z' } }));
      const refused = renderNotification('EXTENSION_DECIDED', locale, context({ data: { decision: 'REFUSE', reason: '理由不充分' } }));
      expect(approved.subject).not.toBe(refused.subject);
      expect(approved.subject).toContain('2024-03-30 23:59');
      expect(approved.text).toContain('2024-03-20 23:59');
      expect(refused.text).toContain('理由不充分');
      expect(approved.text).not.toContain('理由不充分');
    }
  });

  it('names the grade of the hazard', () => {
    expect(renderNotification('REMINDER', 'zh-CN', context({ grade: 'MAJOR' })).subject).toContain('重大隐患');
    expect(renderNotification('REMINDER', 'zh-CN', context({ grade: 'GENERAL' })).subject).toContain('一般隐患');
    expect(renderNotification('REMINDER', 'en', context({ grade: 'MAJOR' })).subject).toContain('major hazard');
    expect(renderNotification('REMINDER', 'en', context({ grade: 'GENERAL' })).subject).toContain('general hazard');
  });

  it('carries the review number of an escalation', () => {
    for (const locale of LOCALES) expect(renderNotification('ESCALATED', locale, context({ data: { reviewId: 'AR-2024-017' } })).text).toContain('AR-2024-017');
  });

  it('asks the regulators for enforcement against the enterprise, never for 追责问责 (that word is for officials and units)', () => {
    const zh = renderNotification('ESCALATED', 'zh-CN', context({ data: { reviewId: 'AR-1' } }));
    expect(`${zh.subject}\n${zh.text}`).not.toContain('追责');
    expect(zh.subject).toContain('提请执法');
    expect(zh.text).toContain('限期整改');
    const en = renderNotification('ESCALATED', 'en', context({ data: { reviewId: 'AR-1' } }));
    expect(`${en.subject}\n${en.text}`).not.toMatch(/accountability/i);
    expect(en.subject).toContain('Enforcement requested');
  });

  it('adds the supervision note when there is one', () => {
    expect(renderNotification('LISTED_FOR_SUPERVISION', 'zh-CN', context({ data: { note: '每周报告进展' } })).text).toContain('每周报告进展');
    expect(renderNotification('LISTED_FOR_SUPERVISION', 'en', context({ data: { note: 'weekly progress' } })).text).toContain('weekly progress');
  });

  it('writes Chinese in zh-CN and English in en', () => {
    expect(renderNotification('OVERDUE', 'zh-CN', context()).subject).toContain('逾期');
    expect(renderNotification('OVERDUE', 'en', context()).subject).toContain('Overdue');
    expect(renderNotification('OVERDUE', 'zh-CN', context()).text).toContain('隐患编号');
    expect(renderNotification('OVERDUE', 'en', context()).text).toContain('Hazard:');
  });
});
