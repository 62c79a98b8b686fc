// Mail about a unit's campaign duties (zh-CN; the office's working language). Pure.
import type { Duty, DutyNotificationKind } from '../domain/campaign';
import { formatLocal } from './notification-templates';

export type { DutyNotificationKind } from '../domain/campaign';

export interface DutyTemplateContext {
  campaignName: string;
  unitName: string;
  duty: Duty;
  duties: { label: string; dueAt: number; state: string }[];
  timeZone: string;
  /** A self-inspection: the work items of the enterprise's checklist (自查清单). */
  checklist?: { no: number; textZh: string }[];
}

export function renderDutyNotification(kind: DutyNotificationKind, c: DutyTemplateContext): { subject: string; text: string } {
  const at = (ms: number) => formatLocal(new Date(ms).toISOString(), c.timeZone);
  switch (kind) {
    case 'DUTIES_ASSIGNED':
      return {
        subject: `【${c.campaignName}】${c.unitName}的工作任务与报送时限`,
        text:
          `${c.unitName}：\n${c.campaignName}已启动，请按以下时限报送：\n${c.duties.map((d) => `- ${d.label}：${at(d.dueAt)} 前`).join('\n')}\n` +
          (c.checklist?.length ? `\n请对照以下工作事项开展自查，建立隐患清单和整改台账，报主管部门备案：\n${c.checklist.map((it) => `${it.no}. ${it.textZh}`).join('\n')}\n` : ''),
      };
    case 'DUTY_REMINDER':
      return {
        subject: `【报送提醒】${c.campaignName}：${c.duty.label}须于 ${at(c.duty.dueAt)} 前报送`,
        text: `${c.unitName}：\n${c.duty.label}须于 ${at(c.duty.dueAt)} 前报送，请按时提交。\n`,
      };
    case 'DUTY_MISSED':
      return {
        subject: `【逾期未报】${c.campaignName}：${c.unitName}未按时报送${c.duty.label}`,
        text: `${c.unitName}未在 ${at(c.duty.dueAt)} 前报送${c.duty.label}，已记录在案。补报仍可提交，将标注为逾期。\n`,
      };
  }
}
