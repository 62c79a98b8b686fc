// The ordered record (§3 of issue 8): every ledger event about a case, a hazard or an enterprise,
// oldest first, with actor, time, type, the state before and after, and its data; keyset pages.
// Whoever may see the object may read its record; anyone else gets 404.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/client';
import { getHazard } from '../../db/hazards.repo';
import { caseRecord, enterpriseRecord, hazardRecord, isRecordCursor, orderRecord, readRecord, type RecordReader, type RecordStream } from '../../db/record.repo';
import { getEnterprise } from '../../db/reference.repo';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import { canSee, type Actor } from '../../domain/hazard';
import { decodeCursor, encodeCursor, errorResponses, IdParams } from '../schemas/common';
import { RecordPage, RecordQuery } from '../schemas/cases';
import { visibleCase } from './cases.routes';
import { visibleOrderOf } from './orders.routes';

/** An enterprise does not read the mail addressed to regulators and reviewers only. */
const readerOf = (actor: Actor): RecordReader => ({ regulatorMail: actor.role !== 'enterprise' });

const recordSchema = (what: string) => ({
  tags: ['record'],
  summary: `The ordered record of ${what}: every ledger event, oldest first (by time, then stream, object and sequence), in keyset pages`,
  params: IdParams,
  querystring: RecordQuery,
  response: { 200: RecordPage, ...errorResponses },
});

export const recordRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  async function page(streams: RecordStream[], q: { limit?: number; cursor?: string }) {
    const after = decodeCursor(q.cursor, isRecordCursor);
    if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
    const p = await readRecord(db, streams, { limit: q.limit ?? 100, after });
    return { items: p.items, nextCursor: p.next ? encodeCursor(p.next) : null };
  }

  app.get('/cases/:id/record', { schema: recordSchema('a case: its events (opening, causes, decisions, reminders) and its review mail') }, async (request) => {
    const row = await visibleCase(db, request.actor, request.params.id);
    return page(caseRecord(row.id, readerOf(request.actor)), request.query);
  });

  app.get('/hazards/:id/record', { schema: recordSchema('a hazard: its events and the mail sent about it, with its delivery') }, async (request) => {
    const h = await getHazard(db, request.params.id);
    if (!h || !canSee(request.actor, h)) throw new DomainError(ErrorCode.NOT_FOUND, 'hazard not found');
    return page(hazardRecord(h.id, readerOf(request.actor)), request.query);
  });

  app.get('/orders/:id/record', { schema: recordSchema('an enforcement order: its events (issued, reminders, compliance, inspection, lifting) and its mail') }, async (request) => {
    const row = await visibleOrderOf(db, request.actor, request.params.id);
    return page(orderRecord(row.id), request.query);
  });

  app.get('/enterprises/:id/record', { schema: recordSchema("an enterprise: its hazards' events and mail, the cases about it, the enforcement orders against it and its gas over-limit records") }, async (request) => {
    const e = await getEnterprise(db, request.params.id);
    if (!e || !canSee(request.actor, { enterpriseId: e.id, countyCode: e.countyCode, departmentCode: e.departmentCode })) throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found');
    return page(enterpriseRecord(e.id, readerOf(request.actor)), request.query);
  });
};
