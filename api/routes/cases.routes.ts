// Accountability cases (问责): the office opens one by hand, reviewers decide them rung by rung,
// auditors export their evidence. A case outside the caller's scope does not exist for it (404).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { getCampaign } from '../../db/campaign-admin.repo';
import type { Db } from '../../db/client';
import { recordAudit } from '../../db/audit.repo';
import { caseScopeOf, causesOf, getCase, listCases, type CaseCauseRow, type CaseRow } from '../../db/cases.repo';
import { isCursor } from '../../db/pagination';
import { CASE_DECIDING_ROLES, canSeeCase, type CaseDecision } from '../../domain/accountability';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import type { Actor } from '../../domain/hazard';
import { DEFAULT_TIME_ZONE } from '../../domain/time';
import { caseEvidence } from '../../services/case-evidence';
import { decideCase, openCaseByHand, queryCase, subjectOf } from '../../services/case.service';
import type { TemporalTarget } from '../../services/temporal';
import { requireRole } from '../plugins/auth';
import { CaseDetail, CaseList, CaseListQuery, DecisionBody, DecisionResult, EvidenceView, OpenCaseBody, OpenCaseResult } from '../schemas/cases';
import { decodeCursor, encodeCursor, errorResponses, IdempotencyHeaders, IdParams } from '../schemas/common';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function caseView(c: CaseRow) {
  return {
    id: c.id,
    workflowId: c.workflowId,
    subject: { kind: c.subjectKind, ref: c.subjectRef, name: c.subjectName, countyCode: c.scopeCounty, departmentCode: c.scopeDepartment },
    causeKind: c.causeKind,
    campaignId: c.campaignId,
    rung: c.rung,
    status: c.status,
    exposed: c.exposed,
    overdue: c.overdue,
    reviewDueAt: iso(c.reviewDueAt),
    heldUntil: iso(c.heldUntil),
    summonsAt: iso(c.summonsAt),
    referralTo: c.referralTo,
    openedBy: c.openedBy,
    openedAt: c.openedAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    resolvedAt: iso(c.resolvedAt),
    lastSeq: c.lastSeq,
  };
}

const causeView = (c: CaseCauseRow) => ({ kind: c.kind, refId: c.refId, note: c.note, joinedAt: c.joinedAt.toISOString(), resolvedAt: iso(c.resolvedAt) });

/** Who exports evidence: those who decide cases (admin, office, reviewers in scope); not the parties. */
const EVIDENCE_ROLES = CASE_DECIDING_ROLES;

/** A case the actor may see; any other, or none, is a 404. */
export async function visibleCase(db: Db, actor: Actor, id: string): Promise<CaseRow> {
  const row = await getCase(db, id);
  if (!row || !canSeeCase(actor, caseScopeOf(row))) throw new DomainError(ErrorCode.NOT_FOUND, 'case not found');
  return row;
}

