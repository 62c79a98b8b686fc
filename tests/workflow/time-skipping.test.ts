import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { timeSkippingEnv } from '../support';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

it('skips server time without waiting', async () => {
  expect(env.supportsTimeSkipping).toBe(true);
  const before = await env.currentTimeMs();
  const wallStart = Date.now();
  await env.sleep('5 days');
  const skipped = (await env.currentTimeMs()) - before;
  expect(skipped).toBeGreaterThanOrEqual(5 * 24 * 3600 * 1000);
  expect(Date.now() - wallStart).toBeLessThan(10_000);
});
