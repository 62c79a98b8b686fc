// Reference data: units (counties, departments), enterprises, API keys.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { isCursor } from '../../db/pagination';
import {
  createApiKey,
  createEnterprise,
  createUnit,
  getEnterprise,
  listApiKeys,
  listEnterprises,
  listUnits,
  revokeApiKey,
  unitsByCode,
  type ApiKeyRow,
  type EnterpriseRow,
  type UnitRow,
} from '../../db/reference.repo';
import { isValidCreditCode } from '../../domain/enterprise';
import { DomainError, ErrorCode, type FieldError } from '../../domain/errors';
import { canSee } from '../../domain/hazard';
import { requireRole } from '../plugins/auth';
import { decodeCursor, encodeCursor, errorResponses, IdParams } from '../schemas/common';
import { ApiKeyBody, ApiKeyView, EnterpriseBody, EnterpriseListQuery, EnterpriseView, UnitBody, UnitView } from '../schemas/reference';

const unitView = (u: UnitRow) => ({ ...u, createdAt: u.createdAt.toISOString() });
const enterpriseView = (e: EnterpriseRow) => ({
  ...e,
  principal: { name: e.principalName, email: e.principalEmail, phone: e.principalPhone },
  createdAt: e.createdAt.toISOString(),
});
const keyView = (k: ApiKeyRow) => ({ ...k, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null });
const invalid = (errors: FieldError[]) => new DomainError(ErrorCode.VALIDATION_FAILED, errors.map((e) => `${e.field}: ${e.reason}`).join('; '), errors);

export const referenceRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.post('/units', { schema: { tags: ['units'], summary: 'Register a county/district or a member department', body: UnitBody, response: { 201: UnitView, ...errorResponses } } }, async (request, reply) => {
    requireRole(request, 'admin', 'office');
    const unit = await createUnit(db, request.body);
    if (!unit) throw new DomainError(ErrorCode.CONFLICT, `a unit with code ${request.body.code} exists`, [{ field: 'code', reason: 'already taken' }]);
    return reply.status(201).send(unitView(unit));
  });

  app.get('/units', { schema: { tags: ['units'], summary: 'List units', querystring: Type.Object({ kind: Type.Optional(Type.Enum(['COUNTY', 'DEPARTMENT'])) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(UnitView) }), ...errorResponses } } }, async (request) => ({
    items: (await listUnits(db, request.query.kind)).map(unitView),
  }));

  app.post('/enterprises', { schema: { tags: ['enterprises'], summary: 'Register an enterprise on the roster', body: EnterpriseBody, response: { 201: EnterpriseView, ...errorResponses } } }, async (request, reply) => {
    requireRole(request, 'admin', 'office');
    const b = request.body;
    const errors: FieldError[] = [];
    if (!isValidCreditCode(b.creditCode)) errors.push({ field: 'creditCode', reason: 'check character does not match (GB 32100-2015)' });
    const found = await unitsByCode(db, [b.countyCode, b.departmentCode]);
    if (!found.some((u) => u.code === b.countyCode && u.kind === 'COUNTY')) errors.push({ field: 'countyCode', reason: 'no county with this code; register it under /v1/units first' });
    if (!found.some((u) => u.code === b.departmentCode && u.kind === 'DEPARTMENT')) errors.push({ field: 'departmentCode', reason: 'no department with this code; register it under /v1/units first' });
    if (errors.length > 0) throw invalid(errors);
    const created = await createEnterprise(db, {
      name: b.name,
      creditCode: b.creditCode,
      industry: b.industry,
      countyCode: b.countyCode,
      departmentCode: b.departmentCode,
      supervisionLevel: b.supervisionLevel ?? 'COUNTY',
      principalName: b.principal.name,
      principalEmail: b.principal.email ?? null,
      principalPhone: b.principal.phone ?? null,
      contacts: b.contacts ?? [],
      locale: b.locale ?? 'zh-CN',
    });
    if (!created) throw new DomainError(ErrorCode.CONFLICT, 'an enterprise with this credit code exists', [{ field: 'creditCode', reason: 'already registered' }]);
    return reply.status(201).send(enterpriseView(created));
  });

  app.get('/enterprises', { schema: { tags: ['enterprises'], summary: 'List the enterprises the caller may see', querystring: EnterpriseListQuery, response: { 200: Type.Object({ items: Type.Array(EnterpriseView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } } }, async (request) => {
    const q = request.query;
    const after = decodeCursor(q.cursor, isCursor);
    if (after === null) throw invalid([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
    const page = await listEnterprises(db, request.actor, { countyCode: q.county, departmentCode: q.department, industry: q.industry }, { limit: q.limit ?? 50, after });
    return { items: page.items.map(enterpriseView), nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.get('/enterprises/:id', { schema: { tags: ['enterprises'], summary: 'One enterprise', params: IdParams, response: { 200: EnterpriseView, ...errorResponses } } }, async (request) => {
    const e = await getEnterprise(db, request.params.id);
    if (!e || !canSee(request.actor, { enterpriseId: e.id, countyCode: e.countyCode, departmentCode: e.departmentCode })) throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found');
    return enterpriseView(e);
  });

  app.post('/api-keys', { schema: { tags: ['api keys'], summary: 'Create an API key; the secret is in this response only', body: ApiKeyBody, response: { 201: Type.Object({ key: ApiKeyView, secret: Type.String() }), ...errorResponses } } }, async (request, reply) => {
    const actor = requireRole(request, 'admin', 'office');
    const { name, role, scope } = request.body;
    if ((role === 'admin' || role === 'office') && actor.role !== 'admin') throw new DomainError(ErrorCode.FORBIDDEN, 'only an admin creates admin or office keys');
    const needsScope = role === 'department' || role === 'county' || role === 'enterprise';
    if (!needsScope && scope !== undefined) throw invalid([{ field: 'scope', reason: `a ${role} key has no scope` }]);
    if (needsScope) {
      if (scope === undefined) throw invalid([{ field: 'scope', reason: `a ${role} key needs the ${role === 'enterprise' ? 'enterprise id' : `${role} code`}` }]);
      const exists =
        role === 'enterprise'
          ? /^[0-9a-f-]{36}$/i.test(scope) && (await getEnterprise(db, scope)) !== undefined
          : (await unitsByCode(db, [scope])).some((u) => u.kind === (role === 'county' ? 'COUNTY' : 'DEPARTMENT'));
      if (!exists) throw invalid([{ field: 'scope', reason: `no ${role} with this ${role === 'enterprise' ? 'id' : 'code'}` }]);
    }
    const { key, secret } = await createApiKey(db, { name, role, scope: scope ?? null });
    return reply.status(201).send({ key: keyView(key), secret });
  });

  app.get('/api-keys', { schema: { tags: ['api keys'], summary: 'List API keys (never their secrets)', response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }), ...errorResponses } } }, async (request) => {
    requireRole(request, 'admin', 'office');
    return { items: (await listApiKeys(db)).map(keyView) };
  });

  app.delete('/api-keys/:id', { schema: { tags: ['api keys'], summary: 'Revoke an API key', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    requireRole(request, 'admin');
    if (!(await revokeApiKey(db, request.params.id))) throw new DomainError(ErrorCode.NOT_FOUND, 'no active key with this id');
    return reply.status(204).send(null);
  });
};
