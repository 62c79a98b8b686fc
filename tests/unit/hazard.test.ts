import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../domain/errors';
import {
  HAZARD_COMMANDS,
  HAZARD_STATES,
  ROLES,
  automaticNext,
  canSee,
  checkCommand,
  checkPayload,
  listingTarget,
  verificationTarget,
  type Actor,
  type HazardCommand,
  type HazardCommandContext,
  type HazardGrade,
  type HazardState,
  type Role,
} from '../../domain/hazard';

const SCOPE = { enterpriseId: 'ent-1', countyCode: '140202', departmentCode: 'yjj' };
const hazard = (over: Partial<HazardCommandContext> = {}): HazardCommandContext => ({ ...SCOPE, state: 'RECTIFYING', grade: 'GENERAL', extensionPending: false, ...over });

/** An actor whose scope covers SCOPE. */
const insider = (role: Role): Actor => ({
  keyId: `key-${role}`,
  role,
  scope: ({ admin: null, office: null, department: 'yjj', county: '140202', enterprise: 'ent-1', reviewer: '140202' } as Record<Role, string | null>)[role],
  name: `${role} tester`,
});
const outsider = (role: 'department' | 'county' | 'enterprise'): Actor => ({ keyId: `key-other-${role}`, role, scope: 'someone-else', name: 'other' });

// ---- The expected lifecycle, written by hand from the brief (闭环管理). ----
const OPEN: HazardState[] = ['REGISTERED', 'REPORTED_TO_REGULATOR', 'LISTED_FOR_SUPERVISION', 'RECTIFYING', 'SUBMITTED', 'VERIFIED'];

/** States in which each command may be issued. */
const ALLOWED_FROM: Record<HazardCommand, HazardState[]> = {
  // 挂牌督办 runs beside rectification (主要负责人领衔整治 at once), in any open state, once.
  listForSupervision: OPEN,
  submitRectification: ['RECTIFYING'],
  decideVerification: ['SUBMITTED'],
  close: ['VERIFIED'],
  // The enterprise asks for more time while the work is still its own (not once it has submitted).
  requestExtension: ['REGISTERED', 'REPORTED_TO_REGULATOR', 'LISTED_FOR_SUPERVISION', 'RECTIFYING'],
  decideExtension: OPEN,
  withdraw: OPEN,
};

/** Roles that may issue each command, per grade: the enterprise verifies general hazards, a regulator major ones. */
const ALLOWED_ROLES: Record<HazardCommand, Record<HazardGrade, Role[]>> = {
  listForSupervision: { GENERAL: [], MAJOR: ['department', 'office', 'admin'] },
  submitRectification: { GENERAL: ['enterprise', 'admin'], MAJOR: ['enterprise', 'admin'] },
  decideVerification: { GENERAL: ['enterprise', 'department', 'office', 'admin'], MAJOR: ['department', 'office', 'admin'] },
  close: { GENERAL: ['enterprise', 'department', 'office', 'admin'], MAJOR: ['department', 'office', 'admin'] },
  requestExtension: { GENERAL: ['enterprise', 'admin'], MAJOR: ['enterprise', 'admin'] },
  decideExtension: { GENERAL: ['county', 'department', 'office', 'admin'], MAJOR: ['department', 'office', 'admin'] },
  withdraw: { GENERAL: ['office', 'admin'], MAJOR: ['office', 'admin'] },
};

const TARGET: Record<HazardCommand, HazardState | null> = {
  // The state stays (see listingTarget for runs from before the parallel track).
  listForSupervision: null,
  submitRectification: 'SUBMITTED',
  decideVerification: 'VERIFIED',
  close: 'CLOSED',
  requestExtension: null,
  decideExtension: null,
  withdraw: 'WITHDRAWN',
};

describe('checkCommand: the whole table', () => {
  const cases: [HazardCommand, HazardGrade, Role, HazardState][] = [];
  for (const command of HAZARD_COMMANDS)
    for (const grade of ['GENERAL', 'MAJOR'] as const)
      for (const role of ROLES) for (const state of HAZARD_STATES) cases.push([command, grade, role, state]);

  it('covers 7 commands x 2 grades x 6 roles (the reviewer reads, never commands) x 8 states', () => {
    expect(cases).toHaveLength(672);
  });

  it.each(cases)('%s on a %s hazard by %s in %s', (command, grade, role, state) => {
    // decideExtension needs a pending request, requestExtension needs none: the table is about role and state.
    const h = hazard({ grade, state, extensionPending: command === 'decideExtension' });
    const result = checkCommand(command, h, insider(role));
    if (!ALLOWED_ROLES[command][grade].includes(role)) expect(result).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
    else if (!ALLOWED_FROM[command].includes(state)) expect(result).toMatchObject({ ok: false, code: ErrorCode.ILLEGAL_TRANSITION });
    else expect(result).toEqual({ ok: true, to: TARGET[command] });
  });
});

