import { describe, expect, it } from 'vitest';
import { buildHazardRow, requestHash, type HazardReport } from '../../services/hazard-report';
import type { enterprises } from '../../db/schema';
import type { Actor } from '../../domain/hazard';

const enterprise: typeof enterprises.$inferSelect = {
  id: '3f2a0c1e-1111-4222-8333-444455556666',
  name: '大同市恒安化工有限公司',
  creditCode: '91350100M000100Y43',
  industry: 'HAZARDOUS_CHEMICALS',
  countyCode: '140202',
  departmentCode: 'yjj',
  supervisionLevel: 'COUNTY',
  principalName: '张主任',
  principalEmail: 'zhang@hengan.example.cn',
  principalPhone: '13800000000',
  contacts: [],
  locale: 'zh-CN',
  enforcementStatus: 'NONE',
  createdAt: new Date('2024-01-01T00:00:00Z'),
  deactivatedAt: null,
  deactivatedOn: null,
  deactivationKind: null,
  deactivationReason: null,
  deactivatedBy: null,
  latitude: null,
  longitude: null,
};

const entActor: Actor = { keyId: 'key-ent-1', role: 'enterprise', scope: enterprise.id, name: '恒安门户' };
const NOW = Date.UTC(2030, 0, 1, 0, 0);

const report = (over: Partial<HazardReport> = {}): HazardReport => ({
  grade: 'GENERAL',
  description: '配电室线路老化',
  location: '二号车间配电室',
  responsible: { name: '李工', email: 'li@hengan.example.cn' },
  measures: '更换老化线路，加装漏电保护',
  fundsAmount: 12000,
  deadline: '2030-03-20',
  interimControls: '每日巡查，设置警示标志',
  ...over,
});

function rowOf(r: HazardReport, actor: Actor = entActor, idempotency?: { key: string }) {
  const built = buildHazardRow(r, enterprise, actor, NOW, idempotency);
  if (!built.ok) throw new Error(`expected a row, got ${JSON.stringify(built.errors)}`);
  return built.row;
}
function errorFields(r: HazardReport): string[] {
  const built = buildHazardRow(r, enterprise, entActor, NOW);
  return built.ok ? [] : built.errors.map((e) => e.field);
}

describe('buildHazardRow: the deadline', () => {
  it('reads a date alone as the end of that day in Shanghai by default', () => {
    const row = rowOf(report({ deadline: '2030-03-20' }));
    expect(row.deadline.getTime()).toBe(Date.UTC(2030, 2, 20, 15, 59, 59, 999));
    expect(row.timeZone).toBe('Asia/Shanghai');
  });

  it("reads a date alone in the hazard's own time zone", () => {
    // Berlin is on CEST (UTC+2) on 1 July.
    const row = rowOf(report({ deadline: '2030-07-01', timeZone: 'Europe/Berlin' }));
    expect(row.deadline.getTime()).toBe(Date.UTC(2030, 6, 1, 21, 59, 59, 999));
    expect(row.timeZone).toBe('Europe/Berlin');
  });

  it('reads a local date-time as wall-clock time in the zone', () => {
    expect(rowOf(report({ deadline: '2030-03-20T17:30' })).deadline.getTime()).toBe(Date.UTC(2030, 2, 20, 9, 30));
  });

  it('takes an instant with an offset as it is', () => {
    expect(rowOf(report({ deadline: '2030-03-20T17:30:00Z' })).deadline.getTime()).toBe(Date.UTC(2030, 2, 20, 17, 30));
  });

  it('refuses a deadline in the past on the field deadline', () => {
    expect(errorFields(report({ deadline: '2029-12-31' }))).toEqual(['deadline']);
  });

  it('refuses a deadline at this very instant', () => {
    expect(errorFields(report({ deadline: new Date(NOW).toISOString() }))).toEqual(['deadline']);
  });

  it.each(['next friday', '2030-02-30', '2030/03/20', ''])('refuses the unparsable deadline %j on the field deadline', (deadline) => {
    expect(errorFields(report({ deadline }))).toEqual(['deadline']);
  });
});

