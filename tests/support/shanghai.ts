// Expected instants in Asia/Shanghai (UTC+8 all year, no DST) as plain arithmetic, independent of
// domain/time: the tests check the domain's calendar maths against these, not against itself.
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const SHANGHAI = 8 * HOUR;

/** The local date (YYYY-MM-DD) of an instant. */
export const shanghaiDate = (ms: number): string => new Date(ms + SHANGHAI).toISOString().slice(0, 10);
/** The last millisecond of a local date. */
export const endOfShanghaiDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) + DAY - SHANGHAI - 1;
/** 09:00 local on a date: when day-offset reminders go out. */
export const shanghai0900 = (date: string): number => Date.parse(`${date}T09:00:00Z`) - SHANGHAI;
export const minusDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) - n * DAY).toISOString().slice(0, 10);