describe('checkCommand: examples', () => {
  it('hides a hazard of another enterprise, county or department as NOT_FOUND, whatever the command', () => {
    for (const role of ['enterprise', 'county', 'department'] as const) {
      for (const command of HAZARD_COMMANDS) {
        expect(checkCommand(command, hazard(), outsider(role))).toMatchObject({ ok: false, code: ErrorCode.NOT_FOUND });
      }
    }
  });

  it('says NOT_FOUND rather than FORBIDDEN to an out-of-scope key, so it learns nothing', () => {
    // An enterprise may never withdraw; out of scope it must still see NOT_FOUND.
    expect(checkCommand('withdraw', hazard(), outsider('enterprise'))).toMatchObject({ ok: false, code: ErrorCode.NOT_FOUND });
  });

  it('lets an enterprise verify its general hazard', () => {
    expect(checkCommand('decideVerification', hazard({ state: 'SUBMITTED', grade: 'GENERAL' }), insider('enterprise'))).toEqual({ ok: true, to: 'VERIFIED' });
  });

  it('forbids an enterprise to verify its major hazard', () => {
    const result = checkCommand('decideVerification', hazard({ state: 'SUBMITTED', grade: 'MAJOR' }), insider('enterprise'));
    expect(result).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
  });

  it('lets the supervising department verify and close a major hazard', () => {
    expect(checkCommand('decideVerification', hazard({ state: 'SUBMITTED', grade: 'MAJOR' }), insider('department'))).toEqual({ ok: true, to: 'VERIFIED' });
    expect(checkCommand('close', hazard({ state: 'VERIFIED', grade: 'MAJOR' }), insider('department'))).toEqual({ ok: true, to: 'CLOSED' });
  });

  it('lists a major hazard for supervision beside its rectification, once', () => {
    expect(checkCommand('listForSupervision', hazard({ state: 'RECTIFYING', grade: 'MAJOR', listed: false }), insider('department'))).toEqual({ ok: true, to: null });
    expect(checkCommand('listForSupervision', hazard({ state: 'SUBMITTED', grade: 'MAJOR', listed: false }), insider('department'))).toEqual({ ok: true, to: null });
    expect(checkCommand('listForSupervision', hazard({ state: 'RECTIFYING', grade: 'MAJOR', listed: true }), insider('department'))).toMatchObject({ ok: false, code: ErrorCode.ILLEGAL_TRANSITION });
    expect(checkCommand('listForSupervision', hazard({ state: 'CLOSED', grade: 'MAJOR', listed: false }), insider('department'))).toMatchObject({ ok: false, code: ErrorCode.ILLEGAL_TRANSITION });
  });

  it('starts rectifying a reported major hazard at once on the parallel track; runs from before wait for the listing', () => {
    expect(automaticNext('REGISTERED', 'MAJOR', true)).toBe('REPORTED_TO_REGULATOR');
    expect(automaticNext('REPORTED_TO_REGULATOR', 'MAJOR', true)).toBe('RECTIFYING');
    expect(automaticNext('REPORTED_TO_REGULATOR', 'MAJOR', false)).toBeNull();
    expect(automaticNext('REGISTERED', 'GENERAL', true)).toBe('RECTIFYING');
    expect(listingTarget('REPORTED_TO_REGULATOR')).toBe('LISTED_FOR_SUPERVISION');
    expect(listingTarget('RECTIFYING')).toBeNull();
  });

  it('never lists a general hazard for supervision, not even for an admin', () => {
    expect(checkCommand('listForSupervision', hazard({ state: 'REPORTED_TO_REGULATOR', grade: 'GENERAL' }), insider('admin'))).toMatchObject({ ok: false });
  });

  it('lets a county decide an extension of a general hazard but not of a major one', () => {
    expect(checkCommand('decideExtension', hazard({ grade: 'GENERAL', extensionPending: true }), insider('county'))).toEqual({ ok: true, to: null });
    expect(checkCommand('decideExtension', hazard({ grade: 'MAJOR', extensionPending: true }), insider('county'))).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
  });

  it('refuses a second extension request while one is pending', () => {
    expect(checkCommand('requestExtension', hazard({ extensionPending: true }), insider('enterprise'))).toMatchObject({ ok: false, code: ErrorCode.EXTENSION_PENDING });
    expect(checkCommand('requestExtension', hazard({ extensionPending: false }), insider('enterprise'))).toEqual({ ok: true, to: null });
  });

  it('refuses to decide an extension nobody requested', () => {
    expect(checkCommand('decideExtension', hazard({ extensionPending: false }), insider('department'))).toMatchObject({ ok: false, code: ErrorCode.NO_EXTENSION_PENDING });
  });

  it('refuses an extension request after the rectification was submitted', () => {
    expect(checkCommand('requestExtension', hazard({ state: 'SUBMITTED' }), insider('enterprise'))).toMatchObject({ ok: false, code: ErrorCode.ILLEGAL_TRANSITION });
  });

  it('lets the office withdraw from every open state but never from CLOSED or WITHDRAWN', () => {
    for (const state of OPEN) expect(checkCommand('withdraw', hazard({ state }), insider('office'))).toEqual({ ok: true, to: 'WITHDRAWN' });
    for (const state of ['CLOSED', 'WITHDRAWN'] as const) {
      expect(checkCommand('withdraw', hazard({ state }), insider('office'))).toMatchObject({ ok: false, code: ErrorCode.ILLEGAL_TRANSITION });
      expect(checkCommand('withdraw', hazard({ state }), insider('admin'))).toMatchObject({ ok: false, code: ErrorCode.ILLEGAL_TRANSITION });
    }
  });

  it('forbids enterprises, counties and departments to withdraw', () => {
    for (const role of ['enterprise', 'county', 'department'] as const) {
      expect(checkCommand('withdraw', hazard(), insider(role))).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
    }
  });

  it('gives a reason with every refusal', () => {
    const result = checkCommand('close', hazard({ state: 'RECTIFYING' }), insider('office'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/close/);
  });
});

describe('automaticNext', () => {
  it('moves a registered general hazard straight to rectifying', () => {
    expect(automaticNext('REGISTERED', 'GENERAL')).toBe('RECTIFYING');
  });

  it('reports a registered major hazard to the regulator', () => {
    expect(automaticNext('REGISTERED', 'MAJOR')).toBe('REPORTED_TO_REGULATOR');
  });

  it('starts rectifying once a major hazard is listed for supervision', () => {
    expect(automaticNext('LISTED_FOR_SUPERVISION', 'MAJOR')).toBe('RECTIFYING');
  });

  it('waits for people in every other state', () => {
    const waiting: HazardState[] = ['REPORTED_TO_REGULATOR', 'RECTIFYING', 'SUBMITTED', 'VERIFIED', 'CLOSED', 'WITHDRAWN'];
    for (const state of waiting) {
      expect(automaticNext(state, 'GENERAL')).toBeNull();
      expect(automaticNext(state, 'MAJOR')).toBeNull();
    }
  });
});

describe('verificationTarget', () => {
  it('sends an accepted rectification to VERIFIED and a rejected one back to RECTIFYING', () => {
    expect(verificationTarget('ACCEPT')).toBe('VERIFIED');
    expect(verificationTarget('REJECT')).toBe('RECTIFYING');
  });
});

describe('canSee', () => {
  it('lets admin and office see every hazard', () => {
    expect(canSee({ keyId: 'a', role: 'admin', scope: null, name: 'a' }, SCOPE)).toBe(true);
    expect(canSee({ keyId: 'o', role: 'office', scope: null, name: 'o' }, SCOPE)).toBe(true);
  });

  it('matches an enterprise key on the enterprise, a county key on the county, a department key on the department', () => {
    expect(canSee(insider('enterprise'), SCOPE)).toBe(true);
    expect(canSee(insider('county'), SCOPE)).toBe(true);
    expect(canSee(insider('department'), SCOPE)).toBe(true);
  });

  it('does not confuse one kind of scope with another', () => {
    // A department key whose code happens to equal the county code sees nothing through it.
    expect(canSee({ keyId: 'd', role: 'department', scope: '140202', name: 'd' }, SCOPE)).toBe(false);
    expect(canSee({ keyId: 'c', role: 'county', scope: 'yjj', name: 'c' }, SCOPE)).toBe(false);
    expect(canSee({ keyId: 'e', role: 'enterprise', scope: '140202', name: 'e' }, SCOPE)).toBe(false);
  });

  it('hides a hazard from a key without a scope unless it is admin or office', () => {
    expect(canSee({ keyId: 'e', role: 'enterprise', scope: null, name: 'e' }, SCOPE)).toBe(false);
  });
});

describe('checkPayload', () => {
  const now = Date.UTC(2024, 2, 15, 0, 0);
  const deadline = Date.UTC(2024, 2, 20, 15, 59, 59, 999);
  const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

  it('requires evidence with a rectification', () => {
    expect(fields(checkPayload('submitRectification', { evidence: '  ' }, { deadline }, now))).toEqual(['evidence']);
    expect(checkPayload('submitRectification', { evidence: '已更换线路，附照片' }, { deadline }, now)).toEqual([]);
  });

  it('requires a reason to reject a rectification but not to accept one', () => {
    expect(fields(checkPayload('decideVerification', { decision: 'REJECT' }, { deadline }, now))).toEqual(['reason']);
    expect(fields(checkPayload('decideVerification', { decision: 'REJECT', reason: ' ' }, { deadline }, now))).toEqual(['reason']);
    expect(checkPayload('decideVerification', { decision: 'REJECT', reason: '照片不清晰' }, { deadline }, now)).toEqual([]);
    expect(checkPayload('decideVerification', { decision: 'ACCEPT' }, { deadline }, now)).toEqual([]);
  });

  it('requires a reason to withdraw', () => {
    expect(fields(checkPayload('withdraw', { reason: '' }, { deadline }, now))).toEqual(['reason']);
    expect(checkPayload('withdraw', { reason: '重复登记' }, { deadline }, now)).toEqual([]);
  });

  it('accepts an extension request to a later, future deadline with a reason', () => {
    expect(checkPayload('requestExtension', { requestedDeadline: '2024-03-30T15:59:59.999Z', reason: '设备到货延迟' }, { deadline }, now)).toEqual([]);
  });

  it('refuses an extension request that does not move the deadline later', () => {
    expect(fields(checkPayload('requestExtension', { requestedDeadline: new Date(deadline).toISOString(), reason: 'r' }, { deadline }, now))).toEqual(['requestedDeadline']);
    expect(fields(checkPayload('requestExtension', { requestedDeadline: '2024-03-18T00:00:00Z', reason: 'r' }, { deadline }, now))).toEqual(['requestedDeadline']);
  });

  it('refuses an extension request to a date already past, even if later than an overdue deadline', () => {
    const overdue = Date.UTC(2024, 2, 1);
    expect(fields(checkPayload('requestExtension', { requestedDeadline: '2024-03-10T00:00:00Z', reason: 'r' }, { deadline: overdue }, now))).toEqual(['requestedDeadline']);
  });

  it('refuses an extension request without a reason or with a deadline that is not a date', () => {
    expect(fields(checkPayload('requestExtension', { requestedDeadline: '2024-03-30T00:00:00Z', reason: ' ' }, { deadline }, now))).toEqual(['reason']);
    expect(fields(checkPayload('requestExtension', { requestedDeadline: 'next month', reason: 'r' }, { deadline }, now))).toEqual(['requestedDeadline']);
  });

  it('requires a reason to refuse an extension', () => {
    expect(fields(checkPayload('decideExtension', { decision: 'REFUSE' }, { deadline }, now))).toEqual(['reason']);
    expect(checkPayload('decideExtension', { decision: 'REFUSE', reason: '理由不充分' }, { deadline }, now)).toEqual([]);
  });

  it('approves to the requested deadline when no deadline is given, if it is still in the future', () => {
    const requested = Date.UTC(2024, 2, 30, 15, 59, 59, 999);
    expect(checkPayload('decideExtension', { decision: 'APPROVE' }, { deadline, requestedDeadline: requested }, now)).toEqual([]);
    const stale = Date.UTC(2024, 2, 14);
    expect(fields(checkPayload('decideExtension', { decision: 'APPROVE' }, { deadline, requestedDeadline: stale }, now))).toEqual(['requestedDeadline']);
    expect(fields(checkPayload('decideExtension', { decision: 'APPROVE' }, { deadline, requestedDeadline: null }, now))).toEqual(['requestedDeadline']);
  });

  it('approves to a given deadline only if it is in the future', () => {
    const stale = Date.UTC(2024, 2, 14);
    expect(checkPayload('decideExtension', { decision: 'APPROVE', deadline: '2024-04-01T00:00:00Z' }, { deadline, requestedDeadline: stale }, now)).toEqual([]);
    expect(fields(checkPayload('decideExtension', { decision: 'APPROVE', deadline: '2024-03-14T00:00:00Z' }, { deadline }, now))).toEqual(['deadline']);
    expect(fields(checkPayload('decideExtension', { decision: 'APPROVE', deadline: new Date(now).toISOString() }, { deadline }, now))).toEqual(['deadline']);
  });

  it('has no content rules for listing and closing', () => {
    expect(checkPayload('listForSupervision', {}, { deadline }, now)).toEqual([]);
    expect(checkPayload('close', {}, { deadline }, now)).toEqual([]);
  });
});