describe('buildHazardRow: other validation', () => {
  it('reports a bad time zone on the field timeZone', () => {
    expect(errorFields(report({ timeZone: 'Mars/Base' }))).toContain('timeZone');
  });

  it('does not blame a well-formed deadline for a bad time zone', () => {
    expect(errorFields(report({ timeZone: 'Mars/Base', deadline: '2030-03-20' }))).toEqual(['timeZone']);
  });

  it('reports a bad policy override on the policy field path', () => {
    expect(errorFields(report({ policy: { reminderOffsets: ['P3D', 'three days'] } }))).toEqual(['policy.reminderOffsets[1]']);
    expect(errorFields(report({ policy: { escalationAfter: 'soon' } }))).toEqual(['policy.escalationAfter']);
    expect(errorFields(report({ policy: { sendTime: '25:00' } }))).toEqual(['policy.sendTime']);
  });

  it('refuses a blank description', () => {
    expect(errorFields(report({ description: '   ' }))).toEqual(['description']);
  });

  it('refuses a blank location, measures, interim controls or responsible name on their own fields', () => {
    expect(errorFields(report({ location: '' }))).toEqual(['location']);
    expect(errorFields(report({ measures: ' ' }))).toEqual(['measures']);
    expect(errorFields(report({ interimControls: '\t' }))).toEqual(['interimControls']);
    expect(errorFields(report({ responsible: { name: '  ' } }))).toEqual(['responsible.name']);
  });

  it('reports every problem at once', () => {
    expect(errorFields(report({ deadline: '2020-01-01', description: '', policy: { sendTime: 'noon' } })).sort()).toEqual(['deadline', 'description', 'policy.sendTime']);
  });
});

describe('buildHazardRow: the row', () => {
  it("files the hazard under the enterprise's county and department", () => {
    const row = rowOf(report());
    expect(row.enterpriseId).toBe(enterprise.id);
    expect(row.countyCode).toBe('140202');
    expect(row.departmentCode).toBe('yjj');
    expect(row.industry).toBe('HAZARDOUS_CHEMICALS');
    expect(row.source).toBe('SELF_INSPECTION');
    expect(row.reportedBy).toEqual(entActor);
  });

  it('names the workflow after the hazard id', () => {
    const row = rowOf(report());
    expect(row.workflowId).toBe(`hazard:${row.id}`);
  });

  it('gives every report a new id', () => {
    expect(rowOf(report()).id).not.toBe(rowOf(report()).id);
  });

  it('trims the description and keeps the funds with two decimals', () => {
    const row = rowOf(report({ description: '  配电室线路老化 ', fundsAmount: 12000 }));
    expect(row.description).toBe('配电室线路老化');
    expect(row.fundsAmount).toBe('12000.00');
  });

  it("defaults the principal to the enterprise's principal", () => {
    const row = rowOf(report());
    expect([row.principalName, row.principalEmail, row.principalPhone]).toEqual(['张主任', 'zhang@hengan.example.cn', '13800000000']);
  });

  it('uses the principal named in the report when there is one', () => {
    const row = rowOf(report({ principal: { name: '王总', email: 'wang@hengan.example.cn' } }));
    expect([row.principalName, row.principalEmail, row.principalPhone]).toEqual(['王总', 'wang@hengan.example.cn', null]);
  });

  it('stores the grade default policy when there is no override', () => {
    expect(rowOf(report({ grade: 'MAJOR' })).policy).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '09:00' });
    expect(rowOf(report({ grade: 'GENERAL' })).policy).toEqual({ reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P7D', sendTime: '09:00' });
  });

  it('merges an override into the grade default', () => {
    expect(rowOf(report({ grade: 'GENERAL', policy: { escalationAfter: 'PT30S' } })).policy).toEqual({ reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'PT30S', sendTime: '09:00' });
  });
});

