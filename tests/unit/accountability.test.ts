import { describe, expect, it } from 'vitest';
import {
  CASE_RUNGS,
  DEFAULT_CASE_LADDER,
  caseReviewSchedule,
  checkDecision,
  nextRung,
  resolveCaseLadder,
  rungsFor,
  validateCaseLadderOverride,
  type CaseDecision,
  type CaseDecisionContext,
} from '../../domain/accountability';
import type { Actor } from '../../domain/hazard';

// Asia/Shanghai is UTC+8 all year: 09:00 local is 01:00 UTC.
const SH = 'Asia/Shanghai';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 29, 6, 30); // 2026-11-29 14:30 local
const later = (ms: number) => new Date(NOW + ms).toISOString();

const actor = (role: Actor['role'], scope: string | null = null): Actor => ({ keyId: 'k', role, scope, name: role });
const office = actor('office');
const open = (over: Partial<CaseDecisionContext> = {}): CaseDecisionContext => ({
  status: 'OPEN',
  rung: 'CIRCULAR',
  subject: { kind: 'UNIT', ref: 'county-a' },
  ladder: { allowSkip: false },
  ...over,
});
const refusal = (c: CaseDecisionContext, d: CaseDecision, who: Actor = office) => {
  const r = checkDecision(c, d, who, NOW);
  return r.ok ? 'OK' : r.code;
};

describe('the ladder', () => {
  it('rises from circular through summons, referral and dismissal to judicial transfer', () => {
    expect(CASE_RUNGS).toEqual(['CIRCULAR', 'SUMMONS', 'REFERRAL', 'DISMISSAL', 'JUDICIAL']);
    expect(nextRung('CIRCULAR')).toBe('SUMMONS');
    expect(nextRung('JUDICIAL')).toBeNull();
  });

  it('gives every rung five days of review and reminders two days and one day before its end, without skipping', () => {
    for (const r of CASE_RUNGS) expect(DEFAULT_CASE_LADDER.rungs[r]).toEqual({ reviewTime: 'P5D', reminderOffsets: ['P2D', 'P1D'] });
    expect(DEFAULT_CASE_LADDER.allowSkip).toBe(false);
  });

  it('lets a template override one rung and the skipping rule, keeping the rest', () => {
    const ladder = resolveCaseLadder({ rungs: { SUMMONS: { reviewTime: 'PT30S' } }, allowSkip: true });
    expect(ladder.rungs.SUMMONS).toEqual({ reviewTime: 'PT30S', reminderOffsets: ['P2D', 'P1D'] });
    expect(ladder.rungs.CIRCULAR).toEqual(DEFAULT_CASE_LADDER.rungs.CIRCULAR);
    expect(ladder.allowSkip).toBe(true);
    expect(DEFAULT_CASE_LADDER.rungs.SUMMONS.reviewTime).toBe('P5D');
  });

  it('names every bad field of an override: unknown rung, bad or zero review time, bad reminder, bad send time', () => {
    const errors = validateCaseLadderOverride({
      rungs: { CIRCULAR: { reviewTime: 'five days', reminderOffsets: ['P1D', 'soon'] }, SUMMONS: { reviewTime: 'P0D' }, WARNING: {} } as never,
      sendTime: '25:00',
    });
    expect(errors.map((e) => e.field).sort()).toEqual(['ladder.rungs.CIRCULAR.reminderOffsets[1]', 'ladder.rungs.CIRCULAR.reviewTime', 'ladder.rungs.SUMMONS.reviewTime', 'ladder.rungs.WARNING', 'ladder.sendTime'].sort());
    expect(validateCaseLadderOverride({ rungs: { CIRCULAR: { reviewTime: 'PT30S', reminderOffsets: ['PT10S'] } } })).toEqual([]);
  });

  it('names fields of the wrong type in an override from outside instead of throwing over them', () => {
    const fields = (v: unknown) => validateCaseLadderOverride(v, 'caseLadder').map((e) => e.field).sort();
    expect(fields('P5D')).toEqual(['caseLadder']);
    expect(fields({ rungs: 'all', allowSkip: 'yes', sendTime: 9, colour: 'red' })).toEqual(['caseLadder.allowSkip', 'caseLadder.colour', 'caseLadder.rungs', 'caseLadder.sendTime']);
    expect(fields({ rungs: { CIRCULAR: { reviewTime: 5, reminderOffsets: 'P1D' }, SUMMONS: [], REFERRAL: { wait: 'P1D' } } })).toEqual([
      'caseLadder.rungs.CIRCULAR.reminderOffsets',
      'caseLadder.rungs.CIRCULAR.reviewTime',
      'caseLadder.rungs.REFERRAL.wait',
      'caseLadder.rungs.SUMMONS',
    ]);
  });
});

