// Campaigns (templates are in campaign-templates.routes.ts): launch, list, live status, phase moves, duty submissions, the spot-check draw
// (checkable by anyone), inspection results, self-inspection declarations, supervision findings.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/client';
import { campaignFigures, drawnInspections, dutyOnLedger, type CampaignFigures as Figures } from '../../db/campaigns.repo';
import { auditedRosterSha256, getFrozenRoster, rosterSha256 } from '../../db/campaign-roster.repo';
import { storeContent } from '../../db/contents.repo';
import { declareSelfInspection, getCampaign, onFrozenRoster, recordExtraInspection, getDraw, getSnapshot, getTemplate, insertCampaign, listCampaigns, participantsOf, recordSupervisionFinding, type CampaignRow } from '../../db/campaign-admin.repo';
import { isCursor } from '../../db/pagination';
import { getHazard, insertHazard } from '../../db/hazards.repo';
import { getEnterprise, unitsByCode } from '../../db/reference.repo';
import { selfInspectionDutyKey, templateInstant, type CampaignStatus as CampaignStatusValue, type PhaseKey } from '../../domain/campaign';
import { templateToLaunch } from '../../domain/campaign-launch';
import { DomainError, ErrorCode, invalidInput, type FieldError } from '../../domain/errors';
import { canSee, type Actor } from '../../domain/hazard';
import { assertActive } from '../../domain/enterprise';
import { foreignChecklistEntries, selfInspectionChecklist } from '../../domain/self-inspection';
import { drawProblems, drawRuleOf } from '../../domain/roster';
import { progressItemProblems } from '../../domain/work-items';
import { leadingUnit } from '../../db/work-items.repo';
import { drawDisclosed, mayKnowInspection } from '../../domain/unannounced';
import { forbidFields, requireRole } from '../plugins/auth';
import { idempotencyScope } from '../plugins/idempotency';
import { decodeCursor, encodeCursor, errorResponses, IdempotencyHeaders, IdParams } from '../schemas/common';
import {
  CampaignLaunched,
  CampaignStatus,
  CampaignSummary,
  DrawVerification,
  DutyBody,
  DutyParams,
  DutySubmitted,
  ExtraInspectionBody,
  ExtraInspectionRecorded,
  InspectionBody,
  InspectionParams,
  InspectionRecorded,
  LaunchBody,
  LaunchHeaders,
  PhaseMoveBody,
  PhaseMoved,
  PhaseParams,
  SelfInspectionBody,
  SelfInspectionDeclared,
  SpotCheckDraw,
  SupervisionFindingBody,
  SupervisionFindingFiled,
  CampaignList,
  CampaignListQuery,
} from '../schemas/campaigns';
import { buildHazardRow, requestHash, type CampaignHazardPolicies, type HazardReport } from '../../services/hazard-report';
import { calendarIfNeeded } from '../../services/working-calendar';
import { startHazardWorkflow } from '../../services/hazard.service';
import type { TemporalTarget } from '../../services/temporal';
import { movePhase, queryCampaign, startCampaignFor, submitDuty } from '../../services/campaign.service';
import { campaignReadableBy, campaignScope } from '../../services/campaign-access';
import { openCaseForConcealment, openCaseForFinding } from '../../services/case-openers';
import { inspectionWorkflowId, obligationWorkflowId, selfInspectionWorkflowId } from '../../workflows/ids';

