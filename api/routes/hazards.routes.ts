import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getHazard, hazardTimeline, insertHazard, listHazards, setHazardWorkItem, type HazardRow } from '../../db/hazards.repo';
import { storeContent } from '../../db/contents.repo';
import { isCursor } from '../../db/pagination';
import { activeCampaignForCounty, getCampaign, participantsOf } from '../../db/campaign-admin.repo';
import { getEnterprise } from '../../db/reference.repo';
import { assertActive } from '../../domain/enterprise';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import { canSee, checkCommand, checkPayload, type Actor, type CommandInput, type CommandPayloads, type HazardCommand } from '../../domain/hazard';
import { excerpt } from '../../domain/text';
import { parseDeadline } from '../../domain/time';
import { forbiddenReportFields } from '../../domain/access';
import { forbidFields, requireRole } from '../plugins/auth';
import { decodeCursor, encodeCursor, errorResponses, IdempotencyHeaders, IdParams } from '../schemas/common';
import { CommandBodies, HazardCommandResult, HazardDetail, HazardList, HazardListQuery, HazardReportBody, HazardView, WorkItemLinkBody } from '../schemas/hazards';
import { workItemProblem } from '../../domain/work-items';
import { buildHazardRow } from '../../services/hazard-report';
import { calendarIfNeeded } from '../../services/working-calendar';
import { executeHazardCommand, queryHazard, startHazardWorkflow } from '../../services/hazard.service';
import type { TemporalTarget } from '../../services/temporal';
import type { Db } from '../../db/client';
import { hazardView, liveView, timelineView } from '../views';

const COMMAND_PATHS: Record<HazardCommand, string> = {
  listForSupervision: 'list-for-supervision',
  submitRectification: 'rectification',
  decideVerification: 'verification',
  close: 'close',
  requestExtension: 'extension-request',
  decideExtension: 'extension-decision',
  withdraw: 'withdrawal',
};

const COMMAND_SUMMARIES: Record<HazardCommand, string> = {
  listForSupervision: 'List a reported major hazard for supervision (挂牌督办)',
  submitRectification: 'Submit the rectification with its evidence',
  decideVerification: 'Accept or reject a submitted rectification (reason required to reject)',
  close: 'Close a verified hazard (销号)',
  requestExtension: 'Request a later deadline',
  decideExtension: 'Approve (optionally with another deadline) or refuse a pending extension',
  withdraw: 'Withdraw a hazard registered in error (office)',
};

const NOT_FOUND = () => new DomainError(ErrorCode.NOT_FOUND, 'hazard not found');

