import { describe, expect, it } from 'vitest';
import { calendarPart, isCalendarOnly, isDuration, parseDuration, timePartMs } from '../../domain/duration';

const zero = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

describe('parseDuration', () => {
  it('reads days: P3D', () => {
    expect(parseDuration('P3D')).toEqual({ ...zero, days: 3 });
  });

  it('reads seconds: PT30S', () => {
    expect(parseDuration('PT30S')).toEqual({ ...zero, seconds: 30 });
  });

  it('reads days and hours together: P1DT2H', () => {
    expect(parseDuration('P1DT2H')).toEqual({ ...zero, days: 1, hours: 2 });
  });

  it('reads weeks: P1W', () => {
    expect(parseDuration('P1W')).toEqual({ ...zero, weeks: 1 });
  });

  it('reads fractional seconds: PT0.5S', () => {
    expect(parseDuration('PT0.5S')).toEqual({ ...zero, seconds: 0.5 });
  });

  it('reads zero days: P0D (immediate escalation of major hazards)', () => {
    expect(parseDuration('P0D')).toEqual(zero);
  });

  it('tells months (P1M) from minutes (PT1M)', () => {
    expect(parseDuration('P1M')).toEqual({ ...zero, months: 1 });
    expect(parseDuration('PT1M')).toEqual({ ...zero, minutes: 1 });
  });

  it('reads every designator at once', () => {
    expect(parseDuration('P1Y2M3W4DT5H6M7S')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 });
  });

  it.each(['P', 'PT', '3D', 'P-1D', 'P1.5D', '', 'P1DT', 'PT1.5H', 'P1D2W', 'P1.5W', ' P3D', 'P3D ', '3 days'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
    expect(isDuration(text)).toBe(false);
  });

  it('says a well-formed duration is one', () => {
    expect(isDuration('P7D')).toBe(true);
  });
});

describe('duration parts', () => {
  it('counts a duration without hours, minutes or seconds as calendar-only', () => {
    expect(isCalendarOnly({ ...zero, days: 3 })).toBe(true);
    expect(isCalendarOnly({ ...zero, weeks: 1, months: 2 })).toBe(true);
    expect(isCalendarOnly({ ...zero, days: 1, hours: 2 })).toBe(false);
    expect(isCalendarOnly({ ...zero, seconds: 30 })).toBe(false);
  });

  it('turns the time part into milliseconds, ignoring the calendar part', () => {
    expect(timePartMs({ ...zero, days: 1, hours: 2 })).toBe(7_200_000);
    expect(timePartMs({ ...zero, hours: 1, minutes: 30 })).toBe(5_400_000);
    expect(timePartMs({ ...zero, seconds: 0.5 })).toBe(500);
  });

  it('counts weeks as seven days in the calendar part, with the sign applied', () => {
    expect(calendarPart({ ...zero, weeks: 1, days: 2 }, -1).days).toBe(-9);
    expect(calendarPart({ ...zero, months: 2 }, -1).months).toBe(-2);
    expect(calendarPart({ ...zero, years: 1, months: 2, days: 3 }, 1)).toEqual({ years: 1, months: 2, days: 3 });
  });
});
