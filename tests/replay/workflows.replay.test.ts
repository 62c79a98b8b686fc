// Replays histories recorded with earlier versions of each workflow (history_files/,
// written by record-histories.ts). A change that would break running workflows fails here.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/hazard-worker';

type HistoryJson = { events: { eventType: string; activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] };

async function loadHistory(name: string): Promise<HistoryJson> {
  return JSON.parse(await readFile(new URL(`./history_files/${name}`, import.meta.url), 'utf8')) as HistoryJson;
}
const toHistory = (json: HistoryJson) => temporal.api.history.v1.History.fromObject(json);

describe('workflow replay over recorded histories', () => {
  beforeAll(async () => {
    await workflowBundle();
  });

  // Every history ever recorded stays here: running workflows of each version must keep replaying.
  const files = readdirSync(new URL('./history_files/', import.meta.url)).filter((f) => f.endsWith('.json')).sort();

  it('has histories from before and after each patch', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'hazard-major-full-v1.json',
        'hazard-major-full-v2.json',
        'hazard-major-full-v3.json',
        'hazard-major-full-v4.json',
        'hazard-major-full-v5.json',
        'campaign-demo-v1.json',
        'campaign-demo-v2.json',
        'obligation-demo-v1.json',
        'obligation-demo-v2.json',
        'inspection-demo-v1.json',
        'inspection-demo-v2.json',
        'case-demo-v1.json',
        'order-rectification-v1.json',
        'order-suspension-v1.json',
      ]),
    );
  });

  it.each(files)('replays %s with the current workflow code', async (file) => {
    const json = await loadHistory(file);
    expect(json.events.length).toBeGreaterThan(20);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, toHistory(json), file);
  });

  it('fails on a tampered history whose activities differ from what the code schedules', async () => {
    const json = await loadHistory('hazard-major-full-v1.json');
    const scheduled = json.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'recordHazardTransition')!;
    scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'sendHazardNotification';
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, toHistory(json), 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
