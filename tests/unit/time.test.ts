import { describe, expect, it } from 'vitest';
import {
  addToLocalDate,
  endOfLocalDay,
  instantOfLocal,
  isValidTimeZone,
  localDateOf,
  localTimeOf,
  parseDeadline,
  parseLocalDate,
} from '../../domain/time';

// Expected instants are written by hand: Asia/Shanghai is UTC+8 all year; America/New_York is
// UTC-5 (EST) / UTC-4 (EDT, from 2024-03-10 02:00 local to 2024-11-03 02:00 local); Europe/Berlin
// is UTC+1 (CET) / UTC+2 (CEST, from 2024-03-31 02:00 local to 2024-10-27 03:00 local).
const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';

describe('parseLocalDate', () => {
  it('reads a calendar date into its parts', () => {
    expect(parseLocalDate('2024-03-20')).toEqual({ year: 2024, month: 3, day: 20 });
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseLocalDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it.each(['2023-02-29', '2023-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-03-00'])('rejects the non-existent date %s', (text) => {
    expect(parseLocalDate(text)).toBeNull();
  });

  it.each(['2024-3-5', '20240305', '2024/03/05', '', '2024-03-05T00:00', ' 2024-03-05'])('rejects %j, which is not written YYYY-MM-DD', (text) => {
    expect(parseLocalDate(text)).toBeNull();
  });
});

describe('instantOfLocal', () => {
  it('reads Shanghai wall-clock time as UTC+8', () => {
    expect(instantOfLocal('2024-03-20', '09:00', SH)).toBe(Date.UTC(2024, 2, 20, 1, 0));
  });

  it('puts a Shanghai early-morning time on the previous UTC day', () => {
    expect(instantOfLocal('2024-01-01', '00:00', SH)).toBe(Date.UTC(2023, 11, 31, 16, 0));
  });

  it('keeps seconds and milliseconds', () => {
    expect(instantOfLocal('2024-03-20', '23:59:59.5', SH)).toBe(Date.UTC(2024, 2, 20, 15, 59, 59, 500));
  });

  it('uses the winter and the summer offset of New York', () => {
    expect(instantOfLocal('2024-01-15', '12:00', NY)).toBe(Date.UTC(2024, 0, 15, 17, 0));
    expect(instantOfLocal('2024-07-04', '12:00', NY)).toBe(Date.UTC(2024, 6, 4, 16, 0));
  });

  it('uses summer time for a New York morning on the day clocks spring forward', () => {
    expect(instantOfLocal('2024-03-10', '09:00', NY)).toBe(Date.UTC(2024, 2, 10, 13, 0));
  });

  it('uses winter time for a Berlin noon on the day clocks fall back', () => {
    expect(instantOfLocal('2024-10-27', '12:00', BERLIN)).toBe(Date.UTC(2024, 9, 27, 11, 0));
  });

  it('refuses a date that does not exist', () => {
    expect(() => instantOfLocal('2023-02-29', '09:00', SH)).toThrow(RangeError);
  });

  it('refuses a malformed time', () => {
    expect(() => instantOfLocal('2024-03-20', '9am', SH)).toThrow(RangeError);
  });
});

describe('localDateOf and localTimeOf', () => {
  it('gives the Shanghai date, which is a day ahead of UTC after 16:00 UTC', () => {
    const at = Date.UTC(2024, 2, 19, 16, 0);
    expect(localDateOf(at, SH)).toBe('2024-03-20');
    expect(localTimeOf(at, SH)).toBe('00:00:00');
    expect(localDateOf(at, 'UTC')).toBe('2024-03-19');
    expect(localTimeOf(at, 'UTC')).toBe('16:00:00');
  });

  it('gives the last second of a Shanghai day', () => {
    const at = Date.UTC(2024, 2, 19, 15, 59, 59);
    expect(localDateOf(at, SH)).toBe('2024-03-19');
    expect(localTimeOf(at, SH)).toBe('23:59:59');
  });

  it('shows midnight as 00, not 24', () => {
    expect(localTimeOf(Date.UTC(2024, 0, 1, 5, 0), NY)).toBe('00:00:00');
    expect(localDateOf(Date.UTC(2024, 0, 1, 5, 0), NY)).toBe('2024-01-01');
  });

  it('jumps from 01:59:59 to 03:00:00 when New York springs forward', () => {
    const switchAt = Date.UTC(2024, 2, 10, 7, 0);
    expect(localTimeOf(switchAt - 1000, NY)).toBe('01:59:59');
    expect(localTimeOf(switchAt, NY)).toBe('03:00:00');
    expect(localDateOf(switchAt, NY)).toBe('2024-03-10');
  });
});

describe('addToLocalDate', () => {
  it('clamps 31 January plus one month to 29 February in a leap year', () => {
    expect(addToLocalDate('2024-01-31', { months: 1 })).toBe('2024-02-29');
  });

  it('clamps 31 January plus one month to 28 February in a common year', () => {
    expect(addToLocalDate('2023-01-31', { months: 1 })).toBe('2023-02-28');
  });

  it('clamps 31 March minus one month to 29 February', () => {
    expect(addToLocalDate('2024-03-31', { months: -1 })).toBe('2024-02-29');
  });

  it('clamps 29 February plus one year to 28 February', () => {
    expect(addToLocalDate('2024-02-29', { years: 1 })).toBe('2025-02-28');
  });

  it('carries months over the year end in both directions', () => {
    expect(addToLocalDate('2024-11-30', { months: 3 })).toBe('2025-02-28');
    expect(addToLocalDate('2024-01-15', { months: -13 })).toBe('2022-12-15');
  });

  it('adds days across month and year ends', () => {
    expect(addToLocalDate('2024-12-31', { days: 1 })).toBe('2025-01-01');
    expect(addToLocalDate('2024-03-01', { days: -1 })).toBe('2024-02-29');
    expect(addToLocalDate('2024-02-20', { days: 14 })).toBe('2024-03-05');
  });

  it('clamps the month before adding days', () => {
    expect(addToLocalDate('2024-01-31', { months: 1, days: 1 })).toBe('2024-03-01');
  });

  it('returns the same date for an empty delta', () => {
    expect(addToLocalDate('2024-03-20', {})).toBe('2024-03-20');
  });

  it('refuses a date that does not exist', () => {
    expect(() => addToLocalDate('2023-02-29', { days: 1 })).toThrow(RangeError);
  });
});

describe('endOfLocalDay', () => {
  it('is 23:59:59.999 Shanghai time, 15:59:59.999 UTC', () => {
    expect(endOfLocalDay('2024-03-20', SH)).toBe(Date.UTC(2024, 2, 20, 15, 59, 59, 999));
  });

  it('handles the last day of the year', () => {
    expect(endOfLocalDay('2024-12-31', SH)).toBe(Date.UTC(2024, 11, 31, 15, 59, 59, 999));
  });

  it('ends the 23-hour New York spring-forward day at the next local midnight (EDT)', () => {
    const end = endOfLocalDay('2024-03-10', NY);
    expect(end).toBe(Date.UTC(2024, 2, 11, 3, 59, 59, 999));
    // The day began at 00:00 EST = 05:00 UTC and lasted 23 hours.
    expect(end + 1 - Date.UTC(2024, 2, 10, 5, 0)).toBe(23 * 3_600_000);
  });

  it('ends the 25-hour New York fall-back day at the next local midnight (EST)', () => {
    expect(endOfLocalDay('2024-11-03', NY)).toBe(Date.UTC(2024, 10, 4, 4, 59, 59, 999));
  });

  it('ends the Berlin fall-back day at midnight CET', () => {
    expect(endOfLocalDay('2024-10-27', BERLIN)).toBe(Date.UTC(2024, 9, 27, 22, 59, 59, 999));
  });

  it('ends the Berlin spring-forward day at midnight CEST', () => {
    expect(endOfLocalDay('2024-03-31', BERLIN)).toBe(Date.UTC(2024, 2, 31, 21, 59, 59, 999));
  });

  it('ends a Santiago day whose next midnight is skipped by summer time at the switch, not an hour early', () => {
    // Chile springs forward at 24:00 on 2024-09-07 (UTC-4): 2024-09-08T04:00Z is 01:00 UTC-3,
    // so the last millisecond of 2024-09-07 is 03:59:59.999 UTC (23:59:59.999 local).
    expect(endOfLocalDay('2024-09-07', 'America/Santiago')).toBe(Date.UTC(2024, 8, 8, 3, 59, 59, 999));
  });
});

describe('parseDeadline', () => {
  it('answers null, not an exception, for the last day of year 9999', () => {
    expect(parseDeadline('9999-12-31', SH)).toBeNull();
  });

  it('reads an instant with fractional seconds as JSON and other systems write it', () => {
    expect(parseDeadline('2024-03-20T10:00:00.123Z', SH)).toBe(Date.UTC(2024, 2, 20, 10, 0, 0, 123));
    expect(parseDeadline('2024-03-20T10:00:00.123456+08:00', SH)).toBe(Date.UTC(2024, 2, 20, 2, 0, 0, 123));
  });

  it('reads a date alone as the end of that day in the zone', () => {
    expect(parseDeadline('2024-03-20', SH)).toBe(Date.UTC(2024, 2, 20, 15, 59, 59, 999));
    expect(parseDeadline('2024-03-20', BERLIN)).toBe(Date.UTC(2024, 2, 20, 22, 59, 59, 999));
  });

  it('reads a date alone on a DST day as the end of that local day', () => {
    expect(parseDeadline('2024-03-10', NY)).toBe(Date.UTC(2024, 2, 11, 3, 59, 59, 999));
  });

  it('reads a date-time without offset as wall-clock time in the zone', () => {
    expect(parseDeadline('2024-03-20T17:30', SH)).toBe(Date.UTC(2024, 2, 20, 9, 30));
    expect(parseDeadline('2024-03-20T17:30:15', SH)).toBe(Date.UTC(2024, 2, 20, 9, 30, 15));
    expect(parseDeadline('2024-03-20T17:30:15.250', SH)).toBe(Date.UTC(2024, 2, 20, 9, 30, 15, 250));
    expect(parseDeadline('2024-07-01T09:00', NY)).toBe(Date.UTC(2024, 6, 1, 13, 0));
  });

  it('reads a date-time with Z or an offset as an absolute instant, whatever the zone', () => {
    expect(parseDeadline('2024-03-20T17:30:00Z', SH)).toBe(Date.UTC(2024, 2, 20, 17, 30));
    expect(parseDeadline('2024-03-20T17:30:00+08:00', NY)).toBe(Date.UTC(2024, 2, 20, 9, 30));
    expect(parseDeadline('2024-03-20T17:30-05:00', SH)).toBe(Date.UTC(2024, 2, 20, 22, 30));
  });

  it.each(['', 'tomorrow', 'next friday', '20/03/2024', '2024-03-20 17:30', '2024-3-20', '1710900000000'])('returns null for %j', (text) => {
    expect(parseDeadline(text, SH)).toBeNull();
  });

  it.each(['2023-02-30', '2023-02-29', '2024-04-31'])('returns null for the non-existent date %s', (text) => {
    expect(parseDeadline(text, SH)).toBeNull();
  });

  it.each(['2024-02-30T10:00', '2024-03-20T24:00', '2024-03-20T10:60', '2024-03-20T10:00:60'])('returns null for the impossible local date-time %s', (text) => {
    expect(parseDeadline(text, SH)).toBeNull();
  });

  it('returns null for an impossible hour with an offset', () => {
    expect(parseDeadline('2024-03-20T25:00Z', SH)).toBeNull();
  });

  it.each(['2023-02-30T10:00:00Z', '2024-02-30T10:00+08:00', '2024-04-31T12:00:00-05:00'])(
    'returns null for %s, whose date does not exist, rather than rolling it into the next month',
    (text) => {
      expect(parseDeadline(text, SH)).toBeNull();
    },
  );
});

describe('isValidTimeZone', () => {
  it.each(['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'UTC'])('accepts the IANA zone %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Base', 'Not a zone', '', 'Asia/Shangai'])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});
