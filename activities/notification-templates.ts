// One template per notification kind, zh-CN by default, English available. Pure: the
// activity renders once and stores the result in the outbox, so a retry resends the same text.
import type { HazardGrade, NotificationKind } from '../domain/hazard';
import { localDateOf, localTimeOf } from '../domain/time';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export interface TemplateContext {
  hazardId: string;
  enterpriseName: string;
  description: string;
  location: string;
  grade: HazardGrade;
  responsibleName: string;
  /** Absolute ISO instants; rendered in `timeZone`. */
  deadline: string;
  timeZone: string;
  data: Record<string, unknown>;
  link: string;
}

export function formatLocal(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  return `${localDateOf(ms, timeZone)} ${localTimeOf(ms, timeZone).slice(0, 5)} (${timeZone})`;
}

const GRADE = { 'zh-CN': { GENERAL: '一般隐患', MAJOR: '重大隐患' }, en: { GENERAL: 'general hazard', MAJOR: 'major hazard' } } as const;

type Render = (c: TemplateContext, at: (iso: unknown) => string) => { subject: string; lines: string[] };

const TEMPLATES: Record<Locale, Record<NotificationKind, Render>> = {
  'zh-CN': {
    REMINDER: (c, at) => ({
      subject: `【整改提醒】${c.enterpriseName}：${GRADE['zh-CN'][c.grade]}整改期限为 ${at(c.deadline)}`,
      lines: [`${c.responsibleName}：`, `您单位的${GRADE['zh-CN'][c.grade]}“${c.description}”（${c.location}）须于 ${at(c.deadline)} 前完成整改。`, '请按期完成整改并提交整改材料。'],
    }),
    OVERDUE: (c, at) => ({
      subject: `【逾期通知】${c.enterpriseName}：${GRADE['zh-CN'][c.grade]}已超过整改期限`,
      lines: [`${c.enterpriseName}的${GRADE['zh-CN'][c.grade]}“${c.description}”（${c.location}）整改期限 ${at(c.deadline)} 已过，尚未完成整改销号。`, '请主要负责人立即组织整改，监管部门跟踪督办。'],
    }),
    REPORTED_TO_REGULATOR: (c, at) => ({
      subject: `【重大隐患报告】${c.enterpriseName}报告重大事故隐患`,
      lines: [`${c.enterpriseName}报告重大事故隐患“${c.description}”（${c.location}），整改期限 ${at(c.deadline)}。`, '企业主要负责人领衔整治，整改即时开始。', '请监管部门挂牌督办，属地县区跟踪落实。'],
    }),
    LISTED_FOR_SUPERVISION: (c, at) => ({
      subject: `【挂牌督办】${c.enterpriseName}：重大隐患已挂牌督办`,
      lines: [`重大事故隐患“${c.description}”（${c.location}）已挂牌督办，整改期限 ${at(c.deadline)}。`, '请主要负责人牵头组织整改。', ...(c.data.note ? [`督办意见：${String(c.data.note)}`] : [])],
    }),
    REJECTED: (c) => ({
      subject: `【整改退回】${c.enterpriseName}：隐患整改未通过验收`,
      lines: [`隐患“${c.description}”（${c.location}）的整改未通过验收，已退回整改。`, `退回理由：${String(c.data.reason ?? '')}`],
    }),
    EXTENSION_DECIDED: (c, at) =>
      c.data.decision === 'APPROVE'
        ? { subject: `【延期批准】${c.enterpriseName}：整改期限延至 ${at(c.deadline)}`, lines: [`隐患“${c.description}”的延期申请已批准，新的整改期限为 ${at(c.deadline)}（原期限 ${at(c.data.previousDeadline)}）。`] }
        : { subject: `【延期未批准】${c.enterpriseName}：整改期限仍为 ${at(c.deadline)}`, lines: [`隐患“${c.description}”的延期申请未获批准，整改期限仍为 ${at(c.deadline)}。`, `理由：${String(c.data.reason ?? '')}`] },
    // An enterprise faces enforcement, not accountability (追责问责 is for officials and units): the
    // regulators are asked to act on it; the supervising department's own case is on the ledger.
    ESCALATED: (c, at) => ({
      subject: `【提请执法】${c.enterpriseName}：${GRADE['zh-CN'][c.grade]}逾期未整改`,
      lines: [
        `${c.enterpriseName}的${GRADE['zh-CN'][c.grade]}“${c.description}”（${c.location}）整改期限 ${at(c.deadline)} 已过仍未整改。`,
        '请监管部门依法实施限期整改、停产整顿等执法措施，对企业和主要负责人“一案双罚”。',
        `审查编号：${String(c.data.reviewId ?? '')}`,
      ],
    }),
  },
  en: {
    REMINDER: (c, at) => ({
      subject: `[Reminder] ${c.enterpriseName}: ${GRADE.en[c.grade]} due ${at(c.deadline)}`,
      lines: [`${c.responsibleName},`, `the ${GRADE.en[c.grade]} "${c.description}" (${c.location}) must be rectified by ${at(c.deadline)}.`, 'Please complete the rectification and submit the evidence in time.'],
    }),
    OVERDUE: (c, at) => ({
      subject: `[Overdue] ${c.enterpriseName}: ${GRADE.en[c.grade]} past its deadline`,
      lines: [`The ${GRADE.en[c.grade]} "${c.description}" (${c.location}) at ${c.enterpriseName} was due ${at(c.deadline)} and is not closed.`, 'The principal must act now; the supervising department follows it up.'],
    }),
    REPORTED_TO_REGULATOR: (c, at) => ({
      subject: `[Major hazard reported] ${c.enterpriseName}`,
      lines: [`${c.enterpriseName} reported the major hazard "${c.description}" (${c.location}), due ${at(c.deadline)}.`, 'Its rectification has started at once, led by the principal.', 'Please list it for supervision; the county follows it up on the ground.'],
    }),
    LISTED_FOR_SUPERVISION: (c, at) => ({
      subject: `[Listed for supervision] ${c.enterpriseName}: major hazard`,
      lines: [`The major hazard "${c.description}" (${c.location}) is listed for supervision, due ${at(c.deadline)}.`, 'The principal leads its rectification.', ...(c.data.note ? [`Note: ${String(c.data.note)}`] : [])],
    }),
    REJECTED: (c) => ({
      subject: `[Rectification rejected] ${c.enterpriseName}`,
      lines: [`The rectification of "${c.description}" (${c.location}) was not accepted and is back in rectification.`, `Reason: ${String(c.data.reason ?? '')}`],
    }),
    EXTENSION_DECIDED: (c, at) =>
      c.data.decision === 'APPROVE'
        ? { subject: `[Extension approved] ${c.enterpriseName}: new deadline ${at(c.deadline)}`, lines: [`The extension for "${c.description}" is approved: new deadline ${at(c.deadline)} (was ${at(c.data.previousDeadline)}).`] }
        : { subject: `[Extension refused] ${c.enterpriseName}: deadline stays ${at(c.deadline)}`, lines: [`The extension for "${c.description}" is refused; the deadline stays ${at(c.deadline)}.`, `Reason: ${String(c.data.reason ?? '')}`] },
    ESCALATED: (c, at) => ({
      subject: `[Enforcement requested] ${c.enterpriseName}: ${GRADE.en[c.grade]} not rectified`,
      lines: [
        `The ${GRADE.en[c.grade]} "${c.description}" (${c.location}) at ${c.enterpriseName} is still open after its deadline ${at(c.deadline)}.`,
        'The supervising department is asked to take enforcement action (rectification order, suspension; the enterprise and its principal both penalised).',
        `Review: ${String(c.data.reviewId ?? '')}`,
      ],
    }),
  },
};

export function renderNotification(kind: NotificationKind, locale: Locale, c: TemplateContext): { subject: string; text: string } {
  const at = (iso: unknown) => (typeof iso === 'string' ? formatLocal(iso, c.timeZone) : '');
  const { subject, lines } = TEMPLATES[locale][kind](c, at);
  const footer = locale === 'zh-CN' ? `隐患编号：${c.hazardId}\n${c.link}` : `Hazard: ${c.hazardId}\n${c.link}`;
  return { subject, text: `${lines.join('\n')}\n\n${footer}\n` };
}
