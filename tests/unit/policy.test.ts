import { describe, expect, it } from 'vitest';
import { DEFAULT_HAZARD_POLICIES, hazardSchedule, resolvePolicy, validatePolicyOverride, type HazardPolicy } from '../../domain/policy';

// Asia/Shanghai is UTC+8: 09:00 local is 01:00 UTC; the end of a local day is 15:59:59.999 UTC.
const SH = 'Asia/Shanghai';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END_OF_20_MARCH_SH = Date.UTC(2024, 2, 20, 15, 59, 59, 999);
const LONG_AGO = Date.UTC(2024, 0, 1);

const policy = (over: Partial<HazardPolicy> = {}): HazardPolicy => ({ reminderOffsets: [], escalationAfter: 'P7D', sendTime: '09:00', ...over });
const at = (events: { at: number }[]) => events.map((e) => e.at);

describe('DEFAULT_HAZARD_POLICIES', () => {
  it('reminds general hazards 3 days and 1 day ahead and escalates 7 days late', () => {
    expect(DEFAULT_HAZARD_POLICIES.GENERAL).toEqual({ reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P7D', sendTime: '09:00' });
  });

  it('reminds major hazards 7, 3 and 1 days ahead and escalates them at the deadline', () => {
    expect(DEFAULT_HAZARD_POLICIES.MAJOR).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '09:00' });
  });
});