export const hazardRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  async function visibleHazard(actor: Actor, id: string): Promise<HazardRow> {
    const row = await getHazard(db, id);
    if (!row || !canSee(actor, row)) throw NOT_FOUND();
    return row;
  }

  app.post(
    '/hazards',
    {
      schema: {
        tags: ['hazards'],
        summary: 'Report a hazard: registers it on the ledger and starts its rectification workflow',
        headers: IdempotencyHeaders,
        body: HazardReportBody,
        response: { 201: Type.Ref('Hazard'), 200: Type.Ref('Hazard'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'enterprise', 'county', 'department', 'office', 'admin');
      forbidFields(actor, forbiddenReportFields(actor.role, request.body));
      const enterpriseId = actor.role === 'enterprise' ? actor.scope! : request.body.enterpriseId;
      if (!enterpriseId) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'enterpriseId is required', [{ field: 'enterpriseId', reason: 'is required' }]);
      // An enterprise outside the caller's scope does not exist for it (404), another enterprise's id included.
      const enterprise = actor.role === 'enterprise' && request.body.enterpriseId && request.body.enterpriseId !== actor.scope ? undefined : await getEnterprise(db, enterpriseId);
      if (!enterprise || !canSee(actor, { enterpriseId: enterprise.id, countyCode: enterprise.countyCode, departmentCode: enterprise.departmentCode })) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'no such enterprise', [{ field: 'enterpriseId', reason: 'no enterprise with this id in your scope' }]);
      }
      assertActive(enterprise, 'new hazards', 'enterpriseId');
      const key = request.headers['idempotency-key'];
      // A department files under a campaign it takes part in; another one does not exist for it.
      if (request.body.campaignId && !(await getCampaign(db, request.body.campaignId))) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'no such campaign', [{ field: 'campaignId', reason: 'no campaign with this id' }]);
      }
      if (request.body.campaignId && actor.role === 'department' && !(await participantsOf(db, request.body.campaignId)).some((p) => p.unitCode === actor.scope)) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'no such campaign', [{ field: 'campaignId', reason: 'no campaign with this id that your department takes part in' }]);
      }
      // Hazards found while a campaign runs in the enterprise's county count towards it, and take its template's policies.
      const campaignId = request.body.campaignId ?? (await activeCampaignForCounty(db, enterprise.countyCode));
      const campaign = campaignId ? await getCampaign(db, campaignId) : undefined;
      const calendar = await calendarIfNeeded(db, [request.body], campaign?.template.hazardPolicies);
      const built = buildHazardRow(request.body, enterprise, actor, Date.now(), key ? { key } : undefined, campaign?.template.hazardPolicies, calendar);
      if (!built.ok) throw invalidInput(built.errors);
      const { workItem } = request.body;
      const itemProblem = workItem === undefined ? null : workItemProblem(campaign?.template, workItem, 'workItem');
      if (itemProblem) throw invalidInput([itemProblem]);
      const outcome = await insertHazard(db, { ...built.row, campaignId, workItemNo: workItem ?? null });
      if (outcome.kind === 'key-reused') {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for a different report', [{ field: 'Idempotency-Key', reason: 'already used with another body' }]);
      }
      let hazard = outcome.hazard;
      if (!hazard.workflowStartedAt) {
        try {
          await startHazardWorkflow(db, temporal, hazard);
          hazard = (await getHazard(db, hazard.id)) ?? hazard;
        } catch (err) {
          // The hazard is on the ledger; the reconciler starts its workflow once Temporal answers.
          request.log.warn({ err, hazardId: hazard.id }, 'workflow start deferred to reconciliation');
        }
      }
      if (outcome.kind === 'replayed') reply.header('idempotent-replayed', 'true');
      return reply.status(outcome.kind === 'created' ? 201 : 200).send(hazardView(hazard));
    },
  );

  app.get(
    '/hazards',
    {
      schema: {
        tags: ['hazards'],
        summary: 'List hazards on the ledger (newest first, keyset pagination)',
        querystring: HazardListQuery,
        response: { 200: HazardList, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor, isCursor);
      if (after === null) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'bad cursor', [{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
      const page = await listHazards(
        db,
        request.actor,
        { state: q.status, grade: q.grade, overdue: q.overdue, enterpriseId: q.enterpriseId, countyCode: q.county, industry: q.industry, departmentCode: q.department, campaignId: q.campaignId, workItem: q.workItem },
        { limit: q.limit ?? 50, after },
      );
      return { items: page.items.map(hazardView), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.get(
    '/hazards/:id',
    {
      schema: {
        tags: ['hazards'],
        summary: 'One hazard: the ledger row, the live workflow state and the timeline',
        params: IdParams,
        response: { 200: HazardDetail, ...errorResponses },
      },
    },
    async (request) => {
      const row = await visibleHazard(request.actor, request.params.id);
      const [timeline, live] = await Promise.all([hazardTimeline(db, row.id), queryHazard(temporal, row.id)]);
      return { hazard: hazardView(row), live: liveView(live), timeline: timeline.map(timelineView) };
    },
  );

  app.put(
    '/hazards/:id/work-item',
    {
      schema: {
        tags: ['hazards'],
        summary:
          "Link the hazard to the work item of its campaign's plan it falls under (null unlinks it): the office, or the county or department in whose scope it lies; audited. Progress reports count linked hazards per item",
        params: IdParams,
        body: WorkItemLinkBody,
        response: { 200: Type.Ref('Hazard'), ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'office', 'admin', 'county', 'department');
      const row = await visibleHazard(actor, request.params.id);
      const { workItem } = request.body;
      if (workItem !== null) {
        const campaign = row.campaignId ? await getCampaign(db, row.campaignId) : undefined;
        const problem = workItemProblem(campaign?.template, workItem, 'workItem');
        if (problem) throw invalidInput([problem]);
      }
      const updated = await setHazardWorkItem(db, row.id, workItem, actor);
      if (!updated) throw NOT_FOUND();
      return hazardView(updated);
    },
  );

  async function evidenceByReference(p: CommandPayloads['submitRectification'], actor: Actor): Promise<CommandPayloads['submitRectification']> {
    const contentId = await storeContent(db, 'evidence', { evidence: p.evidence, attachments: p.attachments ?? [] }, actor);
    return { evidence: excerpt(p.evidence), contentId };
  }

  function commandRoute<C extends HazardCommand>(command: C) {
    app.post(
      `/hazards/:id/${COMMAND_PATHS[command]}`,
      {
        config: { idempotent: true },
        schema: {
          headers: IdempotencyHeaders,
          tags: ['hazard commands'],
          summary: COMMAND_SUMMARIES[command],
          params: IdParams,
          body: CommandBodies[command],
          response: { 200: HazardCommandResult, ...errorResponses },
        },
      },
      async (request) => {
        const actor = request.actor;
        const row = await visibleHazard(actor, request.params.id);
        const payload = { ...(request.body as object) } as CommandPayloads[C] & Record<string, unknown>;
        // Dates in commands are read in the hazard's own time zone, like the deadline at report time.
        for (const field of ['requestedDeadline', 'deadline'] as const) {
          const text = payload[field];
          if (typeof text !== 'string') continue;
          const at = parseDeadline(text, row.timeZone);
          if (at === null) throw new DomainError(ErrorCode.VALIDATION_FAILED, `${field} is not a date`, [{ field, reason: 'expected YYYY-MM-DD, local YYYY-MM-DDTHH:mm or an ISO instant with offset' }]);
          (payload as Record<string, unknown>)[field] = new Date(at).toISOString();
        }
        // Early answers from the ledger; the workflow's validator has the final word.
        const check = checkCommand(command, { ...row, extensionPending: row.pendingExtension != null }, actor);
        if (!check.ok) throw new DomainError(check.code, check.reason);
        const errors = checkPayload(command, payload, { deadline: row.deadline.getTime(), requestedDeadline: row.pendingExtension ? Date.parse(row.pendingExtension.requestedDeadline) : null }, Date.now());
        if (errors.length > 0) throw invalidInput(errors);
        // Evidence goes on the ledger first; the workflow's history carries its id and an excerpt.
        const input = command === 'submitRectification' ? await evidenceByReference(payload as CommandPayloads['submitRectification'], actor) : payload;
        // The update ID follows the Idempotency-Key: a retry after a 503 gets the first attempt's result.
        const live = await executeHazardCommand(temporal, row.id, command, { ...input, actor } as CommandInput<C>, request.idempotencyKey && `${command}:${request.idempotencyKey}`);
        const updated = (await getHazard(db, row.id))!;
        return { hazard: hazardView(updated), live: liveView(live) };
      },
    );
  }
  for (const command of Object.keys(COMMAND_PATHS) as HazardCommand[]) commandRoute(command);
};

export const hazardSchemas = [HazardView];
