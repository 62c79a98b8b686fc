// Mail about enforcement orders (zh-CN; the regulators' working language). Pure: the activity
// renders once and stores the text in the outbox, so a retry resends the same mail.
import { ORDER_KIND_LABELS, type OrderKind } from '../domain/enforcement';
import type { DoublePenalty } from '../domain/enforcement-issue';
import { formatLocal } from './notification-templates';

export const ORDER_NOTIFICATION_KINDS = ['ORDER_ISSUED', 'ORDER_REMINDER', 'ORDER_OVERDUE', 'ORDER_IGNORED', 'ORDER_COMPLIANCE_REJECTED', 'ORDER_LIFTED', 'ORDER_BODY_NOTICE'] as const;
export type OrderNotificationKind = (typeof ORDER_NOTIFICATION_KINDS)[number];

export interface OrderTemplateContext {
  kind: OrderKind;
  enterpriseName: string;
  principalName: string;
  legalBasis: string;
  reason: string;
  timeZone: string;
  deadline: string | null;
  conditions: string[];
  closedOn: string | null;
  doublePenalty: DoublePenalty | null;
  bodies: string[];
  /** ORDER_BODY_NOTICE: the body addressed. */
  bodyName?: string;
  /** ORDER_IGNORED: the case opened or joined. */
  caseId?: string | null;
  /** ORDER_COMPLIANCE_REJECTED, ORDER_LIFTED: the regulator's reason. */
  decisionReason?: string | null;
  link: string;
}

const amount = (n: number | undefined): string => (n === undefined ? '' : `（${n.toLocaleString('zh-CN')} 元）`);

function details(c: OrderTemplateContext): string {
  const p = c.doublePenalty;
  return [
    `执法对象：${c.enterpriseName}（主要负责人：${p?.principal.name ?? c.principalName}）`,
    `执法措施：${ORDER_KIND_LABELS[c.kind]}`,
    `法律依据：${c.legalBasis}`,
    `事实与理由：${c.reason}`,
    ...(c.deadline ? [`整改期限：${formatLocal(c.deadline, c.timeZone)}`] : []),
    ...(c.conditions.length > 0 ? [`解除条件：${c.conditions.map((t, i) => `${i + 1}. ${t}`).join('；')}`] : []),
    ...(c.closedOn ? [`关闭取缔日期：${c.closedOn}`] : []),
    ...(p ? [`一案双罚：对企业 ${p.enterprise.text}${amount(p.enterprise.amount)}；对主要负责人 ${p.principal.text}${amount(p.principal.amount)}`] : []),
    ...(c.bodies.length > 0 ? [`联合惩戒通报单位：${c.bodies.join('、')}`] : []),
    `详情：${c.link}`,
  ].join('\n');
}

export function renderOrderNotification(kind: OrderNotificationKind, c: OrderTemplateContext): { subject: string; text: string } {
  const label = ORDER_KIND_LABELS[c.kind];
  const due = c.deadline ? formatLocal(c.deadline, c.timeZone) : '';
  const body = details(c);
  switch (kind) {
    case 'ORDER_ISSUED':
      return { subject: `【执法决定】${c.enterpriseName}：${label}`, text: `${c.principalName}：\n监管部门对你单位作出以下执法决定，请依法执行。\n\n${body}\n` };
    case 'ORDER_REMINDER':
      return { subject: `【整改提醒】${c.enterpriseName}：限期整改须于 ${due} 前完成`, text: `${c.principalName}：\n限期整改期限将至，请按期完成整改并报告整改情况。\n\n${body}\n` };
    case 'ORDER_OVERDUE':
      return { subject: `【逾期通知】${c.enterpriseName}：限期整改期限已过`, text: `限期整改期限 ${due} 已过，企业尚未报告整改完成。请主要负责人立即组织整改，监管部门跟踪督办。\n\n${body}\n` };
    case 'ORDER_IGNORED':
      return {
        subject: `【拒不执行整改指令】${c.enterpriseName}：限期整改逾期未落实，已立案`,
        text: `企业逾期拒不执行限期整改指令，已对企业及其主要负责人立案${c.caseId ? `（案件 ${c.caseId}）` : ''}，请依法采取停产整顿、关闭取缔、一案双罚等措施。\n\n${body}\n`,
      };
    case 'ORDER_COMPLIANCE_REJECTED':
      return { subject: `【整改未通过】${c.enterpriseName}：限期整改复查未通过`, text: `${c.principalName}：\n你单位报告的整改情况复查未通过，请继续整改。\n原因：${c.decisionReason ?? ''}\n\n${body}\n` };
    case 'ORDER_LIFTED':
      return { subject: `【解除停产整顿】${c.enterpriseName}`, text: `${c.principalName}：\n经复查验收合格，解除对你单位的停产整顿。${c.decisionReason ? `\n说明：${c.decisionReason}` : ''}\n\n${body}\n` };
    case 'ORDER_BODY_NOTICE':
      return { subject: `【联合惩戒】${c.enterpriseName}：${label}`, text: `${c.bodyName ?? ''}：\n现将对${c.enterpriseName}的执法决定通报如下，请依法依规实施联合惩戒。\n\n${body}\n` };
  }
}
