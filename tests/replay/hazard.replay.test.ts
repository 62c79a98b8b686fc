// Replays histories recorded with earlier versions of the hazard workflow (history_files/,
// written by record-histories.ts). A change that would break running workflows fails here.
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

describe('hazard rectification workflow replay', () => {
  beforeAll(async () => {
    await workflowBundle();
  });

  it('replays the v1 history of a major hazard taken through every step', async () => {
    const json = await loadHistory('hazard-major-full-v1.json');
    expect(json.events.length).toBeGreaterThan(100);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, toHistory(json), 'hazard-major-full-v1');
  });

  it('fails on a tampered history whose activities differ from what the code schedules', async () => {
    const json = await loadHistory('hazard-major-full-v1.json');
    const scheduled = json.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'recordHazardTransition')!;
    scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'sendHazardNotification';
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, toHistory(json), 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
