// Asserting RFC 9457 problem answers the way every API test reads them.
import { expect } from 'vitest';
import type { ProblemBody, Reply } from './api-harness';

export const PROBLEM_BASE = 'https://hazard-campaign.dev/problems/';

/** Asserts a problem: status, type, code and (when given) exactly the fields at fault. */
export function expectProblem(reply: Reply<unknown>, status: number, code: string, fields?: string[]): ProblemBody {
  const res = reply as Reply<ProblemBody>;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: PROBLEM_BASE + code.toLowerCase().replace(/_/g, '-') });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  if (fields) expect([...new Set((res.body.errors ?? []).map((e) => e.field))].sort()).toEqual([...fields].sort());
  return res.body;
}