describe('the ladder of an enterprise', () => {
  it('has no dismissal (免职 is for officials): from referral it goes on to judicial transfer', () => {
    expect(rungsFor('ENTERPRISE')).toEqual(['CIRCULAR', 'SUMMONS', 'REFERRAL', 'JUDICIAL']);
    expect(rungsFor('UNIT')).toEqual(CASE_RUNGS);
    expect(nextRung('REFERRAL', 'ENTERPRISE')).toBe('JUDICIAL');
    expect(nextRung('REFERRAL', 'UNIT')).toBe('DISMISSAL');
    // A case that stood on 免职 before this rule still has a way up.
    expect(nextRung('DISMISSAL', 'ENTERPRISE')).toBe('JUDICIAL');
  });
});

describe('caseReviewSchedule', () => {
  it('ends the review five days after it opened and reminds at 09:00 local two days and one day before that day', () => {
    const w = caseReviewSchedule({ ladder: DEFAULT_CASE_LADDER, rung: 'CIRCULAR', openedAt: NOW, timeZone: SH });
    expect(w.dueAt).toBe(NOW + 5 * DAY);
    expect(w.events.map((e) => [e.kind, e.at])).toEqual([
      ['REMINDER', Date.UTC(2026, 11, 2, 1)],
      ['REMINDER', Date.UTC(2026, 11, 3, 1)],
      ['OVERDUE', NOW + 5 * DAY],
    ]);
  });

  it('never escalates by itself: the reviewer decides', () => {
    const w = caseReviewSchedule({ ladder: DEFAULT_CASE_LADDER, rung: 'JUDICIAL', openedAt: NOW, timeZone: SH });
    expect(w.events.map((e) => e.kind)).not.toContain('ESCALATION');
  });

  it('uses seconds-long windows exactly, for demos', () => {
    const ladder = resolveCaseLadder({ rungs: { CIRCULAR: { reviewTime: 'PT60S', reminderOffsets: ['PT20S'] } } });
    const w = caseReviewSchedule({ ladder, rung: 'CIRCULAR', openedAt: NOW, timeZone: SH });
    expect(w.events.map((e) => [e.key, e.at - NOW])).toEqual([
      ['reminder:PT20S', 40_000],
      ['overdue', 60_000],
    ]);
  });

  it('skips a reminder that would fall before the window opened', () => {
    const ladder = resolveCaseLadder({ rungs: { CIRCULAR: { reviewTime: 'P1D', reminderOffsets: ['P2D', 'PT1H'] } } });
    const w = caseReviewSchedule({ ladder, rung: 'CIRCULAR', openedAt: NOW, timeZone: SH });
    expect(w.events.map((e) => e.key)).toEqual(['reminder:PT1H', 'overdue']);
  });
});

