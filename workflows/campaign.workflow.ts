// One workflow per campaign (`campaign:<id>`). It opens and closes the phases at their instants
// (or when the office moves one, with a reason on record), starts one obligation workflow per
// participating unit in bounded batches, draws the spot-check sample when that phase opens and
// starts an inspection obligation per drawn enterprise (due when that phase closes, following
// its moves), gives every enterprise on the roster its self-inspection duty when that phase opens
// (an obligation workflow per enterprise, due at the phase's close, following its moves), and
// freezes the summary at the end.
// It never holds units, enterprises or hazards as children: those are independent workflows
// with deterministic IDs, started by activities in pages, so its history stays small.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AssignmentPage, AssignmentPageArgs, CampaignEventEntry, createActivities } from '../activities';
import { phaseWindows, type PhaseKey } from '../domain/campaign';
import { ErrorCode } from '../domain/errors';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import { FAN_OUT, LEDGER, MAIL_PAGE } from './activity-options';
import { Background } from './side-effects';
import { campaignStatusQuery, movePhaseUpdate, type CampaignInput, type CampaignState, type PhaseMove } from './campaign.messages';

type Activities = ReturnType<typeof createActivities>;
const { recordCampaignEvents, abandonAssignmentNotices } = proxyActivities<Activities>(LEDGER);
const { sendAssignmentNotices } = proxyActivities<Activities>(MAIL_PAGE);
// A proxy has no own keys to spread: the fan-out activities are named one by one.
const { startObligations, rescheduleObligations, drawSpotCheck, startInspections, rescheduleInspections, startSelfInspections, rescheduleSelfInspections, takeSummarySnapshot } = proxyActivities<Activities>(FAN_OUT);
const acts = { recordCampaignEvents, startObligations, rescheduleObligations, drawSpotCheck, startInspections, rescheduleInspections, startSelfInspections, rescheduleSelfInspections, takeSummarySnapshot };

/** Units or enterprises started per activity call: bounded work, bounded history. */
export const START_BATCH = 200;

