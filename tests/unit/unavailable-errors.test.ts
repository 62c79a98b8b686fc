// Which errors the API answers as 503 UNAVAILABLE (a backing service down or restarting) rather than 500.
import { describe, expect, it } from 'vitest';
import { isUnavailable } from '../../api/plugins/errors';

const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1'), { cause });
const pgError = (code: string, message = 'pg') => Object.assign(new Error(message), { code });

describe('isUnavailable', () => {
  it.each([
    ['connection refused, wrapped by drizzle', wrapped(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['57P01 admin shutdown', wrapped(pgError('57P01', 'terminating connection due to administrator command'))],
    ['57P03 cannot connect now', pgError('57P03', 'the database system is starting up')],
    ['08006 connection failure', pgError('08006')],
    ['53300 too many connections', pgError('53300')],
    ['pool connect timeout', wrapped(new Error('timeout exceeded when trying to connect'))],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['gRPC UNAVAILABLE', wrapped(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, metadata: {} }))],
  ])('%s: 503', (_what, err) => {
    expect(isUnavailable(err)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['23505 unique violation', wrapped(pgError('23505', 'duplicate key value violates unique constraint'))],
    ['22P02 invalid input', pgError('22P02')],
    ['42P01 undefined table', pgError('42P01')],
    ['a plain code 14 without gRPC metadata', Object.assign(new Error('x'), { code: 14 })],
  ])('%s: not 503', (_what, err) => {
    expect(isUnavailable(err)).toBe(false);
  });
});
