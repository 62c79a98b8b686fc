// Mail about accountability cases (zh-CN; the office's working language). Pure.
import { CASE_RUNG_LABELS, REFERRAL_BODY_LABELS, type CaseRung, type ReferralBody } from '../domain/accountability';
import { formatLocal } from './notification-templates';

export const CASE_NOTIFICATION_KINDS = ['CASE_REVIEW_REQUESTED', 'CASE_REVIEW_REMINDER', 'CASE_REVIEW_OVERDUE'] as const;
export type CaseNotificationKind = (typeof CASE_NOTIFICATION_KINDS)[number];

export interface CaseTemplateContext {
  caseId: string;
  subjectName: string;
  rung: CaseRung;
  reviewDueAt: string;
  timeZone: string;
  summonsAt?: string | null;
  referralTo?: ReferralBody | null;
  causes: string[];
  link: string;
}

export function renderCaseNotification(kind: CaseNotificationKind, c: CaseTemplateContext): { subject: string; text: string } {
  const due = formatLocal(c.reviewDueAt, c.timeZone);
  const rung = CASE_RUNG_LABELS[c.rung];
  const detail = [
    `问责对象：${c.subjectName}`,
    `当前层级：${rung}`,
    ...(c.summonsAt ? [`约谈时间：${formatLocal(c.summonsAt, c.timeZone)}`] : []),
    ...(c.referralTo ? [`移送机关：${REFERRAL_BODY_LABELS[c.referralTo]}`] : []),
    `问责事由：${c.causes.join('；')}`,
    `审查期限：${due}`,
    `案件详情：${c.link}`,
  ].join('\n');
  switch (kind) {
    case 'CASE_REVIEW_REQUESTED':
      return { subject: `【问责审查】${c.subjectName}（${rung}）请于 ${due} 前作出决定`, text: `请审查以下问责案件，并作出升级、办结或暂缓的决定（须说明理由）。\n\n${detail}\n` };
    case 'CASE_REVIEW_REMINDER':
      return { subject: `【审查提醒】${c.subjectName}（${rung}）须于 ${due} 前作出决定`, text: `以下问责案件尚未作出决定，审查期限将至。\n\n${detail}\n` };
    case 'CASE_REVIEW_OVERDUE':
      return { subject: `【审查逾期】${c.subjectName}（${rung}）已超过审查期限`, text: `以下问责案件在审查期限内未作出决定，已在台账标注逾期，请督促办理。\n\n${detail}\n` };
  }
}
