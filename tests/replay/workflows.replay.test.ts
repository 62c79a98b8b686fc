// Replays histories recorded with earlier versions of each workflow (history_files/,
// written by record-histories.ts). A change that would break running workflows fails here.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectionDuty, inspectionDutyAfterDraw, phaseWindows, unitDuties, type Duty } from '../../domain/campaign';
import type { CampaignInput, ObligationInput } from '../../workflows/campaign.messages';
import { workflowBundle } from '../support/hazard-worker';

type HistoryJson = {
  events: {
    eventType: string;
    markerRecordedEventAttributes?: { details: Record<string, { payloads: { data: string }[] }> };
    activityTaskScheduledEventAttributes?: { activityType: { name: string } };
    workflowExecutionStartedEventAttributes?: { input: { payloads: { data: string }[] } };
  }[];
};

async function loadHistory(name: string): Promise<HistoryJson> {
  return JSON.parse(await readFile(new URL(`./history_files/${name}`, import.meta.url), 'utf8')) as HistoryJson;
}
const toHistory = (json: HistoryJson) => temporal.api.history.v1.History.fromObject(json);

/** The input a recorded workflow was started with (JSON payload converter). */
async function startedWith<T>(name: string): Promise<T> {
  const started = (await loadHistory(name)).events[0]!.workflowExecutionStartedEventAttributes!;
  return JSON.parse(Buffer.from(started.input.payloads[0]!.data, 'base64').toString('utf8')) as T;
}
/** The id of a patch marker (`patched('…')`). */
const patchOf = (e: HistoryJson['events'][number]): string =>
  (JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details['patch-data']!.payloads[0]!.data, 'base64').toString('utf8')) as { id: string }).id;