describe('resolvePolicy', () => {
  it('gives the grade default without overrides', () => {
    expect(resolvePolicy('GENERAL')).toEqual({ reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P7D', sendTime: '09:00' });
    expect(resolvePolicy('MAJOR')).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P0D', sendTime: '09:00' });
  });

  it('lets an override replace only the fields it names', () => {
    expect(resolvePolicy('MAJOR', { escalationAfter: 'P2D' })).toEqual({ reminderOffsets: ['P7D', 'P3D', 'P1D'], escalationAfter: 'P2D', sendTime: '09:00' });
  });

  it('lets the later layer win: hazard over campaign over grade default', () => {
    const campaign = { reminderOffsets: ['P5D'], sendTime: '08:30' };
    const hazard = { sendTime: '10:00' };
    expect(resolvePolicy('GENERAL', campaign, hazard)).toEqual({ reminderOffsets: ['P5D'], escalationAfter: 'P7D', sendTime: '10:00' });
  });

  it('skips a missing layer', () => {
    expect(resolvePolicy('GENERAL', undefined, { escalationAfter: 'P1D' })).toEqual({ reminderOffsets: ['P3D', 'P1D'], escalationAfter: 'P1D', sendTime: '09:00' });
  });

  it('returns a copy: changing it leaves the defaults and the override alone', () => {
    const override = { reminderOffsets: ['P2D'] };
    const resolved = resolvePolicy('GENERAL', override);
    resolved.reminderOffsets.push('P9D');
    resolvePolicy('MAJOR').reminderOffsets.push('P9D');
    expect(override.reminderOffsets).toEqual(['P2D']);
    expect(DEFAULT_HAZARD_POLICIES.MAJOR.reminderOffsets).toEqual(['P7D', 'P3D', 'P1D']);
  });
});

describe('validatePolicyOverride', () => {
  it('refuses steps longer than five years, which no schedule could keep', () => {
    expect(validatePolicyOverride({ escalationAfter: 'P300000Y', reminderOffsets: ['P3D', 'P99999999999999999999D'] }).map((e) => e.field)).toEqual([
      'policy.reminderOffsets[1]',
      'policy.escalationAfter',
    ]);
    expect(validatePolicyOverride({ escalationAfter: 'P1800D', reminderOffsets: ['P4Y'] })).toEqual([]);
  });

  it('accepts a valid override and an empty one', () => {
    expect(validatePolicyOverride({ reminderOffsets: ['P3D', 'PT30S'], escalationAfter: 'P7D', sendTime: '08:30' })).toEqual([]);
    expect(validatePolicyOverride({})).toEqual([]);
  });

  it('names the offending reminder offset by its index', () => {
    const errors = validatePolicyOverride({ reminderOffsets: ['P3D', '3 days', 'P1D'] });
    expect(errors.map((e) => e.field)).toEqual(['policy.reminderOffsets[1]']);
    expect(errors[0]!.reason).toContain('3 days');
  });

  it('rejects a bad escalation step and a bad send time on their own fields', () => {
    const errors = validatePolicyOverride({ escalationAfter: 'soon', sendTime: '9am' });
    expect(errors.map((e) => e.field)).toEqual(['policy.escalationAfter', 'policy.sendTime']);
  });

  it.each(['24:00', '09:60', '9:00', ''])('rejects the send time %j', (sendTime) => {
    expect(validatePolicyOverride({ sendTime }).map((e) => e.field)).toEqual(['policy.sendTime']);
  });

  it('prefixes fields with the given path', () => {
    expect(validatePolicyOverride({ reminderOffsets: ['x'] }, 'campaign.policy').map((e) => e.field)).toEqual(['campaign.policy.reminderOffsets[0]']);
  });
});

describe('hazardSchedule', () => {
  it('schedules a general hazard: reminders at 09:00 three days and one day before, overdue at the deadline, escalation seven days later', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: DEFAULT_HAZARD_POLICIES.GENERAL, timeZone: SH, armedAt: LONG_AGO });
    expect(events).toEqual([
      { key: 'reminder:P3D', kind: 'REMINDER', at: Date.UTC(2024, 2, 17, 1, 0), offset: 'P3D' },
      { key: 'reminder:P1D', kind: 'REMINDER', at: Date.UTC(2024, 2, 19, 1, 0), offset: 'P1D' },
      { key: 'overdue', kind: 'OVERDUE', at: END_OF_20_MARCH_SH },
      { key: 'escalation', kind: 'ESCALATION', at: Date.UTC(2024, 2, 27, 15, 59, 59, 999), offset: 'P7D' },
    ]);
  });

  it('schedules a major hazard: three reminders, then overdue and escalation at the same instant, overdue first', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: DEFAULT_HAZARD_POLICIES.MAJOR, timeZone: SH, armedAt: LONG_AGO });
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['REMINDER', Date.UTC(2024, 2, 13, 1, 0)],
      ['REMINDER', Date.UTC(2024, 2, 17, 1, 0)],
      ['REMINDER', Date.UTC(2024, 2, 19, 1, 0)],
      ['OVERDUE', END_OF_20_MARCH_SH],
      ['ESCALATION', END_OF_20_MARCH_SH],
    ]);
  });

  it('counts reminder days on the local calendar, not the UTC one', () => {
    // 04:00 on 20 March in Shanghai is still 19 March in UTC; one day before is 19 March local.
    const deadline = Date.UTC(2024, 2, 19, 20, 0);
    const events = hazardSchedule({ deadline, policy: policy({ reminderOffsets: ['P1D'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events[0]).toEqual({ key: 'reminder:P1D', kind: 'REMINDER', at: Date.UTC(2024, 2, 19, 1, 0), offset: 'P1D' });
  });

  it('sends day reminders at 09:00 even when the deadline is in the small hours', () => {
    // Deadline 02:00 local on 20 March: the P1D reminder is 09:00 on 19 March, not 02:00.
    const deadline = Date.UTC(2024, 2, 19, 18, 0);
    const events = hazardSchedule({ deadline, policy: policy({ reminderOffsets: ['P1D'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events[0]!.at).toBe(Date.UTC(2024, 2, 19, 1, 0));
  });

  it('sends day reminders at the policy send time', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ reminderOffsets: ['P1D'], sendTime: '14:30' }), timeZone: SH, armedAt: LONG_AGO });
    expect(events[0]!.at).toBe(Date.UTC(2024, 2, 19, 6, 30));
  });

  it('sends a reminder with a time part at the exact instant: PT30S is 30 seconds before the deadline', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ reminderOffsets: ['PT30S'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events[0]).toEqual({ key: 'reminder:PT30S', kind: 'REMINDER', at: END_OF_20_MARCH_SH - 30_000, offset: 'PT30S' });
  });

  it('sends PT2H two hours before and P1DT2H one day and two hours before the deadline', () => {
    const deadline = Date.UTC(2024, 2, 20, 2, 0); // 10:00 local
    const events = hazardSchedule({ deadline, policy: policy({ reminderOffsets: ['PT2H', 'P1DT2H'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events.filter((e) => e.kind === 'REMINDER').map((e) => [e.offset, e.at])).toEqual([
      ['P1DT2H', Date.UTC(2024, 2, 19, 0, 0)],
      ['PT2H', Date.UTC(2024, 2, 20, 0, 0)],
    ]);
  });

  it('skips reminders that fell before the deadline was armed instead of sending them late', () => {
    // Armed at 12:00 local on 18 March: the P3D reminder (17 March 09:00) is past, the P1D one is not.
    const armedAt = Date.UTC(2024, 2, 18, 4, 0);
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: DEFAULT_HAZARD_POLICIES.GENERAL, timeZone: SH, armedAt });
    expect(events.map((e) => e.key)).toEqual(['reminder:P1D', 'overdue', 'escalation']);
    expect(events.every((e) => e.at >= armedAt)).toBe(true);
  });

  it('keeps a reminder that falls exactly at the arming instant', () => {
    const armedAt = Date.UTC(2024, 2, 19, 1, 0);
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: DEFAULT_HAZARD_POLICIES.GENERAL, timeZone: SH, armedAt });
    expect(events.map((e) => e.key)).toEqual(['reminder:P1D', 'overdue', 'escalation']);
  });

  it('still schedules overdue and escalation when every reminder is past', () => {
    const armedAt = Date.UTC(2024, 2, 20, 12, 0);
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: DEFAULT_HAZARD_POLICIES.MAJOR, timeZone: SH, armedAt });
    expect(events.map((e) => e.key)).toEqual(['overdue', 'escalation']);
  });

  it('drops a same-day reminder when the deadline is before the send time', () => {
    const deadline = Date.UTC(2024, 2, 20, 0, 0); // 08:00 local, 09:00 would be after it
    const events = hazardSchedule({ deadline, policy: policy({ reminderOffsets: ['P0D'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events.map((e) => e.kind)).toEqual(['OVERDUE', 'ESCALATION']);
  });

  it('drops a reminder that would land exactly at the deadline', () => {
    const deadline = Date.UTC(2024, 2, 20, 1, 0); // 09:00 local
    const events = hazardSchedule({ deadline, policy: policy({ reminderOffsets: ['P0D', 'PT0S'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events.map((e) => e.kind)).toEqual(['OVERDUE', 'ESCALATION']);
  });

  it('keeps a same-day reminder when the deadline is after the send time', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ reminderOffsets: ['P0D'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events[0]).toMatchObject({ kind: 'REMINDER', at: Date.UTC(2024, 2, 20, 1, 0) });
  });

  it('sends one reminder when two offsets land on the same instant', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ reminderOffsets: ['P7D', 'P1W'] }), timeZone: SH, armedAt: LONG_AGO });
    const reminders = events.filter((e) => e.kind === 'REMINDER');
    expect(reminders).toEqual([{ key: 'reminder:P7D', kind: 'REMINDER', at: Date.UTC(2024, 2, 13, 1, 0), offset: 'P7D' }]);
  });

  it('sends one reminder when a day offset and an hour offset coincide', () => {
    const deadline = Date.UTC(2024, 2, 20, 1, 0); // 09:00 local: P1D and PT24H are both 09:00 on 19 March
    const events = hazardSchedule({ deadline, policy: policy({ reminderOffsets: ['P1D', 'PT24H'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(at(events.filter((e) => e.kind === 'REMINDER'))).toEqual([deadline - DAY]);
  });

  it('orders events by time whatever order the offsets are written in', () => {
    const events = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ reminderOffsets: ['P1D', 'PT30S', 'P3D'] }), timeZone: SH, armedAt: LONG_AGO });
    expect(events.map((e) => e.key)).toEqual(['reminder:P3D', 'reminder:P1D', 'reminder:PT30S', 'overdue', 'escalation']);
  });

  it('escalates exactly the escalation step after the deadline', () => {
    const seconds = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ escalationAfter: 'PT30S' }), timeZone: SH, armedAt: LONG_AGO });
    expect(seconds.find((e) => e.kind === 'ESCALATION')!.at).toBe(END_OF_20_MARCH_SH + 30_000);
    const days = hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ escalationAfter: 'P7D' }), timeZone: SH, armedAt: LONG_AGO });
    expect(days.find((e) => e.kind === 'ESCALATION')!.at).toBe(END_OF_20_MARCH_SH + 7 * DAY);
  });

  it('puts overdue exactly at the deadline', () => {
    const deadline = Date.UTC(2024, 2, 20, 3, 17, 42, 123);
    const events = hazardSchedule({ deadline, policy: DEFAULT_HAZARD_POLICIES.GENERAL, timeZone: SH, armedAt: LONG_AGO });
    expect(events.find((e) => e.kind === 'OVERDUE')).toEqual({ key: 'overdue', kind: 'OVERDUE', at: deadline });
  });

  it('keeps reminders at 09:00 local across the New York spring-forward', () => {
    // Deadline: end of 2024-03-11 in New York (EDT) = 2024-03-12T03:59:59.999Z.
    // P3D: 2024-03-08 09:00 EST = 14:00Z; P1D: 2024-03-10 09:00 EDT = 13:00Z.
    const deadline = Date.UTC(2024, 2, 12, 3, 59, 59, 999);
    const events = hazardSchedule({ deadline, policy: DEFAULT_HAZARD_POLICIES.GENERAL, timeZone: 'America/New_York', armedAt: LONG_AGO });
    expect(at(events.filter((e) => e.kind === 'REMINDER'))).toEqual([Date.UTC(2024, 2, 8, 14, 0), Date.UTC(2024, 2, 10, 13, 0)]);
  });

  it('keeps reminders at 09:00 local across the Berlin fall-back', () => {
    // Deadline: end of 2024-10-28 in Berlin (CET) = 22:59:59.999Z.
    // P3D: 2024-10-25 09:00 CEST = 07:00Z; P1D: 2024-10-27 09:00 CET = 08:00Z.
    const deadline = Date.UTC(2024, 9, 28, 22, 59, 59, 999);
    const events = hazardSchedule({ deadline, policy: DEFAULT_HAZARD_POLICIES.GENERAL, timeZone: 'Europe/Berlin', armedAt: LONG_AGO });
    expect(at(events.filter((e) => e.kind === 'REMINDER'))).toEqual([Date.UTC(2024, 9, 25, 7, 0), Date.UTC(2024, 9, 27, 8, 0)]);
  });

  it('refuses an invalid offset or escalation step', () => {
    expect(() => hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ reminderOffsets: ['3 days'] }), timeZone: SH, armedAt: LONG_AGO })).toThrow(RangeError);
    expect(() => hazardSchedule({ deadline: END_OF_20_MARCH_SH, policy: policy({ escalationAfter: 'later' }), timeZone: SH, armedAt: LONG_AGO })).toThrow(RangeError);
  });
});
