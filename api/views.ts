// Row → response shapes. Response schemas strip anything not declared, so nothing leaks.
import type { HazardEventRow, HazardRow } from '../db/hazards.repo';
import type { HazardSnapshot } from '../workflows/hazard.messages';

export function hazardView(h: HazardRow) {
  return {
    id: h.id,
    workflowId: h.workflowId,
    enterpriseId: h.enterpriseId,
    countyCode: h.countyCode,
    departmentCode: h.departmentCode,
    industry: h.industry,
    grade: h.grade,
    source: h.source,
    state: h.state,
    overdue: h.overdue,
    escalated: h.escalated,
    description: h.description,
    location: h.location,
    responsible: { name: h.responsibleName, email: h.responsibleEmail, phone: h.responsiblePhone },
    principal: { name: h.principalName, email: h.principalEmail, phone: h.principalPhone },
    measures: h.measures,
    fundsAmount: Number(h.fundsAmount),
    deadline: h.deadline.toISOString(),
    deadlineVersion: h.deadlineVersion,
    interimControls: h.interimControls,
    timeZone: h.timeZone,
    policy: h.policy,
    pendingExtension: h.pendingExtension ?? null,
    campaignId: h.campaignId ?? null,
    workItem: h.workItemNo ?? null,
    createdAt: h.createdAt.toISOString(),
    updatedAt: h.updatedAt.toISOString(),
    closedAt: h.closedAt?.toISOString() ?? null,
  };
}

export function liveView(s: HazardSnapshot | null) {
  return s ? { ...s, nextEvent: s.nextEvent ? { key: s.nextEvent.key, kind: s.nextEvent.kind, atIso: s.nextEvent.atIso } : null } : null;
}

export function timelineView(e: HazardEventRow) {
  return { seq: e.seq, type: e.type, fromState: e.fromState, toState: e.toState, actor: e.actor, data: e.data, at: e.at.toISOString() };
}
