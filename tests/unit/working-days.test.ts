import { describe, expect, it } from 'vitest';
import { hazardSchedule, validatePolicyOverride } from '../../domain/policy';
import { addWorkingDays, CalendarRangeError, dayInfo } from '../../domain/working-days';
import { composeCalendar } from '../../services/working-calendar';
import { endOfShanghaiDay, shanghai0900 } from '../support/shanghai';

const cal = composeCalendar([]);

describe('the working-day calendar (chinese-days, 2004–2026)', () => {
  it('knows the 2024 Spring Festival break and its make-up Sundays', () => {
    expect(dayInfo(cal, '2024-02-04')).toMatchObject({ working: true, kind: 'MAKE_UP_WORKDAY' });
    expect(dayInfo(cal, '2024-02-12')).toMatchObject({ working: false, kind: 'HOLIDAY' });
    expect(dayInfo(cal, '2024-02-18')).toMatchObject({ working: true, kind: 'MAKE_UP_WORKDAY' });
    expect(dayInfo(cal, '2024-02-24')).toMatchObject({ working: false, kind: 'WEEKEND' });
    expect(addWorkingDays(cal, '2024-02-08', 2)).toBe('2024-02-18');
    expect(addWorkingDays(cal, '2024-02-19', -2)).toBe('2024-02-09');
    expect(addWorkingDays(cal, '2024-09-30', 1)).toBe('2024-10-08');
  });

  it('refuses a day in a year it does not know instead of guessing from the weekday', () => {
    expect(cal.years[0]).toBe(2004);
    expect(() => addWorkingDays(cal, '2026-12-30', 5)).toThrow(CalendarRangeError);
    expect(() => dayInfo(cal, '2003-06-02')).toThrow(/does not know 2003 \(it knows 2004–2026\)/);
  });

  it("takes the office's year: a year it writes is known, its days override the package's, and the version says so", () => {
    const office = composeCalendar([
      { year: 2027, days: [{ date: '2027-01-01', kind: 'HOLIDAY', name: '元旦' }] },
      { year: 2024, days: [{ date: '2024-02-09', kind: 'HOLIDAY', name: '除夕' }] },
    ]);
    expect(addWorkingDays(office, '2026-12-31', 1)).toBe('2027-01-04');
    expect(addWorkingDays(office, '2024-02-08', 1)).toBe('2024-02-18');
    expect(office.version).toMatch(/^chinese-days@1\.5\.7\+office:[0-9a-f]{12}$/);
    expect(cal.version).toBe('chinese-days@1.5.7');
  });
});

describe('policies in working days', () => {
  it('schedules P2WD reminders and a P2WD escalation on working days only', () => {
    const deadline = endOfShanghaiDay('2024-02-20');
    const policy = { reminderOffsets: ['P2WD', 'P3D'], escalationAfter: 'P2WD', sendTime: '09:00' };
    const events = hazardSchedule({ deadline, policy, timeZone: 'Asia/Shanghai', armedAt: 0, calendar: cal });
    expect(events.map((e) => [e.key, e.at])).toEqual([
      ['reminder:P3D', shanghai0900('2024-02-17')],
      ['reminder:P2WD', shanghai0900('2024-02-18')],
      ['overdue', deadline],
      ['escalation', endOfShanghaiDay('2024-02-22')],
    ]);
    expect(() => hazardSchedule({ deadline, policy, timeZone: 'Asia/Shanghai', armedAt: 0 })).toThrow(/no calendar/);
  });

  it("takes P3WD only where the caller allows working days (a hazard's policy), and at most 200", () => {
    expect(validatePolicyOverride({ reminderOffsets: ['P3WD'] }, 'policy', { workingDays: true })).toEqual([]);
    expect(validatePolicyOverride({ reminderOffsets: ['P3WD'] })).toEqual([{ field: 'policy.reminderOffsets[0]', reason: expect.stringContaining('not an ISO-8601 duration') }]);
    expect(validatePolicyOverride({ escalationAfter: 'P201WD' }, 'policy', { workingDays: true })).toEqual([{ field: 'policy.escalationAfter', reason: expect.stringContaining('200 working days') }]);
  });
});
