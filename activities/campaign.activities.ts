// Campaign side effects: ledger writes, starting obligation and inspection workflows in pages
// (idempotently, by business-key IDs), the spot-check draw, rescheduling, the summary snapshot,
// duty mail and turning inspection findings into hazards. All safe to run more than once.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client';
import { applyCampaignEvents, applyDutyEvents, type CampaignEventEntry, type DutyLedgerEntry } from '../db/campaigns.repo';
import { contentBodies, resolveContents } from '../db/contents.repo';
import { getHazard, insertHazard } from '../db/hazards.repo';
import { campaignParticipants, campaigns, enterprises, spotCheckDraws, units } from '../db/schema';
import { inspectionDuty, inspectionDutyAfterDraw, phaseWindows, selfInspectionDuty, unitDuties, type Duty, type PhaseKey, type PhaseWindow } from '../domain/campaign';
import { ErrorCode } from '../domain/errors';
import type { Actor } from '../domain/hazard';
import { drawSpotCheck as draw, type RosterEntry } from '../domain/spot-check';
import { drawRuleOf } from '../domain/roster';
import { isActive } from '../domain/enterprise';
import { getFrozenRoster, inScopeRoster } from '../db/campaign-roster.repo';
import { writeSummarySnapshot } from '../db/campaign-report.repo';
import { defaultScoringScheme } from '../domain/scoring';
import { buildHazardRow, type HazardReport } from '../services/hazard-report';
import { startHazardWorkflow } from '../services/hazard.service';
import { calendarIfNeeded } from '../services/working-calendar';
import type { TemporalTarget } from '../services/temporal';
import { rescheduleObligation, startObligationWorkflow } from '../services/campaign.service';
import { dutiesAssigned, type ObligationInput } from '../workflows/campaign.messages';
import { inspectionWorkflowId, obligationWorkflowId, selfInspectionWorkflowId } from '../workflows/ids';
import { dutyCauseRef } from '../domain/accountability';
import { SYSTEM_ACTOR } from '../domain/hazard';
import { openOrJoinCase, resolveCaseCauses, unitSubject } from '../services/case.service';
import { openCaseForConcealment } from '../services/case-openers';
import { isRefusedData } from '../db/errors';
import { ledgerWrite } from './ledger-errors';
import type { OutboxDeps } from './outbox';
import { createDutyNotices } from './duty-notices';
import { limited } from './limited';

export type { CampaignEventEntry, DutyLedgerEntry } from '../db/campaigns.repo';

export interface CampaignActivityDeps extends OutboxDeps {
  db: Db;
  /** Starting and signalling workflows from activities (paged fan-out). */
  temporal: TemporalTarget;
}

/** Late submissions are taken this long after a holder's last due instant. */
export const LATE_WINDOW = 'P30D';

async function loadCampaign(db: Db, campaignId: string) {
  const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (!c) throw ApplicationFailure.create({ type: ErrorCode.NOT_FOUND, message: `campaign ${campaignId} not on the ledger`, nonRetryable: true });
  return c;
}

/** Starts (or signals) in flight at once while a page fans out: bounded, not a burst of 200 RPCs. */
export const START_CONCURRENCY = 16;

/** Statements stay well under Postgres's 65,535 parameters (16 per duty row). */
const LEDGER_ROWS_PER_STATEMENT = 2000;

/** A page of a fan-out; v8: `noticesByFanOut` when the campaign mails the page's DUTIES_ASSIGNED notices itself (sendAssignmentNotices). */
interface PageArgs {
  campaignId: string;
  after: string | null;
  limit: number;
  noticesByFanOut?: boolean;
}
export type InspectionPageArgs = PageArgs & { spotCheckClosesAt?: number };
export type SelfInspectionPageArgs = PageArgs & { opensAt: number; selfInspectionClosesAt: number };