const instants = (d: Duty) => ({ key: d.key, kind: d.kind, opensAt: d.opensAt, dueAt: d.dueAt });

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
        'hazard-major-full-v6.json',
        'campaign-demo-v1.json',
        'campaign-demo-v2.json',
        'campaign-demo-v3.json',
        'campaign-demo-v4.json',
        'campaign-demo-v5.json',
        'campaign-demo-v6.json',
        'campaign-demo-v7.json',
        'campaign-demo-v8.json',
        'obligation-demo-v1.json',
        'obligation-demo-v2.json',
        'obligation-demo-v3.json',
        'obligation-demo-v4.json',
        'obligation-demo-v5.json',
        'obligation-demo-v6.json',
        'obligation-demo-v7.json',
        'obligation-demo-v8.json',
        'inspection-demo-v1.json',
        'inspection-demo-v2.json',
        'inspection-demo-v3.json',
        'inspection-demo-v4.json',
        'inspection-demo-v5.json',
        'inspection-demo-v6.json',
        'inspection-demo-v7.json',
        'inspection-demo-v8.json',
        'case-demo-v1.json',
        'order-rectification-v1.json',
        'order-suspension-v1.json',
        'webhook-delivery-v1.json',
      ]),
    );
  });

  it.each(files)('replays %s with the current workflow code', async (file) => {
    const json = await loadHistory(file);
    expect(json.events.length).toBeGreaterThan(20);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, toHistory(json), file);
  });

  // v3 was recorded before 'X日前' became a template reading and inspections fell due at the
  // spot-check close (patch inspections-due-at-spot-check-close); v4 after.
  it.each(['v1', 'v2', 'v3'])('keeps the instants a campaign launched before was given (%s): its template names no reading, today\'s code computes the same duties', async (v) => {
    const campaign = await startedWith<CampaignInput>(`campaign-demo-${v}.json`);
    expect(campaign.template.reporting).not.toHaveProperty('beforeDay');
    const obligation = await startedWith<ObligationInput>(`obligation-demo-${v}.json`);
    expect(unitDuties(campaign.template).map(instants)).toEqual(obligation.duties.map(instants));
    // Its inspections stay due a fixed time (PT15S) after the draw, before the spot-check close.
    const [inspection] = (await startedWith<ObligationInput>(`inspection-demo-${v}.json`)).duties as [Duty];
    const enterpriseId = inspection.key.slice('inspection:'.length);
    expect(instants(inspectionDutyAfterDraw(enterpriseId, inspection.opensAt, campaign.template))).toEqual(instants(inspection));
    expect(inspection.dueAt).toBeLessThan(phaseWindows(campaign.template).SPOT_CHECK.closesAt);
  });

  it('gives a campaign launched after the change its inspections at the spot-check close (v4)', async () => {
    const campaign = await startedWith<CampaignInput>('campaign-demo-v4.json');
    expect(campaign.template.reporting.beforeDay).toBe('INCLUSIVE');
    const [inspection] = (await startedWith<ObligationInput>('inspection-demo-v4.json')).duties as [Duty];
    const close = phaseWindows(campaign.template).SPOT_CHECK.closesAt;
    expect(instants(inspection)).toEqual(instants(inspectionDuty(inspection.key.slice('inspection:'.length), inspection.opensAt, close)));
  });

  // v5 was recorded before enterprises owed a self-inspection (patch self-inspection-duties), v6 after.
  it.each([
    ['v5', 0],
    ['v6', 1],
  ])('starts self-inspection duties only in a campaign launched after the change (%s)', async (v, pages) => {
    const scheduled = (await loadHistory(`campaign-demo-${v}.json`)).events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'startSelfInspections');
    expect(scheduled).toHaveLength(pages);
  });

  // v6 was recorded before the fan-out put a page's DUTY_ASSIGNED steps on the ledger (patch
  // duties-assigned-by-fan-out), v7 after: its obligations start with no ledger write before their first wait.
  it.each([
    ['v6', 1, false],
    ['v7', 0, true],
    ['v8', 0, true],
  ])('lets only an obligation started by a fan-out that assigned its duties skip writing them (%s)', async (v, writesBeforeWait, assigned) => {
    for (const name of [`obligation-demo-${v}.json`, `inspection-demo-${v}.json`]) {
      expect((await startedWith<ObligationInput>(name)).assignedOnLedger === true).toBe(assigned);
      const events = (await loadHistory(name)).events;
      const beforeWait = events.slice(0, events.findIndex((e) => e.eventType === 'EVENT_TYPE_TIMER_STARTED'));
      expect(beforeWait.filter((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'recordDutyEvents')).toHaveLength(writesBeforeWait);
    }
  });

  // v7 was recorded before the campaign mailed each page's DUTIES_ASSIGNED notices itself (patches
  // duty-notices-by-fan-out, duties-noticed-by-fan-out), v8 after: a new obligation's first workflow task
  // only arms its timer, with one patch marker (v7: two, each with its search-attribute upsert, and the mail activity).
  it.each([
    ['v7', 0, ['duties-assigned-by-fan-out', 'mail-off-the-path'], ['sendDutyNotification']],
    ['v8', 3, ['duties-noticed-by-fan-out'], []],
  ])('lets only a campaign launched after the change mail its pages\' assignments, its obligations mailing none before their first wait (%s)', async (v, pages, markers, activities) => {
    const campaign = (await loadHistory(`campaign-demo-${v}.json`)).events;
    expect(campaign.filter((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'sendAssignmentNotices')).toHaveLength(pages);
    for (const name of [`obligation-demo-${v}.json`, `inspection-demo-${v}.json`]) {
      expect((await startedWith<ObligationInput>(name)).noticedByFanOut === true).toBe(pages > 0);
      const events = (await loadHistory(name)).events;
      const beforeWait = events.slice(0, events.findIndex((e) => e.eventType === 'EVENT_TYPE_TIMER_STARTED'));
      expect(beforeWait.filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED').map(patchOf)).toEqual(markers);
      expect(beforeWait.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType.name ?? [])).toEqual(activities);
    }
  });

  // v5 was recorded before a timer's step and its notice went out as one activity (patch step-with-its-notice), v6 after.
  it.each([
    ['v5', 0, 10],
    ['v6', 6, 4],
  ])('writes a timer step with its notice in one activity only in a hazard started after the change (%s)', async (v, together, mails) => {
    const names = (await loadHistory(`hazard-major-full-${v}.json`)).events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType.name ?? []);
    expect(names.filter((n) => n === 'recordHazardStepWithNotice')).toHaveLength(together);
    expect(names.filter((n) => n === 'sendHazardNotification')).toHaveLength(mails);
  });

  it('fails on a tampered history whose activities differ from what the code schedules', async () => {
    const json = await loadHistory('hazard-major-full-v1.json');
    const scheduled = json.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'recordHazardTransition')!;
    scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'sendHazardNotification';
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, toHistory(json), 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
