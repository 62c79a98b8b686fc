import { describe, expect, it } from 'vitest';
import { checkIssuer, checkOrderCommand, checkOrderPayload, DEFAULT_ORDER_POLICY, enforcementStatusOf, type OrderCommandContext } from '../../domain/enforcement';
import { checkOrderIssue, type OrderIssueInput } from '../../domain/enforcement-issue';
import type { Actor, Role } from '../../domain/hazard';
import { endOfShanghaiDay } from '../support/shanghai';

const ent = { enterpriseId: 'e1', countyCode: 'pingcheng', departmentCode: 'emergency' };
const actor = (role: Role, scope: string | null = null): Actor => ({ keyId: `k-${role}`, role, scope, name: role });
const NOW = Date.parse('2024-01-10T02:00:00Z');

const rectifying: OrderCommandContext = { ...ent, kind: 'RECTIFICATION', status: 'RECTIFYING', inspection: null, liftApplied: false };
const suspended: OrderCommandContext = { ...ent, kind: 'SUSPENSION', status: 'SUSPENDED', inspection: null, liftApplied: false };

describe('the enterprise flag', () => {
  it('is CLOSED by any closure, else SUSPENDED while a suspension is in force, else NONE', () => {
    expect(enforcementStatusOf([])).toBe('NONE');
    expect(enforcementStatusOf([{ kind: 'RECTIFICATION', status: 'IGNORED' }])).toBe('NONE');
    expect(enforcementStatusOf([{ kind: 'SUSPENSION', status: 'SUSPENDED' }])).toBe('SUSPENDED');
    expect(enforcementStatusOf([{ kind: 'SUSPENSION', status: 'LIFTED' }])).toBe('NONE');
    expect(enforcementStatusOf([{ kind: 'SUSPENSION', status: 'LIFTED' }, { kind: 'SUSPENSION', status: 'SUSPENDED' }])).toBe('SUSPENDED');
    expect(enforcementStatusOf([{ kind: 'SUSPENSION', status: 'SUSPENDED' }, { kind: 'CLOSURE', status: 'CLOSED' }])).toBe('CLOSED');
  });
});