const nowIso = (): string => new Date(Date.now()).toISOString();

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignState> {
  const { campaignId } = input;
  const windows = phaseWindows(input.template);
  const s: CampaignState = input.resume ?? {
    phases: Object.fromEntries(Object.entries(windows).map(([k, w]) => [k, { ...w, status: 'PENDING' }])) as CampaignState['phases'],
    seq: 0,
    obligationsStarted: false,
    spotCheckDrawn: false,
    inspectionsStarted: false,
    summaryTaken: false,
    pendingReschedule: false,
  };
  // Once per campaign, before any command, and carried across continue-as-new: a campaign whose
  // history began without this patch keeps its inspections due a fixed time after the draw.
  s.inspectionsDueAtClose ??= patched('inspections-due-at-spot-check-close');
  // v6, decided the same way: a campaign whose history began without it gives enterprises no self-inspection duty.
  s.selfInspectionDuties ??= patched('self-inspection-duties');
  // v8, decided the same way: a campaign whose history began without it leaves each workflow to mail its own assignment.
  s.noticesByFanOut ??= patched('duty-notices-by-fan-out');
  let rearm = false;
  // v8: the assignment mail of the pages already started, going out while the next pages start.
  const background = new Background();

  function event(type: string, phase: PhaseKey | null, actor: Actor, data: Record<string, unknown> = {}): CampaignEventEntry {
    s.seq += 1;
    const open = (Object.keys(s.phases) as PhaseKey[]).filter((k) => s.phases[k].status === 'OPEN');
    return { campaignId, seq: s.seq, type, phase, actor, data, at: nowIso(), currentPhases: open, completed: type === 'CAMPAIGN_COMPLETED' };
  }

  setHandler(campaignStatusQuery, () => s);
  setHandler(
    movePhaseUpdate,
    async (move: PhaseMove) => {
      const p = s.phases[move.phase];
      const before = { opensAt: p.opensAt, closesAt: p.closesAt };
      if (move.opensAt) p.opensAt = Date.parse(move.opensAt);
      if (move.closesAt) p.closesAt = Date.parse(move.closesAt);
      s.pendingReschedule = true;
      rearm = true;
      await acts.recordCampaignEvents([
        event('PHASE_MOVED', move.phase, move.actor, {
          reason: move.reason,
          from: { opensAt: new Date(before.opensAt).toISOString(), closesAt: new Date(before.closesAt).toISOString() },
          to: { opensAt: new Date(p.opensAt).toISOString(), closesAt: new Date(p.closesAt).toISOString() },
        }),
      ]);
      return s;
    },
    {
      validator: (move: PhaseMove) => {
        const fail = (type: string, field: string, reason: string) => {
          throw ApplicationFailure.create({ type, message: `${field}: ${reason}`, details: [[{ field, reason }]], nonRetryable: true });
        };
        const p = s.phases[move.phase];
        if (!p) fail(ErrorCode.VALIDATION_FAILED, 'phase', `unknown phase ${move.phase}`);
        if (!move.reason?.trim()) fail(ErrorCode.VALIDATION_FAILED, 'reason', 'moving a phase needs a reason on record');
        if (p.status === 'CLOSED') fail(ErrorCode.ILLEGAL_TRANSITION, 'phase', `${move.phase} is closed`);
        if (move.opensAt && p.status === 'OPEN') fail(ErrorCode.ILLEGAL_TRANSITION, 'opensAt', `${move.phase} is already open; only its end can move`);
        const opensAt = move.opensAt ? Date.parse(move.opensAt) : p.opensAt;
        const closesAt = move.closesAt ? Date.parse(move.closesAt) : p.closesAt;
        if (Number.isNaN(opensAt) || Number.isNaN(closesAt) || closesAt <= opensAt) fail(ErrorCode.VALIDATION_FAILED, 'closesAt', 'must be after opensAt');
        if (move.closesAt && closesAt <= Date.now()) fail(ErrorCode.VALIDATION_FAILED, 'closesAt', 'a phase cannot be moved to close in the past');
      },
    },
  );

  /** Pages through an activity that starts workflows idempotently until it reports no next page. */
  async function inPages(start: (after: string | null) => Promise<{ next: string | null }>): Promise<void> {
    for (let after: string | null = null; ; ) {
      ({ next: after } = await start(after));
      if (after === null) return;
    }
  }

  /**
   * Starts a page; v8: then mails its holders their duties without waiting (a mail never holds back
   * a start), by an activity of its own with the mail budget; what it gives up on is marked failed.
   */
  async function startPage<K extends keyof AssignmentPageArgs>(
    kind: K,
    start: (args: AssignmentPageArgs[K]) => Promise<{ next: string | null; started: number }>,
    args: AssignmentPageArgs[K],
  ): Promise<{ next: string | null }> {
    if (!s.noticesByFanOut) return start(args);
    const started = await start({ ...args, noticesByFanOut: true });
    if (started.started > 0) {
      const page = { kind, args } as AssignmentPage;
      background.start('assignment notices', { campaignId, kind, after: args.after }, sendAssignmentNotices(page), (reason) => abandonAssignmentNotices({ page, reason }));
    }
    return started;
  }

  if (!input.resume) await acts.recordCampaignEvents([event('CAMPAIGN_LAUNCHED', null, input.launchedBy, { seed: input.spotCheckSeed })]);
  if (!s.obligationsStarted) {
    await inPages((after) => startPage('OBLIGATIONS', acts.startObligations, { campaignId, after, limit: START_BATCH }));
    s.obligationsStarted = true;
  }

  const order: PhaseKey[] = ['SUPERVISION', 'MOBILIZATION', 'SELF_INSPECTION', 'SPOT_CHECK', 'SUMMARY'];
  const nextTransition = () =>
    order
      .flatMap((k): { phase: PhaseKey; to: 'OPEN' | 'CLOSED'; at: number }[] => {
        const p = s.phases[k];
        return p.status === 'PENDING' ? [{ phase: k, to: 'OPEN', at: p.opensAt }] : p.status === 'OPEN' ? [{ phase: k, to: 'CLOSED', at: p.closesAt }] : [];
      })
      // Closings before openings at the same instant; then the plan's order.
      .sort((a, b) => a.at - b.at || (a.to === b.to ? order.indexOf(a.phase) - order.indexOf(b.phase) : a.to === 'CLOSED' ? -1 : 1))[0] ?? null;

  /**
   * Whether the run may continue as new now: no handler half-done and (v8) no page's mail abandoned,
   * but a mail still retrying never holds back the next phase transition or a move (false: the next
   * wake tries again). Campaigns from before v8 wait for their handlers only, as they always did.
   */
  async function mayRollOver(): Promise<boolean> {
    if (!s.noticesByFanOut) return condition(allHandlersFinished).then(() => true);
    return background.quietBefore(() => nextTransition()?.at ?? Infinity, () => rearm || s.pendingReschedule);
  }

  for (;;) {
    if (s.pendingReschedule) {
      s.pendingReschedule = false;
      const phases = Object.fromEntries(Object.entries(s.phases).map(([k, p]) => [k, { opensAt: p.opensAt, closesAt: p.closesAt }]));
      await inPages((after) => acts.rescheduleObligations({ campaignId, phases, after, limit: START_BATCH }));
      // v4: started inspections follow the spot-check phase's close (only when it moved: one signal per drawn enterprise).
      const spotCheckClose = s.phases.SPOT_CHECK.closesAt;
      if (s.inspectionsDueAtClose && s.inspectionsStarted && s.inspectionsDueAt !== spotCheckClose) {
        await inPages((after) => acts.rescheduleInspections({ campaignId, spotCheckClosesAt: spotCheckClose, after, limit: START_BATCH }));
        s.inspectionsDueAt = spotCheckClose;
      }
      // v6: started self-inspection duties follow the self-inspection phase's close (only when it moved).
      const selfClose = s.phases.SELF_INSPECTION.closesAt;
      if (s.selfInspectionDuties && s.selfInspectionsStarted && s.selfInspectionsDueAt !== selfClose) {
        await inPages((after) => acts.rescheduleSelfInspections({ campaignId, selfInspectionClosesAt: selfClose, after, limit: START_BATCH }));
        s.selfInspectionsDueAt = selfClose;
      }
      // A move that arrived while the obligations were being told is told too, before any sleep.
      if (s.pendingReschedule && patched('reschedule-every-move')) continue;
    }
    const next = nextTransition();
    // v6: once the self-inspection phase is open and no other transition is due at this instant (the
    // spot-check phase opens with it in the plan and keeps its instant), every enterprise on the roster
    // gets its duty, in pages: due at the close as it stands now; a move while they start is told after (above).
    if (s.selfInspectionDuties && !s.selfInspectionsStarted && s.phases.SELF_INSPECTION.status !== 'PENDING' && (next === null || next.at > Date.now())) {
      const selfInspectionClosesAt = s.phases.SELF_INSPECTION.closesAt;
      const opensAt = s.phases.SELF_INSPECTION.opensAt;
      s.selfInspectionsDueAt = selfInspectionClosesAt;
      await inPages((after) => startPage('SELF_INSPECTIONS', acts.startSelfInspections, { campaignId, after, limit: START_BATCH, opensAt, selfInspectionClosesAt }));
      s.selfInspectionsStarted = true;
      continue;
    }
    if (!next) break;
    // v2: a run woken only by phase moves rolls over too when its history is long.
    if (workflowInfo().continueAsNewSuggested && patched('continue-as-new-on-any-wake')) {
      if (await mayRollOver()) await continueAsNew<typeof campaignWorkflow>({ ...input, resume: s });
    }
    rearm = false;
    // v4: a move that arrived during this pass's fan-outs is told now, not at the next transition.
    if (await condition(() => rearm || ((s.inspectionsDueAtClose === true || s.selfInspectionDuties === true) && s.pendingReschedule), Math.max(1, next.at - Date.now()))) continue;
    s.phases[next.phase].status = next.to;
    await acts.recordCampaignEvents([event(next.to === 'OPEN' ? 'PHASE_OPENED' : 'PHASE_CLOSED', next.phase, SYSTEM_ACTOR, { at: new Date(next.at).toISOString() })]);

    if (next.phase === 'SPOT_CHECK' && next.to === 'OPEN' && !s.spotCheckDrawn) {
      // Drawn as of the phase's opening instant, whatever the worker's delay: inspection dues follow from it.
      const draw = await acts.drawSpotCheck({ campaignId, seed: input.spotCheckSeed, at: new Date(next.at).toISOString() });
      s.spotCheckDrawn = true;
      await acts.recordCampaignEvents([event('SPOT_CHECK_DRAWN', 'SPOT_CHECK', SYSTEM_ACTOR, draw)]);
    }
    if (s.spotCheckDrawn && !s.inspectionsStarted) {
      if (s.inspectionsDueAtClose) {
        // Due at the close as it stands now (moved or not); a move while they start is told after (above).
        const spotCheckClosesAt = s.phases.SPOT_CHECK.closesAt;
        s.inspectionsDueAt = spotCheckClosesAt;
        await inPages((after) => startPage('INSPECTIONS', acts.startInspections, { campaignId, after, limit: START_BATCH, spotCheckClosesAt }));
      } else await inPages((after) => startPage('INSPECTIONS', acts.startInspections, { campaignId, after, limit: START_BATCH }));
      s.inspectionsStarted = true;
    }
    if (next.phase === 'SUMMARY' && next.to === 'CLOSED' && !s.summaryTaken) {
      await acts.takeSummarySnapshot({ campaignId, at: new Date(next.at).toISOString() });
      s.summaryTaken = true;
      await acts.recordCampaignEvents([event('SUMMARY_SNAPSHOT_TAKEN', 'SUMMARY', SYSTEM_ACTOR)]);
    }
    if (workflowInfo().continueAsNewSuggested && (await mayRollOver())) await continueAsNew<typeof campaignWorkflow>({ ...input, resume: s });
  }
  await background.settled();
  await acts.recordCampaignEvents([event('CAMPAIGN_COMPLETED', null, SYSTEM_ACTOR)]);
  return s;
}