export interface AssignmentPageArgs {
  OBLIGATIONS: PageArgs;
  INSPECTIONS: InspectionPageArgs;
  SELF_INSPECTIONS: SelfInspectionPageArgs;
}
/** The fan-out pages whose workflows are told of their duties by mail (v8: by the fan-out, after the page started). */
export type AssignmentPage = { [K in keyof AssignmentPageArgs]: { kind: K; args: AssignmentPageArgs[K] } }[keyof AssignmentPageArgs];

const ASSIGNED_EVENT = 'assigned';

/** Moves duties tied to a phase's end with that end: the plan with mobilization, the summary with the summary phase. */
export function movedDuties(base: Duty[], original: Record<PhaseKey, PhaseWindow>, now: Record<PhaseKey, PhaseWindow>): Duty[] {
  const shift = (phase: PhaseKey) => now[phase].closesAt - original[phase].closesAt;
  return base.map((d) => {
    const delta = d.kind === 'IMPLEMENTATION_PLAN' ? shift('MOBILIZATION') : d.kind === 'SUMMARY' ? shift('SUMMARY') : 0;
    return delta === 0 ? d : { ...d, dueAt: d.dueAt + delta };
  });
}

export function createCampaignActivities(deps: CampaignActivityDeps) {
  const { db, temporal } = deps;
  const notices = createDutyNotices(deps);

  /**
   * Starts a page of obligation workflows: their duties go on the ledger first, the page's in a
   * statement or a few (idempotent: events unique on obligation + seq, rows only move forward), so
   * each started workflow skips that step (its first activity and workflow task round trip).
   */
  async function startObligationPage(inputs: ObligationInput[], noticesByFanOut: boolean | undefined): Promise<void> {
    const at = new Date().toISOString();
    const entries = inputs.flatMap((input) => dutiesAssigned(input, at));
    // Data the database refuses (a statement's worth) is left to each workflow: it records its own
    // steps, or marks them refused, as before; the page starts either way.
    const refused = new Set<string>();
    for (let i = 0; i < entries.length; i += LEDGER_ROWS_PER_STATEMENT) {
      const chunk = entries.slice(i, i + LEDGER_ROWS_PER_STATEMENT);
      await applyDutyEvents(db, chunk).catch((err: unknown) => {
        if (!isRefusedData(err)) throw err;
        for (const e of chunk) refused.add(e.obligationId);
      });
    }
    const noticed = noticesByFanOut === true ? { noticedByFanOut: true } : {};
    await limited(inputs, START_CONCURRENCY, (input) => startObligationWorkflow(temporal, { ...input, assignedOnLedger: !refused.has(input.obligationId), ...noticed }));
  }

  async function recordCampaignEvents(entries: CampaignEventEntry[]): Promise<void> {
    await ledgerWrite(`campaign ${entries[0]?.campaignId} events`, () => applyCampaignEvents(db, entries));
  }

  async function recordDutyEvents(entries: DutyLedgerEntry[]): Promise<void> {
    // A submission the workflow carries by id is recorded in full, on the duty and on its event.
    const resolved = async () =>
      resolveContents(db, entries, (e) => e.content, (e, content) => ({ ...e, content, data: { ...e.data, content } }));
    await ledgerWrite(`obligation ${entries[0]?.obligationId} events`, async () => applyDutyEvents(db, await resolved()));
    await afterDutySteps(entries);
  }

  /**
   * A missed duty opens (or joins) an accountability case against its holder for late or missing
   * work (plan item 45: 通报 first); a late filing is recorded on that case, which stays for its reviewer.
   */
  async function afterDutySteps(entries: DutyLedgerEntry[]): Promise<void> {
    for (const e of entries) {
      const refId = dutyCauseRef(e.obligationId, e.duty.key);
      // An enterprise's missed self-inspection is on the ledger and mailed to it and its department; accountability cases are against units.
      if (e.duty.kind === 'SELF_INSPECTION') continue;
      if (e.type === 'DUTY_MISSED') {
        const c = await loadCampaign(db, e.campaignId);
        const [unit] = await db.select({ name: units.name, kind: units.kind }).from(units).where(eq(units.code, e.holderCode));
        await openOrJoinCase(db, temporal, {
          subject: unitSubject(e.holderCode, unit),
          cause: { kind: 'DUTY_MISSED', refId, note: `${e.duty.label} missed (due ${new Date(e.duty.dueAt).toISOString()})` },
          campaignId: e.campaignId,
          openedBy: SYSTEM_ACTOR,
          timeZone: c.template.timeZone,
          openedAt: new Date(e.at),
        });
      } else if (e.type === 'DUTY_SUBMITTED_LATE') {
        await resolveCaseCauses(db, temporal, { kind: 'DUTY_MISSED', refPrefix: refId, note: `${e.duty.label} filed late` }, e.actor);
      }
    }
  }

  async function participantsPage(campaignId: string, after: string | null, limit: number) {
    return db
      .select()
      .from(campaignParticipants)
      .where(and(eq(campaignParticipants.campaignId, campaignId), after ? gt(campaignParticipants.unitCode, after) : undefined))
      .orderBy(asc(campaignParticipants.unitCode))
      .limit(limit);
  }

  async function obligationInputs(input: PageArgs): Promise<{ inputs: ObligationInput[]; next: string | null }> {
    const c = await loadCampaign(db, input.campaignId);
    const page = await participantsPage(input.campaignId, input.after, input.limit);
    const dutyList = unitDuties(c.template);
    const inputs = page.map((p) => ({
      obligationId: obligationWorkflowId(c.id, p.unitCode),
      campaignId: c.id,
      holderCode: p.unitCode,
      duties: dutyList,
      reminderOffsets: c.template.reporting.reminderOffsets,
      timeZone: c.template.timeZone,
      lateWindow: LATE_WINDOW,
    }));
    return { inputs, next: page.length === input.limit ? page.at(-1)!.unitCode : null };
  }

  /** A page's start activity: builds the page's inputs, then starts them (startObligationPage). */
  const starting =
    <A extends PageArgs>(build: (input: A) => Promise<{ inputs: ObligationInput[]; next: string | null }>) =>
    async (input: A): Promise<{ next: string | null; started: number }> => {
      const { inputs, next } = await build(input);
      await startObligationPage(inputs, input.noticesByFanOut);
      return { next, started: inputs.length };
    };
  const startObligations = starting(obligationInputs);

  async function rescheduleObligations(input: { campaignId: string; phases: Record<string, PhaseWindow>; after: string | null; limit: number }): Promise<{ next: string | null }> {
    const c = await loadCampaign(db, input.campaignId);
    const page = await participantsPage(input.campaignId, input.after, input.limit);
    const moved = movedDuties(unitDuties(c.template), phaseWindows(c.template), input.phases as Record<PhaseKey, PhaseWindow>);
    await limited(page, START_CONCURRENCY, (p) => rescheduleObligation(temporal, obligationWorkflowId(c.id, p.unitCode), moved, 'phase moved by the office'));
    return { next: page.length === input.limit ? page.at(-1)!.unitCode : null };
  }

  /**
   * A campaign launched before rosters were frozen at launch has no snapshot: it draws over the
   * roster as it stands when its spot-check phase opens (active enterprises only), as it always did.
   */
  async function liveRoster(campaignId: string, industries: string[]): Promise<RosterEntry[]> {
    const counties = (await db.select({ code: campaignParticipants.unitCode }).from(campaignParticipants).where(and(eq(campaignParticipants.campaignId, campaignId), eq(campaignParticipants.kind, 'COUNTY')))).map((r) => r.code);
    return inScopeRoster(db, { counties, industries });
  }

  async function drawSpotCheck(input: { campaignId: string; seed: string; at: string }): Promise<{ seed: string; strata: number; population: number; drawn: number }> {
    const c = await loadCampaign(db, input.campaignId);
    const [existing] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, c.id));
    const stored =
      existing ??
      (await (async () => {
        const roster = (await getFrozenRoster(db, c.id))?.entries ?? (await liveRoster(c.id, c.template.industries));
        const rule = drawRuleOf(c.template.spotCheck);
        const result = draw(roster, rule, input.seed);
        // drawnAt is the workflow's instant (the phase opening), not this process's clock: inspection dues follow from it.
        await db.insert(spotCheckDraws).values({ campaignId: c.id, seed: input.seed, rule, roster, strata: result.strata, drawnAt: new Date(input.at) }).onConflictDoNothing();
        const [row] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, c.id));
        return row!;
      })());
    return {
      seed: stored.seed,
      strata: stored.strata.length,
      population: stored.strata.reduce((n, s) => n + s.population, 0),
      drawn: stored.strata.reduce((n, s) => n + s.drawn.length, 0),
    };
  }

  /**
   * A page of drawn enterprises (by id) with each one's inspection duty: due at `spotCheckClosesAt`
   * (the spot-check phase's close as the campaign holds it), or, when a campaign launched before
   * that rule gives none, a fixed time after the draw.
   */
  async function inspectionsPage(input: { campaignId: string; after: string | null; limit: number; spotCheckClosesAt?: number }) {
    const c = await loadCampaign(db, input.campaignId);
    // Only the result: the stored roster (thousands of entries) is not needed once per page.
    const [d] = await db.select({ strata: spotCheckDraws.strata, drawnAt: spotCheckDraws.drawnAt }).from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, c.id));
    const ids = (d?.strata.flatMap((s) => s.drawn) ?? []).sort();
    const pageIds = ids.filter((id) => input.after === null || id > input.after).slice(0, input.limit);
    const rows = !d || pageIds.length === 0 ? [] : await db.select().from(enterprises).where(inArray(enterprises.id, pageIds));
    const drawnAt = d?.drawnAt.getTime() ?? 0;
    const duty = (e: (typeof rows)[number]): Duty => ({
      ...(input.spotCheckClosesAt === undefined ? inspectionDutyAfterDraw(e.id, drawnAt, c.template) : inspectionDuty(e.id, drawnAt, input.spotCheckClosesAt)),
      label: `检查抽查 ${e.name}`,
    });
    return { c, inspections: rows.map((e) => ({ enterprise: e, duty: duty(e) })), next: pageIds.length === input.limit ? pageIds.at(-1)! : null };
  }

  async function inspectionInputs(input: InspectionPageArgs): Promise<{ inputs: ObligationInput[]; next: string | null }> {
    const { c, inspections: page, next } = await inspectionsPage(input);
    // An enterprise deactivated since launch stays in the frozen roster (and may be drawn) but owes no inspection.
    const inputs = page
      .filter(({ enterprise }) => isActive(enterprise))
      .map(({ enterprise: e, duty }) => ({
        obligationId: inspectionWorkflowId(c.id, e.id),
        campaignId: c.id,
        holderCode: e.departmentCode,
        subjectEnterpriseId: e.id,
        duties: [duty],
        reminderOffsets: c.template.spotCheck.reminderOffsets,
        timeZone: c.template.timeZone,
        lateWindow: LATE_WINDOW,
      }));
    return { inputs, next };
  }

  const startInspections = starting(inspectionInputs);

  /** The spot-check phase's close moved: every open inspection is due at the new close (a finished one has nothing to move). */
  async function rescheduleInspections(input: { campaignId: string; spotCheckClosesAt: number; after: string | null; limit: number }): Promise<{ next: string | null }> {
    const { c, inspections, next } = await inspectionsPage(input);
    await limited(inspections, START_CONCURRENCY, ({ enterprise: e, duty }) => rescheduleObligation(temporal, inspectionWorkflowId(c.id, e.id), [duty], 'spot-check phase moved by the office'));
    return { next };
  }

  /**
   * A page of the campaign's roster (frozen at launch; the live one for a campaign launched before),
   * by enterprise id, with each active enterprise's self-inspection duty due at `selfInspectionClosesAt`.
   */
  async function selfInspectionsPage(input: { campaignId: string; after: string | null; limit: number; opensAt?: number; selfInspectionClosesAt: number }) {
    const c = await loadCampaign(db, input.campaignId);
    const roster = (await getFrozenRoster(db, c.id))?.entries ?? (await liveRoster(c.id, c.template.industries));
    const pageIds = roster.map((r) => r.enterpriseId).filter((id) => input.after === null || id > input.after).sort().slice(0, input.limit);
    const rows = pageIds.length === 0 ? [] : await db.select().from(enterprises).where(inArray(enterprises.id, pageIds));
    const opensAt = input.opensAt ?? phaseWindows(c.template).SELF_INSPECTION.opensAt;
    // An enterprise deactivated since launch stays on the frozen roster but owes no self-inspection.
    const duties = rows.filter(isActive).map((e) => ({ enterprise: e, duty: selfInspectionDuty(e.id, e.name, opensAt, input.selfInspectionClosesAt) }));
    return { c, duties, next: pageIds.length === input.limit ? pageIds.at(-1)! : null };
  }

  async function selfInspectionInputs(input: SelfInspectionPageArgs): Promise<{ inputs: ObligationInput[]; next: string | null }> {
    const { c, duties: page, next } = await selfInspectionsPage(input);
    const inputs = page.map(({ enterprise: e, duty }) => ({
      obligationId: selfInspectionWorkflowId(c.id, e.id),
      campaignId: c.id,
      // Filed with (备案) its supervising department: the department holds the record, the enterprise owes it.
      holderCode: e.departmentCode,
      subjectEnterpriseId: e.id,
      subjectCountyCode: e.countyCode,
      duties: [duty],
      reminderOffsets: c.template.reporting.reminderOffsets,
      timeZone: c.template.timeZone,
      lateWindow: LATE_WINDOW,
    }));
    return { inputs, next };
  }

  const startSelfInspections = starting(selfInspectionInputs);

  /** The workflows of a page, as its start activity built them (the same reads: participants, the draw, the frozen roster). */
  function pageInputs(page: AssignmentPage): Promise<{ inputs: ObligationInput[] }> {
    if (page.kind === 'OBLIGATIONS') return obligationInputs(page.args);
    if (page.kind === 'INSPECTIONS') return inspectionInputs(page.args);
    return selfInspectionInputs(page.args);
  }

  /**
   * v8: the DUTIES_ASSIGNED notice of every workflow a page started, sent by the campaign beside its
   * next pages instead of by each new workflow (an activity and two workflow tasks fewer per workflow).
   */
  async function sendAssignmentNotices(page: AssignmentPage): Promise<{ notices: number }> {
    const { inputs } = await pageInputs(page);
    return notices.sendDutyNotices(inputs.map((i) => ({ campaignId: i.campaignId, obligationId: i.obligationId, holderCode: i.holderCode, duty: i.duties[0]!, kind: 'DUTIES_ASSIGNED', eventKey: ASSIGNED_EVENT })));
  }

  /** The page's notices still pending when sendAssignmentNotices gave up: FAILED on the outbox, with why. */
  async function abandonAssignmentNotices(input: { page: AssignmentPage; reason: string }): Promise<void> {
    const { inputs } = await pageInputs(input.page);
    await ledgerWrite(`assignment notices of a ${input.page.kind} page`, () => notices.abandonDutyNotices(inputs.map((i) => ({ obligationId: i.obligationId, eventKey: ASSIGNED_EVENT })), input.reason));
  }

  /** The self-inspection phase's close moved: every open self-inspection duty is due at the new close. */
  async function rescheduleSelfInspections(input: { campaignId: string; selfInspectionClosesAt: number; after: string | null; limit: number }): Promise<{ next: string | null }> {
    const { c, duties: page, next } = await selfInspectionsPage(input);
    await limited(page, START_CONCURRENCY, ({ enterprise: e, duty }) => rescheduleObligation(temporal, selfInspectionWorkflowId(c.id, e.id), [duty], 'self-inspection phase moved by the office'));
    return { next };
  }

  async function takeSummarySnapshot(input: { campaignId: string; at: string }): Promise<void> {
    // The report upward (总结报告) is frozen with the summary: the ranking as it stood at this instant.
    const c = await loadCampaign(db, input.campaignId);
    await writeSummarySnapshot(db, input.campaignId, new Date(input.at), c.template.scoring ?? defaultScoringScheme());
  }

  async function registerInspectionFindings(input: { campaignId: string; obligationId: string; seq: number; enterpriseId: string; findings?: unknown[]; contentId?: string; actor: Actor }): Promise<{ hazardIds: string[] }> {
    const [enterprise] = await db.select().from(enterprises).where(eq(enterprises.id, input.enterpriseId));
    if (!enterprise) throw ApplicationFailure.create({ type: ErrorCode.NOT_FOUND, message: 'enterprise not on the roster', nonRetryable: true });
    // The findings come inline (runs from before the content store) or by the id of the stored inspection result.
    const stored = input.contentId ? (await contentBodies(db, [input.contentId])).get(input.contentId) : undefined;
    if (input.contentId && !stored) throw ApplicationFailure.create({ type: ErrorCode.NOT_FOUND, message: `content ${input.contentId} not on the ledger`, nonRetryable: true });
    const findings = input.findings ?? (Array.isArray(stored?.findings) ? (stored.findings as unknown[]) : []);
    // The campaign's template sets the policies of the hazards found in it.
    const policies = (await loadCampaign(db, input.campaignId)).template.hazardPolicies;
    const hazardIds: string[] = [];
    const calendar = await calendarIfNeeded(db, findings as HazardReport[], policies);
    for (const [i, finding] of findings.entries()) {
      const { concealed, ...report } = finding as HazardReport & { concealed?: boolean };
      // Idempotent per (inspection, submission, finding): a retry finds the hazard it made before.
      const built = buildHazardRow({ ...report, source: 'SPOT_CHECK' }, enterprise, input.actor, Date.now(), { key: `${input.obligationId}:${input.seq}:${i}` }, policies, calendar);
      if (!built.ok) throw ApplicationFailure.create({ type: ErrorCode.VALIDATION_FAILED, message: JSON.stringify(built.errors), nonRetryable: true });
      const outcome = await insertHazard(db, { ...built.row, campaignId: input.campaignId });
      const row = (await getHazard(db, outcome.hazard.id))!;
      if (!row.workflowStartedAt) await startHazardWorkflow(db, temporal, row);
      // 瞒报: the enterprise had not reported it in its self-inspection. The case ID derives from the hazard, so a retry finds it.
      if (concealed === true) await openCaseForConcealment(db, temporal, { enterprise, hazardId: row.id, description: row.description, campaignId: input.campaignId, actor: input.actor, timeZone: row.timeZone });
      hazardIds.push(row.id);
    }
    return { hazardIds };
  }

  return {
    recordCampaignEvents,
    recordDutyEvents,
    startObligations,
    rescheduleObligations,
    drawSpotCheck,
    startInspections,
    rescheduleInspections,
    startSelfInspections,
    rescheduleSelfInspections,
    takeSummarySnapshot,
    sendDutyNotification: notices.sendDutyNotification,
    sendAssignmentNotices,
    abandonAssignmentNotices,
    registerInspectionFindings,
  };
}