describe('who records an order', () => {
  it('is a regulator in scope: admin, office, the supervising department, the county of the territory', () => {
    for (const a of [actor('admin'), actor('office'), actor('department', 'emergency'), actor('county', 'pingcheng')]) expect(checkIssuer(a, ent)).toEqual({ ok: true });
  });

  it('hides the enterprise from a regulator of another scope (404) and refuses the enterprise itself and a reviewer (403)', () => {
    expect(checkIssuer(actor('department', 'housing'), ent)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(checkIssuer(actor('county', 'yungang'), ent)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(checkIssuer(actor('enterprise', 'e2'), ent)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(checkIssuer(actor('enterprise', 'e1'), ent)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(checkIssuer(actor('reviewer', null), ent)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});

describe('order commands', () => {
  it('let the enterprise report compliance, also once the order was ignored, and a regulator verify it', () => {
    expect(checkOrderCommand('reportCompliance', rectifying, actor('enterprise', 'e1'))).toEqual({ ok: true });
    expect(checkOrderCommand('reportCompliance', { ...rectifying, status: 'IGNORED' }, actor('enterprise', 'e1'))).toEqual({ ok: true });
    expect(checkOrderCommand('verifyCompliance', { ...rectifying, status: 'COMPLIANCE_REPORTED' }, actor('county', 'pingcheng'))).toEqual({ ok: true });
  });

  it('check scope, then role, then kind and status', () => {
    expect(checkOrderCommand('reportCompliance', rectifying, actor('enterprise', 'e2'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(checkOrderCommand('reportCompliance', rectifying, actor('department', 'emergency'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(checkOrderCommand('verifyCompliance', { ...rectifying, status: 'COMPLIANCE_REPORTED' }, actor('reviewer', null))).toMatchObject({ code: 'FORBIDDEN' });
    expect(checkOrderCommand('verifyCompliance', rectifying, actor('office'))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(checkOrderCommand('recordInspection', rectifying, actor('office'))).toMatchObject({ code: 'ILLEGAL_TRANSITION', reason: expect.stringContaining('SUSPENSION') });
    expect(checkOrderCommand('reportCompliance', { ...rectifying, status: 'COMPLIED' }, actor('admin'))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it('lift a suspension only after a passed inspection', () => {
    const office = actor('office');
    expect(checkOrderCommand('liftSuspension', suspended, office)).toMatchObject({ code: 'ILLEGAL_TRANSITION', reason: expect.stringContaining('passed inspection') });
    expect(checkOrderCommand('liftSuspension', { ...suspended, inspection: 'FAILED' }, office)).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(checkOrderCommand('liftSuspension', { ...suspended, inspection: 'PASSED' }, office)).toEqual({ ok: true });
    expect(checkOrderCommand('liftSuspension', { ...suspended, status: 'LIFTED', inspection: 'PASSED' }, office)).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it('take one application to lift at a time', () => {
    const owner = actor('enterprise', 'e1');
    expect(checkOrderCommand('applyForLift', suspended, owner)).toEqual({ ok: true });
    expect(checkOrderCommand('applyForLift', { ...suspended, liftApplied: true }, owner)).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it('need their texts: a rejection its reason, an inspection its outcome and findings', () => {
    expect(checkOrderPayload('verifyCompliance', { decision: 'REJECT' })).toEqual([{ field: 'reason', reason: expect.any(String) }]);
    expect(checkOrderPayload('verifyCompliance', { decision: 'ACCEPT' })).toEqual([]);
    expect(checkOrderPayload('reportCompliance', { report: '  ' })).toEqual([{ field: 'report', reason: expect.any(String) }]);
    expect(checkOrderPayload('recordInspection', { outcome: 'MAYBE' as 'PASSED', findings: '' }).map((e) => e.field)).toEqual(['outcome', 'findings']);
    expect(checkOrderPayload('applyForLift', { note: 'x'.repeat(2001) })).toEqual([{ field: 'note', reason: expect.stringContaining('2000') }]);
    expect(checkOrderPayload('reportCompliance', { report: 'a\u0000b' })).toEqual([{ field: 'report', reason: expect.stringContaining('NUL') }]);
  });
});

describe('recording an order', () => {
  const base = { legalBasis: '《安全生产法》第六十五条', reason: '重大事故隐患逾期未整改' };
  const issue = (o: Partial<OrderIssueInput> & Pick<OrderIssueInput, 'kind'>) => checkOrderIssue({ ...base, ...o }, NOW);
  const fields = (o: Partial<OrderIssueInput> & Pick<OrderIssueInput, 'kind'>) => {
    const r = issue(o);
    return r.ok ? [] : r.errors.map((e) => e.field);
  };

  it('reads a rectification deadline given as a date as the end of that day in Shanghai, with the default policy', () => {
    const r = issue({ kind: 'RECTIFICATION', deadline: '2024-01-20' });
    expect(r).toEqual({ ok: true, value: { timeZone: 'Asia/Shanghai', deadline: endOfShanghaiDay('2024-01-20'), policy: DEFAULT_ORDER_POLICY, closedOn: null } });
  });

  it('layers a policy override on the default order policy', () => {
    const r = issue({ kind: 'RECTIFICATION', deadline: '2024-01-20T18:00', policy: { reminderOffsets: ['PT30S'] } });
    expect(r).toMatchObject({ ok: true, value: { deadline: Date.parse('2024-01-20T10:00:00Z'), policy: { reminderOffsets: ['PT30S'], escalationAfter: 'P3D', sendTime: '09:00' } } });
  });

  it('refuses a rectification without a deadline, with one in the past, with a bad policy', () => {
    expect(fields({ kind: 'RECTIFICATION' })).toEqual(['deadline']);
    expect(fields({ kind: 'RECTIFICATION', deadline: '2024-01-09' })).toEqual(['deadline']);
    expect(fields({ kind: 'RECTIFICATION', deadline: '2024-02-30' })).toEqual(['deadline']);
    expect(fields({ kind: 'RECTIFICATION', deadline: '2024-01-20', policy: { escalationAfter: 'three days' } })).toEqual(['policy.escalationAfter']);
  });

  it('asks each kind for what it needs, and refuses fields of another kind', () => {
    expect(fields({ kind: 'SUSPENSION' })).toEqual(['conditions']);
    expect(fields({ kind: 'SUSPENSION', conditions: ['通风系统整改到位', ' '] })).toEqual(['conditions[1]']);
    expect(fields({ kind: 'SUSPENSION', conditions: ['通风系统整改到位'], deadline: '2024-01-20' })).toEqual(['deadline']);
    expect(fields({ kind: 'CLOSURE' })).toEqual(['closedOn']);
    expect(fields({ kind: 'CLOSURE', closedOn: '2024-02-30' })).toEqual(['closedOn']);
    expect(issue({ kind: 'CLOSURE', closedOn: '2024-01-15' })).toMatchObject({ ok: true, value: { closedOn: '2024-01-15', deadline: null, policy: null } });
    expect(fields({ kind: 'JOINT_DISCIPLINE' })).toEqual(['notifiedBodies']);
    expect(fields({ kind: 'JOINT_DISCIPLINE', notifiedBodies: [{ name: '市信用办' }], conditions: ['x'] })).toEqual(['conditions']);
    expect(fields({ kind: 'CLOSURE', closedOn: '2024-01-15', legalBasis: ' ', timeZone: 'Mars/Olympus' })).toEqual(['legalBasis', 'timeZone']);
  });

  it('records 一案双罚 only with both penalties', () => {
    const penalty = { enterprise: { text: '罚款', amount: 500000 }, principal: { text: '罚款', amount: 80000 } };
    expect(issue({ kind: 'CLOSURE', closedOn: '2024-01-15', doublePenalty: penalty }).ok).toBe(true);
    expect(fields({ kind: 'CLOSURE', closedOn: '2024-01-15', doublePenalty: { ...penalty, principal: { text: '' } } })).toEqual(['doublePenalty.principal.text']);
  });
});