export const caseRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  app.get(
    '/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'List accountability cases in the caller’s scope (newest opened first, keyset pagination)',
        querystring: CaseListQuery,
        response: { 200: CaseList, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor, isCursor);
      if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
      const page = await listCases(
        db,
        request.actor,
        { status: q.status, rung: q.rung, overdue: q.overdue, subjectKind: q.subjectKind, subjectRef: q.subjectRef, causeKind: q.causeKind, campaignId: q.campaignId },
        { limit: q.limit ?? 50, after },
      );
      return { items: page.items.map(caseView), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.get(
    '/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case: the ledger row, its causes and the live state of its workflow',
        params: IdParams,
        response: { 200: CaseDetail, ...errorResponses },
      },
    },
    async (request) => {
      const row = await visibleCase(db, request.actor, request.params.id);
      const [{ causes, total }, live] = await Promise.all([causesOf(db, row.id, 500), queryCase(temporal, row.id)]);
      return { case: caseView(row), causes: causes.map(causeView), causesTotal: total, live, liveStatus: live ? ('LIVE' as const) : ('UNAVAILABLE' as const) };
    },
  );

  app.post(
    '/cases',
    {
      config: { idempotent: true },
      schema: {
        tags: ['cases'],
        summary: 'Open a case by hand (cause MANUAL), or join the open manual case of the same subject (admin, office)',
        headers: IdempotencyHeaders,
        body: OpenCaseBody,
        response: { 201: OpenCaseResult, 200: OpenCaseResult, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office');
      const { subject: ref, reason, campaignId } = request.body;
      const subject = await subjectOf(db, ref.kind === 'UNIT' ? { kind: 'UNIT', code: ref.ref } : { kind: 'ENTERPRISE', id: ref.ref });
      if (!subject) throw new DomainError(ErrorCode.NOT_FOUND, `no such ${ref.kind === 'UNIT' ? 'unit' : 'enterprise'}`, [{ field: 'subject.ref', reason: ref.kind === 'UNIT' ? 'no unit with this code' : 'no enterprise with this id' }]);
      const campaign = campaignId ? await getCampaign(db, campaignId) : undefined;
      if (campaignId && !campaign) throw new DomainError(ErrorCode.NOT_FOUND, 'no such campaign', [{ field: 'campaignId', reason: 'no campaign with this id' }]);
      // The opening cause is named by the Idempotency-Key: a retry after a failure finds the same case.
      const key = request.idempotencyKey ?? randomUUID();
      const opened = await openCaseByHand(db, temporal, { subject, reason, campaignId: campaignId ?? null, key, timeZone: campaign?.template.timeZone ?? DEFAULT_TIME_ZONE, actor });
      const row = (await getCase(db, opened.caseId))!;
      return reply.status(opened.joined ? 200 : 201).send({ case: caseView(row), joined: opened.joined });
    },
  );

  app.post(
    '/cases/:id/decisions',
    {
      config: { idempotent: true },
      schema: {
        tags: ['cases'],
        summary: 'Decide on the current rung: ESCALATE (通报→约谈→移送→免职→移交司法), HOLD until a date, or RESOLVE; a reason is required',
        headers: IdempotencyHeaders,
        params: IdParams,
        body: DecisionBody,
        response: { 200: DecisionResult, ...errorResponses },
      },
    },
    async (request) => {
      const actor = request.actor;
      const row = await visibleCase(db, actor, request.params.id);
      if (!CASE_DECIDING_ROLES.includes(actor.role)) throw new DomainError(ErrorCode.FORBIDDEN, `role '${actor.role}' may not decide accountability cases`);
      // A resolved case is final on the ledger; any other answer is the workflow's validator's (it sees the current rung).
      if (row.status === 'RESOLVED') throw new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'the case is resolved');
      // The update ID follows the Idempotency-Key: a retry after a 503 gets the first attempt's result.
      const live = await decideCase(temporal, row.id, { actor, decision: request.body as CaseDecision }, request.idempotencyKey && `decideCase:${request.idempotencyKey}`);
      return { case: caseView((await getCase(db, row.id))!), live };
    },
  );

  app.get(
    '/cases/:id/evidence',
    {
      schema: {
        tags: ['cases'],
        summary: 'The evidence bundle: ledger row, causes, ordered record, mail and the Temporal histories of every workflow involved, with SHA-256 digests (admin, office, reviewers)',
        params: IdParams,
        response: { 200: EvidenceView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...EVIDENCE_ROLES);
      const row = await visibleCase(db, actor, request.params.id);
      const bundle = await caseEvidence(db, temporal, row, actor);
      await recordAudit(db, { actor, action: 'case.evidence_exported', subjectKind: 'case', subjectId: row.id, data: { sha256: bundle.manifest.sha256, complete: bundle.manifest.complete } });
      reply.header('content-disposition', `attachment; filename="case-${row.id}-evidence.json"`);
      return bundle;
    },
  );
};
