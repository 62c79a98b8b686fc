// A campaign whose spot-check draw comes within seconds and whose phases then stay open for
// twenty minutes (nothing else fires while a file runs), for the API tests of the draw, its
// visibility and its roster; and the clean-up of everything such a campaign started.
import { and, eq, inArray } from 'drizzle-orm';
import { campaignParticipants, duties, spotCheckDraws } from '../../db/schema';
import { demoTemplate, type CampaignTemplate, type PhaseKey } from '../../domain/campaign';
import type { ApiHarness } from './api-harness';
import { eventually } from './eventually';
import { uniq } from './fixtures';

/** Seconds from now until the spot-check phase opens and the sample is drawn. */
export const DRAW_IN_SECONDS = 15;

/**
 * The demo plan with the spot-check phase opening DRAW_IN_SECONDS from now and closing twenty
 * minutes later (self-inspection alongside it, a progress report every five minutes, the summary
 * after), drawing `minRatio` of each industry.
 */
export function drawSoonTemplate(minRatio: number): CampaignTemplate {
  const start = Date.now() + (DRAW_IN_SECONDS - 10) * 1000;
  const early = demoTemplate(start);
  const late = demoTemplate(start + 20 * 60_000);
  const phase = (t: CampaignTemplate, key: PhaseKey) => t.phases.find((p) => p.key === key)!;
  return {
    ...early,
    key: uniq('draw-soon'),
    phases: early.phases.map((p) =>
      p.key === 'SELF_INSPECTION' || p.key === 'SPOT_CHECK'
        ? { ...p, end: phase(late, 'MOBILIZATION').start }
        : p.key === 'SUMMARY'
          ? phase(late, 'SUMMARY')
          : p.key === 'SUPERVISION'
            ? { ...p, end: phase(late, 'SUPERVISION').end }
            : p,
    ),
    reporting: { ...early.reporting, progressReport: { rule: 'EVERY', every: 'PT5M', from: 'SELF_INSPECTION', to: 'SPOT_CHECK' }, summary: { due: late.reporting.summary.due } },
    spotCheck: { ...early.spotCheck, minRatio },
  };
}

/** Waits for the campaign's draw as the office reads it. */
export function drawOf(h: ApiHarness, campaignId: string) {
  return eventually(async () => {
    const r = await h.call('GET', `/v1/campaigns/${campaignId}/spot-check`, h.keys.office);
    return r.status === 200 ? r.body : undefined;
  }, 60_000, `the draw of ${campaignId}`);
}

/** Terminates the campaign workflows and the obligation, inspection and self-inspection workflows they started (some have ended: fine). */
export async function terminateCampaigns(h: ApiHarness, ids: string[]): Promise<void> {
  const client = h.env?.client;
  if (!client || !h.handle || ids.length === 0) return;
  const workflowIds = ids.map((id) => `campaign:${id}`);
  const parts = await h.db.select().from(campaignParticipants).where(inArray(campaignParticipants.campaignId, ids));
  workflowIds.push(...parts.map((p) => `obligation:${p.campaignId}:${p.unitCode}`));
  const draws = await h.db.select().from(spotCheckDraws).where(inArray(spotCheckDraws.campaignId, ids));
  for (const d of draws) workflowIds.push(...d.strata.flatMap((s) => s.drawn.map((e) => `inspection:${d.campaignId}:${e}`)));
  const selfInspections = await h.db.select({ obligationId: duties.obligationId }).from(duties).where(and(inArray(duties.campaignId, ids), eq(duties.kind, 'SELF_INSPECTION')));
  workflowIds.push(...selfInspections.map((d) => d.obligationId));
  await Promise.allSettled(workflowIds.map((w) => client.workflow.getHandle(w).terminate('test cleanup')));
}