describe('checkDecision', () => {
  const summons = { kind: 'ESCALATE', reason: '整改不力', summonsAt: later(3 * DAY) } as const;

  it('lets the office escalate to the next rung, a summons with its date', () => {
    expect(refusal(open(), summons)).toBe('OK');
    expect(refusal(open(), { ...summons, to: 'SUMMONS', expose: true })).toBe('OK');
  });

  it('asks a summons for its date in the future and a referral for its body', () => {
    const noDate = checkDecision(open(), { kind: 'ESCALATE', reason: 'r' }, office, NOW);
    expect(noDate).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', errors: [{ field: 'summonsAt' }] });
    expect(refusal(open(), { ...summons, summonsAt: later(-HOUR) })).toBe('VALIDATION_FAILED');
    expect(refusal(open({ rung: 'SUMMONS' }), { kind: 'ESCALATE', reason: 'r' })).toBe('VALIDATION_FAILED');
    expect(refusal(open({ rung: 'SUMMONS' }), { kind: 'ESCALATE', reason: 'r', referralTo: 'PARLIAMENT' as never })).toBe('VALIDATION_FAILED');
    expect(refusal(open({ rung: 'SUMMONS' }), { kind: 'ESCALATE', reason: 'r', referralTo: 'DISCIPLINE_COMMISSION' })).toBe('OK');
  });

  it('refuses to skip a rung unless the ladder allows it', () => {
    const skip: CaseDecision = { kind: 'ESCALATE', reason: 'r', to: 'DISMISSAL' };
    expect(refusal(open(), skip)).toBe('ILLEGAL_TRANSITION');
    expect(refusal(open({ ladder: { allowSkip: true } }), skip)).toBe('OK');
  });

  it('refuses to escalate to the same or a lower rung, or above the top', () => {
    expect(refusal(open({ rung: 'SUMMONS' }), { kind: 'ESCALATE', reason: 'r', to: 'CIRCULAR' })).toBe('ILLEGAL_TRANSITION');
    expect(refusal(open({ rung: 'SUMMONS' }), { kind: 'ESCALATE', reason: 'r', to: 'SUMMONS', summonsAt: later(DAY) })).toBe('ILLEGAL_TRANSITION');
    expect(refusal(open({ rung: 'JUDICIAL' }), { kind: 'ESCALATE', reason: 'r' })).toBe('ILLEGAL_TRANSITION');
  });

  it('requires a reason for every decision', () => {
    for (const d of [{ kind: 'RESOLVE', reason: ' ' }, { kind: 'HOLD', until: later(DAY) }, { ...summons, reason: '' }] as CaseDecision[]) {
      expect(checkDecision(open(), d, office, NOW)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', errors: [{ field: 'reason' }] });
    }
  });

  it('holds only until a date in the future', () => {
    expect(refusal(open(), { kind: 'HOLD', reason: '待调查', until: later(10 * DAY) })).toBe('OK');
    expect(refusal(open(), { kind: 'HOLD', reason: '待调查', until: later(-DAY) })).toBe('VALIDATION_FAILED');
    expect(refusal(open(), { kind: 'HOLD', reason: '待调查', until: 'next week' })).toBe('VALIDATION_FAILED');
  });

  it('lets a held case be decided again, and refuses any decision on a resolved case', () => {
    expect(refusal(open({ status: 'HELD' }), { kind: 'RESOLVE', reason: '已整改' })).toBe('OK');
    for (const d of [{ kind: 'RESOLVE', reason: 'again' }, summons, { kind: 'HOLD', reason: 'r', until: later(DAY) }] as CaseDecision[]) {
      expect(refusal(open({ status: 'RESOLVED' }), d)).toBe('ILLEGAL_TRANSITION');
    }
  });

  it('takes an enterprise case from referral to judicial transfer, and refuses dismissal for it even when skipping is allowed', () => {
    const enterprise = (over: Partial<CaseDecisionContext> = {}) => open({ subject: { kind: 'ENTERPRISE', ref: 'e-1' }, rung: 'REFERRAL', ...over });
    expect(refusal(enterprise(), { kind: 'ESCALATE', reason: '拒不整改' })).toBe('OK');
    expect(refusal(enterprise(), { kind: 'ESCALATE', reason: '拒不整改', to: 'JUDICIAL' })).toBe('OK');
    expect(refusal(enterprise(), { kind: 'ESCALATE', reason: 'r', to: 'DISMISSAL' })).toBe('ILLEGAL_TRANSITION');
    expect(refusal(enterprise({ rung: 'SUMMONS', ladder: { allowSkip: true } }), { kind: 'ESCALATE', reason: 'r', to: 'DISMISSAL' })).toBe('ILLEGAL_TRANSITION');
    // Skipping is counted over the enterprise's own rungs: summons to judicial skips the referral.
    expect(refusal(enterprise({ rung: 'SUMMONS' }), { kind: 'ESCALATE', reason: 'r', to: 'JUDICIAL' })).toBe('ILLEGAL_TRANSITION');
    // A unit's case still goes from referral to dismissal.
    expect(refusal(open({ rung: 'REFERRAL' }), { kind: 'ESCALATE', reason: 'r', to: 'DISMISSAL' })).toBe('OK');
    expect(refusal(open({ rung: 'REFERRAL' }), { kind: 'ESCALATE', reason: 'r', to: 'JUDICIAL' })).toBe('ILLEGAL_TRANSITION');
  });

  it('refuses an unknown kind of decision as invalid', () => {
    expect(refusal(open(), { kind: 'PARDON', reason: 'r' } as never)).toBe('VALIDATION_FAILED');
  });

  it('lets admin and office decide any case, forbids the subject itself, and hides a case from keys out of its scope', () => {
    expect(refusal(open(), { kind: 'RESOLVE', reason: 'r' }, actor('admin'))).toBe('OK');
    expect(refusal(open(), { kind: 'RESOLVE', reason: 'r' }, actor('county', 'county-a'))).toBe('FORBIDDEN');
    expect(refusal(open(), { kind: 'RESOLVE', reason: 'r' }, actor('county', 'county-b'))).toBe('NOT_FOUND');
    expect(refusal(open(), { kind: 'RESOLVE', reason: 'r' }, actor('enterprise', 'county-a'))).toBe('NOT_FOUND');
    expect(refusal(open({ subject: { kind: 'ENTERPRISE', ref: 'e-1' } }), { kind: 'RESOLVE', reason: 'r' }, actor('enterprise', 'e-1'))).toBe('FORBIDDEN');
  });
});