export const campaignRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  async function campaignOr404(id: string): Promise<CampaignRow> {
    const c = await getCampaign(db, id);
    if (!c) throw new DomainError(ErrorCode.NOT_FOUND, 'campaign not found');
    return c;
  }

  /** A campaign outside the actor's campaignScope does not exist for it (404). */
  const visibleCampaign = (actor: Actor, id: string): Promise<CampaignRow> => campaignReadableBy(db, actor, id);

  /**
   * The draw's seed is for those who may read the draw, and for everyone once the campaign is over:
   * with the seed, the rule and its own roster a county could recompute who was drawn in its county.
   */
  const seedFor = (actor: Actor, c: CampaignRow, seed: string): string | null => (drawDisclosed(actor, c.status === 'COMPLETED') ? seed : null);

  /** The status's spot-check figures as the actor may read them: a small stratum's figures name who was drawn. */
  const spotCheckFor = (actor: Actor, c: CampaignRow, sc: Figures['spotCheck']) =>
    sc && (drawDisclosed(actor, c.status === 'COMPLETED') ? sc : { seed: null, strata: [] as NonNullable<Figures['spotCheck']>['strata'] });

  /** The enterprise if the actor's scope covers it; otherwise it does not exist for the actor (404). */
  async function enterpriseInScope(actor: Actor, id: string | undefined, field: string) {
    const e = id ? await getEnterprise(db, id) : undefined;
    if (!e || !canSee(actor, { enterpriseId: e.id, countyCode: e.countyCode, departmentCode: e.departmentCode })) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found', [{ field, reason: 'no enterprise with this id in your scope' }]);
    }
    return e;
  }

  /** Pre-checks findings as hazard reports, so a bad one is a 422 here and never a failed activity. */
  async function checkFindings(findings: unknown[], enterprise: NonNullable<Awaited<ReturnType<typeof getEnterprise>>>, actor: Actor, path: string, policies?: CampaignHazardPolicies): Promise<void> {
    const calendar = await calendarIfNeeded(db, findings as HazardReport[], policies);
    const errors = findings.flatMap((f, i) => {
      const built = buildHazardRow(f as HazardReport, enterprise, actor, Date.now(), undefined, policies, calendar);
      return built.ok ? [] : built.errors.map((e) => ({ field: `${path}[${i}].${e.field}`, reason: e.reason }));
    });
    if (errors.length > 0) throw invalidInput(errors);
  }

  app.get('/campaigns', { schema: { tags: ['campaigns'], summary: 'List the campaigns the caller may see (newest first, keyset pagination)', querystring: CampaignListQuery, response: { 200: CampaignList, ...errorResponses } } }, async (request) => {
    const q = request.query;
    const cursor = decodeCursor(q.cursor, isCursor);
    if (cursor === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
    const range = { launchedFrom: q.launchedFrom ? new Date(q.launchedFrom) : undefined, launchedTo: q.launchedTo ? new Date(q.launchedTo) : undefined };
    const page = await listCampaigns(db, { status: q.status, templateKey: q.templateKey, unitCode: q.unitCode, ...range }, await campaignScope(db, request.actor), { limit: q.limit ?? 50, after: cursor });
    return {
      items: page.items.map(({ createdAt, completedAt, ...c }) => ({ ...c, status: c.status as CampaignStatusValue, currentPhases: c.currentPhases as PhaseKey[], launchedAt: createdAt.toISOString(), completedAt: completedAt?.toISOString() ?? null })),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    };
  });

  app.post(
    '/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Launch a campaign from a stored template with its participating counties and departments',
        headers: LaunchHeaders,
        body: LaunchBody,
        response: { 201: CampaignLaunched, 200: CampaignLaunched, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office');
      const b = request.body;
      const stored = await getTemplate(db, b.templateKey, b.templateVersion);
      const errors: FieldError[] = [];
      if (!stored) errors.push({ field: 'templateVersion', reason: `no template ${b.templateKey} v${b.templateVersion}` });
      const launchable = stored && templateToLaunch(stored, b.startOn, Date.now());
      if (launchable && !launchable.ok) errors.push(...launchable.errors);
      const template = launchable && launchable.ok ? launchable.template : null;
      const found = await unitsByCode(db, [...b.counties, ...b.departments]);
      b.counties.forEach((code, i) => found.some((u) => u.code === code && u.kind === 'COUNTY') || errors.push({ field: `counties[${i}]`, reason: `no county ${code}` }));
      b.departments.forEach((code, i) => found.some((u) => u.code === code && u.kind === 'DEPARTMENT') || errors.push({ field: `departments[${i}]`, reason: `no department ${code}` }));
      if (errors.length > 0 || !template) throw invalidInput(errors);
      const id = randomUUID();
      const { kind, campaign } = await insertCampaign(
        db,
        { id, name: b.name ?? template.name, template, workflowId: `campaign:${id}`, spotCheckSeed: b.spotCheckSeed ?? randomUUID(), launchedBy: actor, idempotencyKey: idempotencyScope(actor, request.headers['idempotency-key']) ?? id, requestHash: requestHash(b) },
        [...b.counties.map((unitCode) => ({ unitCode, kind: 'COUNTY' as const })), ...b.departments.map((unitCode) => ({ unitCode, kind: 'DEPARTMENT' as const }))],
      );
      if (kind === 'key-reused') throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key launched a different campaign', [{ field: 'Idempotency-Key', reason: 'already used with another body' }]);
      if (!campaign.workflowStartedAt) {
        // On the ledger already: if Temporal does not answer now, the reconciler starts it later.
        await startCampaignFor(db, temporal, campaign).catch((err: unknown) => request.log.warn({ err, campaignId: campaign.id }, 'campaign workflow start deferred to reconciliation'));
      }
      return reply.status(kind === 'created' ? 201 : 200).send({ id: campaign.id, workflowId: campaign.workflowId, name: campaign.name, spotCheckSeed: campaign.spotCheckSeed, rosterSha256: campaign.rosterSha256 });
    },
  );

  app.get('/campaigns/:id', { schema: { tags: ['campaigns'], summary: 'Campaign status: phases, every unit duty, hazard counts, spot-check coverage', params: IdParams, response: { 200: CampaignStatus, ...errorResponses } } }, async (request) => {
    const c = await visibleCampaign(requireRole(request, 'admin', 'office', 'department', 'county'), request.params.id);
    const [live, figures, participants] = await Promise.all([queryCampaign(temporal, c.id), campaignFigures(db, c.id), participantsOf(db, c.id)]);
    const phases = live ? Object.fromEntries(Object.entries(live.phases).map(([k, p]) => [k, { status: p.status, opensAt: new Date(p.opensAt).toISOString(), closesAt: new Date(p.closesAt).toISOString() }])) : null;
    const spotCheck = spotCheckFor(request.actor, c, figures.spotCheck);
    return { id: c.id, name: c.name, status: c.status, currentPhases: c.currentPhases, timeZone: c.template.timeZone, phases, participants: participants.map((p) => ({ unitCode: p.unitCode, kind: p.kind })), ...figures, spotCheck };
  });

  app.post(
    '/campaigns/:id/phases/:phase/move',
    {
      config: { idempotent: true },
      schema: {
        headers: IdempotencyHeaders,
        tags: ['campaigns'],
        summary: 'Move a phase by hand (office), with a reason on record',
        params: PhaseParams,
        body: PhaseMoveBody,
        response: { 200: PhaseMoved, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const c = await campaignOr404(request.params.id);
      const { opensAt, closesAt, reason } = request.body;
      if (!opensAt && !closesAt) throw invalidInput([{ field: 'closesAt', reason: 'give opensAt, closesAt or both' }]);
      const read = (field: 'opensAt' | 'closesAt', text: string | undefined) => {
        if (text === undefined) return undefined;
        const at = templateInstant(text, c.template.timeZone, field === 'opensAt' ? 'start' : 'end');
        if (at === null) throw invalidInput([{ field, reason: 'expected YYYY-MM-DD or a local YYYY-MM-DDTHH:mm[:ss] in the campaign time zone' }]);
        return new Date(at).toISOString();
      };
      const state = await movePhase(temporal, c.id, { phase: request.params.phase as PhaseKey, opensAt: read('opensAt', opensAt), closesAt: read('closesAt', closesAt), reason, actor }, request.idempotencyKey);
      const p = state.phases[request.params.phase as PhaseKey];
      return { phase: request.params.phase, status: p.status, opensAt: new Date(p.opensAt).toISOString(), closesAt: new Date(p.closesAt).toISOString() };
    },
  );

  app.post(
    '/campaigns/:id/duties/:unitCode/:dutyKey',
    {
      config: { idempotent: true },
      schema: {
        headers: IdempotencyHeaders,
        tags: ['campaigns'],
        summary: 'Submit a unit duty (implementation plan, progress report, summary); late ones are accepted and marked late',
        params: DutyParams,
        body: DutyBody,
        response: { 200: DutySubmitted, ...errorResponses },
      },
    },
    async (request) => {
      // A county or department submits its own duties; the office and admin any unit's.
      const actor = requireRole(request, 'admin', 'office', 'county', 'department');
      const c = await visibleCampaign(actor, request.params.id);
      if ((actor.role === 'county' || actor.role === 'department') && request.params.unitCode !== actor.scope) throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
      // A structured progress report states the work items the unit leads (domain/work-items.ts).
      if (request.body.items) {
        if (!request.params.dutyKey.startsWith('progress:')) throw invalidInput([{ field: 'items', reason: 'work items are stated in progress reports (progress:...)' }]);
        const unit = await leadingUnit(db, c.id, request.params.unitCode);
        if (!unit) throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
        const problems = progressItemProblems(c.template, unit, request.body.items);
        if (problems.length > 0) throw invalidInput(problems);
      }
      // The report goes on the ledger first; the workflow's history carries its id.
      const contentId = await storeContent(db, 'duty-report', request.body, actor);
      const status = await submitDuty(temporal, obligationWorkflowId(c.id, request.params.unitCode), { dutyKey: request.params.dutyKey, content: { contentId }, actor: request.actor }, request.idempotencyKey);
      return { dutyKey: status.duty.key, state: status.state, late: status.late, submittedAt: status.submittedAt, dueAt: new Date(status.duty.dueAt).toISOString() };
    },
  );

  app.get(
    '/campaigns/:id/spot-check',
    {
      schema: {
        tags: ['campaigns'],
        summary: "The spot-check draw: seed, rule, strata and the drawn enterprises' inspections the caller may know of (unannounced: a county learns of its enterprises' once recorded)",
        params: IdParams,
        response: { 200: SpotCheckDraw, ...errorResponses },
      },
    },
    async (request) => {
      // Unannounced inspections (四不两直, domain/unannounced.ts): the office sees who was drawn, a department its own
      // enterprises, a county those in its territory once each inspection is recorded; enterprises and reviewers
      // read no draw. Anyone can still verify it.
      const actor = requireRole(request, 'admin', 'office', 'department', 'county');
      const c = await visibleCampaign(actor, request.params.id);
      const d = await getDraw(db, c.id);
      if (!d) throw new DomainError(ErrorCode.NOT_FOUND, 'not drawn yet: the draw happens when the spot-check phase opens');
      const completed = c.status === 'COMPLETED';
      const inspections = (await drawnInspections(db, c.id, d)).filter((i) => mayKnowInspection(actor, i, completed));
      const known = new Set(inspections.map((i) => i.enterpriseId));
      const strata = drawDisclosed(actor, completed) ? d.strata.map((st) => ({ ...st, drawn: st.drawn.filter((id) => known.has(id)) })) : [];
      return { seed: seedFor(actor, c, d.seed), rule: d.rule, rosterSize: d.roster.length, strata, inspections, drawnAt: d.drawnAt.toISOString() };
    },
  );

  app.get(
    '/campaigns/:id/spot-check/verification',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          'Proves the draw: the stored roster hashes to the hash recorded at launch, and the draw recomputed from it with the published seed and the template rule is the recorded one; any key can check it (the answer names no drawn enterprise)',
        params: IdParams,
        response: { 200: DrawVerification, ...errorResponses },
      },
    },
    async (request) => {
      const c = await campaignOr404(request.params.id);
      const d = await getDraw(db, c.id);
      if (!d) throw new DomainError(ErrorCode.NOT_FOUND, 'not drawn yet');
      const [frozen, auditedSha256] = await Promise.all([getFrozenRoster(db, c.id), auditedRosterSha256(db, c.id)]);
      const computed = frozen ? rosterSha256(frozen.entries) : null;
      const problems = drawProblems({
        seed: c.spotCheckSeed,
        rule: drawRuleOf(c.template.spotCheck),
        draw: d,
        frozen: frozen ? { entries: frozen.entries, sha256: computed! } : null,
        recordedSha256: c.rosterSha256,
        auditedSha256,
      });
      const roster: unknown = frozen ? frozen.entries : d.roster;
      return {
        matches: problems.length === 0,
        problems,
        seed: seedFor(request.actor, c, c.spotCheckSeed),
        rosterSize: Array.isArray(roster) ? roster.length : 0,
        rule: d.rule,
        rosterFrozen: frozen !== undefined || c.rosterSha256 !== null,
        rosterSha256: c.rosterSha256,
        computedRosterSha256: computed,
      };
    },
  );

  app.post(
    '/campaigns/:id/inspections/:enterpriseId',
    {
      config: { idempotent: true },
      schema: {
        headers: IdempotencyHeaders,
        tags: ['campaigns'],
        summary: 'Result of a spot-check inspection: passed, or findings (each becomes a hazard with its own workflow)',
        params: InspectionParams,
        body: InspectionBody,
        response: { 200: InspectionRecorded, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'department');
      const c = await visibleCampaign(actor, request.params.id);
      const enterprise = await enterpriseInScope(actor, request.params.enterpriseId, 'enterpriseId');
      const findings = request.body.findings ?? [];
      if (request.body.outcome === 'FINDINGS' && findings.length === 0) throw invalidInput([{ field: 'findings', reason: 'an inspection with findings lists them' }]);
      if (request.body.outcome === 'PASSED' && findings.length > 0) throw invalidInput([{ field: 'findings', reason: 'a passed inspection has no findings' }]);
      // Findings become hazards, which a deactivated enterprise takes no more of; a visit that confirms the closure is PASSED with a note.
      if (findings.length > 0) assertActive(enterprise, 'new hazards: record the visit as PASSED with a note, and report what you found against the enterprise that took it over', 'findings');
      await checkFindings(findings, enterprise, actor, 'findings', c.template.hazardPolicies);
      // Up to 100 findings: on the ledger first; the workflow's history carries the id and the count.
      const contentId = await storeContent(db, 'inspection-result', request.body, actor);
      const content = { contentId, outcome: request.body.outcome, findingCount: findings.length };
      const status = await submitDuty(temporal, inspectionWorkflowId(c.id, enterprise.id), { dutyKey: `inspection:${enterprise.id}`, content, actor }, request.idempotencyKey);
      return { state: status.state, late: status.late, submittedAt: status.submittedAt, dueAt: new Date(status.duty.dueAt).toISOString() };
    },
  );

  app.post(
    '/campaigns/:id/extra-inspections',
    {
      config: { idempotent: true },
      schema: {
        headers: IdempotencyHeaders,
        tags: ['campaigns'],
        summary:
          'A department or county records an inspection beyond the random sample (全覆盖) of an enterprise in its scope on the campaign\'s roster: passed, or findings (each becomes a hazard, source spot-check, with its own workflow); recorded as not drawn, it counts toward coverage',
        params: IdParams,
        body: ExtraInspectionBody,
        response: { 201: ExtraInspectionRecorded, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office', 'department', 'county');
      const c = await visibleCampaign(actor, request.params.id);
      const b = request.body;
      const enterprise = await enterpriseInScope(actor, b.enterpriseId, 'enterpriseId');
      if ((await onFrozenRoster(db, c.id, enterprise.id)) === false) throw invalidInput([{ field: 'enterpriseId', reason: 'not on this campaign\'s roster' }]);
      const findings = b.findings ?? [];
      if (b.outcome === 'FINDINGS' && findings.length === 0) throw invalidInput([{ field: 'findings', reason: 'an inspection with findings lists them' }]);
      if (b.outcome === 'PASSED' && findings.length > 0) throw invalidInput([{ field: 'findings', reason: 'a passed inspection has no findings' }]);
      if (findings.length > 0) assertActive(enterprise, 'new hazards: record the visit as PASSED with a note', 'findings');
      await checkFindings(findings, enterprise, actor, 'findings', c.template.hazardPolicies);
      // Keyed by the request: a retry after a crash finds the hazards (and the row) the first attempt made.
      const requestKey = request.idempotencyKey ? `extra:${c.id}:${request.idempotencyKey}` : `extra:${randomUUID()}`;
      const hazardIds: string[] = [];
      const calendar = await calendarIfNeeded(db, findings as HazardReport[], c.template.hazardPolicies);
      for (const [i, finding] of findings.entries()) {
        const { concealed, ...report } = finding as HazardReport & { concealed?: boolean };
        const built = buildHazardRow({ ...report, source: 'SPOT_CHECK' }, enterprise, actor, Date.now(), { key: `${requestKey}:${i}` }, c.template.hazardPolicies, calendar);
        if (!built.ok) throw invalidInput(built.errors.map((x) => ({ field: `findings[${i}].${x.field}`, reason: x.reason })));
        const { hazard } = await insertHazard(db, { ...built.row, campaignId: c.id });
        const row = (await getHazard(db, hazard.id))!;
        await startHazardWorkflow(db, temporal, row).catch((err: unknown) => request.log.warn({ err }, 'workflow start deferred to reconciliation'));
        // 瞒报, as for a drawn inspection: the case ID derives from the hazard, so a retry finds it.
        if (concealed === true) await openCaseForConcealment(db, temporal, { enterprise, hazardId: row.id, description: row.description, campaignId: c.id, actor, timeZone: row.timeZone });
        hazardIds.push(hazard.id);
      }
      const unitCode = actor.role === 'county' || actor.role === 'department' ? actor.scope : null;
      const row = await recordExtraInspection(db, { campaignId: c.id, enterpriseId: enterprise.id, unitCode, outcome: b.outcome, note: b.note ?? null, hazardIds, drawn: false, requestKey, actor });
      return reply.status(201).send({ id: row.id, enterpriseId: row.enterpriseId, outcome: row.outcome as 'PASSED' | 'FINDINGS', hazardIds: row.hazardIds, drawn: false, inspectedAt: row.inspectedAt.toISOString() });
    },
  );

  app.post(
    '/campaigns/:id/self-inspections',
    {
      config: { idempotent: true },
      schema: {
        headers: IdempotencyHeaders,
        tags: ['campaigns'],
        summary:
          'An enterprise files its self-inspection (清单 and 台账, 备案 with its department), with the number of problems found: this submits its self-inspection duty (late after the self-inspection phase closes); declared again, the declaration is updated and the duty stays as filed. Before the duty exists (the phase not open yet, a campaign launched before such duties) only the declaration is recorded',
        params: IdParams,
        body: SelfInspectionBody,
        response: { 200: SelfInspectionDeclared, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'enterprise', 'admin', 'office', 'county');
      const c = await visibleCampaign(actor, request.params.id);
      const enterpriseId = actor.role === 'enterprise' ? (request.body.enterpriseId ?? actor.scope!) : request.body.enterpriseId;
      if (!enterpriseId) throw invalidInput([{ field: 'enterpriseId', reason: 'is required' }]);
      const e = await enterpriseInScope(actor, enterpriseId, 'enterpriseId');
      assertActive(e, 'self-inspection declarations', 'enterpriseId');
      const checklist = selfInspectionChecklist(c.template.workLines, e.industry);
      const foreign = foreignChecklistEntries(checklist, request.body.checklist ?? []);
      if (foreign.length > 0) throw invalidInput(foreign);
      const obligationId = selfInspectionWorkflowId(c.id, e.id);
      const dutyKey = selfInspectionDutyKey(e.id);
      let filing = await dutyOnLedger(db, obligationId, dutyKey);
      if (filing && filing.state !== 'SUBMITTED') {
        // The duty first: a refused filing (its late window closed) records no declaration either.
        const content = { problemsFound: request.body.problemsFound, note: request.body.note ?? null, ...(request.body.checklist ? { checklist: request.body.checklist } : {}) };
        const st = await submitDuty(temporal, obligationId, { dutyKey, content, actor }, request.idempotencyKey);
        filing = { state: st.state, late: st.late, submittedAt: st.submittedAt ? new Date(st.submittedAt) : null, dueAt: new Date(st.duty.dueAt) };
      }
      const row = await declareSelfInspection(db, { campaignId: c.id, enterpriseId: e.id, problemsFound: request.body.problemsFound, note: request.body.note ?? null, declaredBy: actor });
      return {
        campaignId: c.id,
        enterpriseId: e.id,
        problemsFound: row.problemsFound,
        declaredAt: row.declaredAt.toISOString(),
        checklist: checklist.map((it) => it.no),
        duty: filing ? { state: filing.state, late: filing.late, submittedAt: filing.submittedAt?.toISOString() ?? null, dueAt: filing.dueAt.toISOString() } : null,
      };
    },
  );

  app.post(
    '/campaigns/:id/supervision-findings',
    {
      config: { idempotent: true },
      schema: {
        headers: IdempotencyHeaders,
        tags: ['campaigns'],
        summary: 'A supervision team files a finding: against an enterprise (it becomes a hazard) or against a unit (it opens or joins an accountability case against the unit)',
        params: IdParams,
        body: SupervisionFindingBody,
        response: { 201: SupervisionFindingFiled, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office', 'department');
      const b = request.body;
      // A department's team files against the enterprises it supervises; findings against a unit
      // (a county or department, for accountability) are the office's supervision teams'.
      if (actor.role === 'department' && b.target === 'UNIT') forbidFields(actor, [{ field: 'target', reason: 'findings against a unit are filed by the office' }]);
      const c = await visibleCampaign(actor, request.params.id);
      let hazardId: string | null = null;
      if (b.target === 'ENTERPRISE') {
        if (!b.enterpriseId) throw invalidInput([{ field: 'enterpriseId', reason: 'a finding against an enterprise names it' }]);
        const e = await enterpriseInScope(actor, b.enterpriseId, 'enterpriseId');
        assertActive(e, 'new hazards', 'enterpriseId');
        if (!b.hazard) throw invalidInput([{ field: 'hazard', reason: 'a finding against an enterprise is registered as a hazard: give its ledger fields' }]);
        // With an Idempotency-Key, a retry after a crash finds the hazard the first attempt registered.
        const calendar = await calendarIfNeeded(db, [b.hazard as HazardReport], c.template.hazardPolicies);
        const built = buildHazardRow({ ...(b.hazard as HazardReport), source: 'SUPERVISION' }, e, actor, Date.now(), request.idempotencyKey ? { key: `supervision:${request.idempotencyKey}` } : undefined, c.template.hazardPolicies, calendar);
        if (!built.ok) throw invalidInput(built.errors.map((x) => ({ field: `hazard.${x.field}`, reason: x.reason })));
        const { hazard } = await insertHazard(db, { ...built.row, campaignId: c.id });
        await startHazardWorkflow(db, temporal, (await getHazard(db, hazard.id))!).catch((err: unknown) => request.log.warn({ err }, 'workflow start deferred to reconciliation'));
        hazardId = hazard.id;
      } else if (!b.unitCode || (await unitsByCode(db, [b.unitCode])).length === 0) {
        throw invalidInput([{ field: 'unitCode', reason: 'a finding against a unit names a registered county or department' }]);
      }
      const row = await recordSupervisionFinding(db, { campaignId: c.id, team: b.team, targetKind: b.target, enterpriseId: b.enterpriseId ?? null, unitCode: b.unitCode ?? null, hazardId, description: b.description, actor });
      // Against a unit: an accountability case, opened (or joined) under an ID derived from the finding.
      // The finding is on the ledger already: if Temporal does not answer now, the reconciler opens it later.
      const opened =
        b.target === 'UNIT'
          ? await openCaseForFinding(db, temporal, row).catch((err: unknown) => {
              request.log.warn({ err, findingId: row.id }, 'case for the finding deferred to reconciliation');
              return null;
            })
          : null;
      return reply.status(201).send({ id: row.id, hazardId, caseId: opened?.caseId ?? null, foundAt: row.foundAt.toISOString() });
    },
  );

  app.get('/campaigns/:id/summary', { schema: { tags: ['campaigns'], summary: 'The frozen summary written when the summary phase closed', params: IdParams, response: { 200: CampaignSummary, ...errorResponses } } }, async (request) => {
    const c = await visibleCampaign(requireRole(request, 'admin', 'office', 'department', 'county'), request.params.id);
    const snap = await getSnapshot(db, c.id);
    if (!snap) throw new DomainError(ErrorCode.NOT_FOUND, 'no summary yet: it is written when the summary phase closes');
    const figures = snap.figures as Figures;
    return { campaignId: c.id, takenAt: snap.takenAt.toISOString(), figures: { ...figures, spotCheck: spotCheckFor(request.actor, c, figures.spotCheck) } };
  });
};