describe('buildHazardRow: idempotency', () => {
  it("scopes the key to the caller's role and organisation", () => {
    const row = rowOf(report(), entActor, { key: 'report-0001' });
    expect(row.idempotencyScope).toBe(`enterprise:${enterprise.id}`);
    expect(row.idempotencyKey).toBe('report-0001');
  });

  it('keeps the scope across API-key rotation', () => {
    const rotated: Actor = { ...entActor, keyId: 'key-ent-2' };
    expect(rowOf(report(), rotated, { key: 'k' }).idempotencyScope).toBe(rowOf(report(), entActor, { key: 'k' }).idempotencyScope);
  });

  it('scopes the key to the key id for a caller without an organisation', () => {
    const office: Actor = { keyId: 'key-office-9', role: 'office', scope: null, name: '安委办' };
    expect(rowOf(report(), office, { key: 'k' }).idempotencyScope).toBe('office:key-office-9');
  });

  it('stores a request hash that does not depend on key order', () => {
    const a = report({ policy: { sendTime: '08:00', escalationAfter: 'P2D' } });
    const b: HazardReport = {
      policy: { escalationAfter: 'P2D', sendTime: '08:00' },
      interimControls: a.interimControls,
      deadline: a.deadline,
      fundsAmount: a.fundsAmount,
      measures: a.measures,
      responsible: { email: a.responsible.email, name: a.responsible.name },
      location: a.location,
      description: a.description,
      grade: a.grade,
    };
    const ha = rowOf(a, entActor, { key: 'k' }).requestHash;
    expect(ha).toMatch(/^[0-9a-f]{64}$/);
    expect(rowOf(b, entActor, { key: 'k' }).requestHash).toBe(ha);
  });

  it('stores a different request hash for a different body', () => {
    expect(rowOf(report({ fundsAmount: 12001 }), entActor, { key: 'k' }).requestHash).not.toBe(rowOf(report(), entActor, { key: 'k' }).requestHash);
  });

  it('stores no idempotency data without a key', () => {
    const row = rowOf(report());
    expect([row.idempotencyScope, row.idempotencyKey, row.requestHash]).toEqual([null, null, null]);
  });
});

describe('requestHash', () => {
  it('is the same under any key order, at any depth', () => {
    expect(requestHash({ b: 1, a: { d: [1, { y: 2, x: 3 }], c: 'z' } })).toBe(requestHash({ a: { c: 'z', d: [1, { x: 3, y: 2 }] }, b: 1 }));
  });

  it('changes with a value, and with the order of an array', () => {
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
  });

  it('tells a nested key from a value that looks the same', () => {
    expect(requestHash({ a: { b: 1 } })).not.toBe(requestHash({ a: '{"b":1}' }));
  });
});

describe('buildHazardRow: the policy, in layers', () => {
  const office: Actor = { keyId: 'key-office', role: 'office', scope: null, name: '市安委办' };
  const campaign = { GENERAL: { reminderOffsets: ['P5D', 'P2D'], escalationAfter: 'P10D' }, MAJOR: { sendTime: '08:00' } };
  const policyOf = (r: HazardReport, policies?: typeof campaign) => {
    const built = buildHazardRow(r, enterprise, office, NOW, undefined, policies);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    return built.row.policy;
  };

  it("takes the grade's default outside a campaign", () => {
    expect(policyOf(report())).toEqual({ reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P7D', sendTime: '09:00' });
    expect(policyOf(report({ grade: 'MAJOR' }))).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '09:00' });
  });

  it("overlays the campaign template's policy for the hazard's grade on the default, field by field", () => {
    expect(policyOf(report(), campaign)).toEqual({ reminderOffsets: ['P5D', 'P2D'], escalationAfter: 'P10D', sendTime: '09:00' });
    expect(policyOf(report({ grade: 'MAJOR' }), campaign)).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '08:00' });
  });

  it("lets the caller's own override win over the campaign's, field by field", () => {
    expect(policyOf(report({ policy: { escalationAfter: 'P1D' } }), campaign)).toEqual({ reminderOffsets: ['P5D', 'P2D'], escalationAfter: 'P1D', sendTime: '09:00' });
    expect(policyOf(report({ policy: { reminderOffsets: [] } }), campaign)).toEqual({ reminderOffsets: [], escalationAfter: 'P10D', sendTime: '09:00' });
  });
});
