// Reference data: units (counties, departments), enterprises, API keys.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Db } from '../../db/client';
import { listAudit, recordAudit } from '../../db/audit.repo';
import type { HazardsMoved } from '../../db/hazard-moves.repo';
import { isCursor } from '../../db/pagination';
import {
  createApiKey,
  getApiKey,
  createEnterprise,
  createUnit,
  deactivateEnterprise,
  getEnterprise,
  listApiKeys,
  listEnterprises,
  listUnits,
  reactivateEnterprise,
  revokeApiKey,
  unitsByCode,
  upsertEnterprises,
  type ApiKeyRow,
  type EnterpriseFields,
  type EnterpriseRow,
  type UnitRow,
} from '../../db/reference.repo';
import { isValidCreditCode } from '../../domain/enterprise';
import { DomainError, ErrorCode, invalidInput, type FieldError } from '../../domain/errors';
import { canSee, type Actor } from '../../domain/hazard';
import { DEFAULT_TIME_ZONE, localDateOf } from '../../domain/time';
import { checkGrant } from '../../services/grants';
import { syncHazardScopes } from '../../services/hazard-scope';
import type { TemporalTarget } from '../../services/temporal';
import { requireRole } from '../plugins/auth';
import { decodeCursor, encodeCursor, errorResponses, IdempotencyHeaders, IdParams, patternReason } from '../schemas/common';
import { findUnstorable } from '../plugins/input-guard';
import {
  ApiKeyBody,
  ApiKeyView,
  AuditEntryView,
  AuditListQuery,
  DeactivationBody,
  EnterpriseBody,
  EnterpriseBulkBody,
  EnterpriseBulkResult,
  EnterpriseListQuery,
  EnterpriseView,
  ReactivationBody,
  UnitBody,
  UnitView,
  type BulkRowStatus,
} from '../schemas/reference';

const unitView = (u: UnitRow) => ({ ...u, createdAt: u.createdAt.toISOString() });
const enterpriseView = (e: EnterpriseRow) => ({
  ...e,
  principal: { name: e.principalName, email: e.principalEmail, phone: e.principalPhone },
  createdAt: e.createdAt.toISOString(),
  active: e.deactivatedAt === null,
  location: e.latitude !== null && e.longitude !== null ? { latitude: e.latitude, longitude: e.longitude } : null,
  deactivation:
    e.deactivatedAt === null ? null : { kind: e.deactivationKind!, reason: e.deactivationReason!, deactivatedOn: e.deactivatedOn!, recordedAt: e.deactivatedAt.toISOString() },
});
const keyView = (k: ApiKeyRow) => ({ ...k, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null, expiresAt: k.expiresAt?.toISOString() ?? null });
/** What the audit log keeps of a key: never its hash. */
const keyAudit = (k: ApiKeyRow) => ({ name: k.name, role: k.role, scope: k.scope, email: k.email, keyPrefix: k.keyPrefix, expiresAt: k.expiresAt?.toISOString() ?? null });

// ---- Roster import: each row is validated on its own, so one bad row never rejects the file. ----

const checkEnterprise = Compile(EnterpriseBody);
type EnterpriseInput = Static<typeof EnterpriseBody>;
type SchemaError = { keyword: string; schemaPath: string; instancePath: string; params: Record<string, unknown>; message: string };
type BulkRow = Static<typeof EnterpriseBulkResult>['rows'][number];

const CODE_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
/** 20 MB: 10,000 rows with a few contacts each, with room to spare. */
const BULK_BODY_LIMIT = 20 * 1024 * 1024;

/** `/contacts/0/email` → `contacts[0].email` */
function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((field, p) => (/^\d+$/.test(p) ? `${field}[${p}]` : field ? `${field}.${p}` : p), '');
}

/** Schema errors of one row, in the API's usual field/reason wording; fields are relative to the row. */
function shapeErrors(row: unknown): FieldError[] {
  if (checkEnterprise.Check(row)) return [];
  const out: FieldError[] = [];
  const at = (base: string, name: string) => (base ? `${base}.${name}` : name);
  for (const e of checkEnterprise.Errors(row) as SchemaError[]) {
    const base = pointerToField(e.instancePath);
    // `additionalProperties: false` is also reported as a failed `false` sub-schema per property: once is enough.
    if (e.keyword === 'boolean' && e.schemaPath.endsWith('/additionalProperties')) continue;
    if (e.keyword === 'additionalProperties') for (const p of e.params.additionalProperties as string[]) out.push({ field: at(base, p), reason: 'is not a known field' });
    else if (e.keyword === 'required') for (const p of e.params.requiredProperties as string[]) out.push({ field: at(base, p), reason: 'is required' });
    else if (e.keyword === 'enum') out.push({ field: base, reason: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` });
    else if (e.keyword === 'pattern' && patternReason(e.params.pattern)) out.push({ field: base, reason: patternReason(e.params.pattern)! });
    else if (e.keyword === 'type' && base === '') out.push({ field: '', reason: `must be an ${String(e.params.type)}` });
    else out.push({ field: base, reason: e.message });
  }
  if (out.length === 0) out.push({ field: '', reason: 'is not a valid enterprise' });
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(`${e.field}\u0000${e.reason}`) && seen.add(`${e.field}\u0000${e.reason}`));
}


const stringField = (row: unknown, key: string): string | undefined => {
  const v = row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

const storedFields = (b: EnterpriseInput): EnterpriseFields => ({
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
  latitude: b.location?.latitude ?? null,
  longitude: b.location?.longitude ?? null,
});

/**
 * Validates every row (shape, credit-code check character, county and department, duplicates within
 * the file), writes the valid ones in batches, and reports each row. The units are looked up once.
 * A credit code's first row in the file claims it; later rows with the same code fail, even when the
 * first fails for another reason (the file is ambiguous about which row is right).
 */
export async function importRoster(db: Db, input: unknown[], actor: Actor): Promise<Static<typeof EnterpriseBulkResult> & { moved: HazardsMoved[] }> {
  const rows: BulkRow[] = new Array<BulkRow>(input.length);
  const errorsOf: FieldError[][] = input.map(() => []);
  const valid: { index: number; fields: EnterpriseFields }[] = [];

  const unitCodes = new Set<string>();
  for (const row of input) {
    for (const key of ['countyCode', 'departmentCode']) {
      const code = stringField(row, key);
      if (code !== undefined && CODE_SHAPE.test(code)) unitCodes.add(code);
    }
  }
  const kindOf = new Map((await unitsByCode(db, [...unitCodes])).map((u) => [u.code, u.kind]));
  const firstRowOf = new Map<string, number>();

  input.forEach((row, index) => {
    const errors = errorsOf[index]!;
    // Text Postgres cannot hold (U+0000, lone surrogates) is the row's fault, not the file's; said plainly, it replaces the pattern errors it causes.
    const unstorable = findUnstorable(row, 'body');
    const shape = unstorable.length > 0 ? unstorable : shapeErrors(row);
    errors.push(...shape);
    const shapeOk = (key: string) => !shape.some((e) => e.field === '' || e.field === key || e.field.startsWith(`${key}.`) || e.field.startsWith(`${key}[`));
    const code = stringField(row, 'creditCode');
    if (code !== undefined && shapeOk('creditCode')) {
      if (!isValidCreditCode(code)) errors.push({ field: 'creditCode', reason: 'check character does not match (GB 32100-2015)' });
      const first = firstRowOf.get(code);
      if (first === undefined) firstRowOf.set(code, index);
      else errors.push({ field: 'creditCode', reason: `duplicate credit code in this file (row ${first})` });
    }
    const county = stringField(row, 'countyCode');
    if (county !== undefined && shapeOk('countyCode') && kindOf.get(county) !== 'COUNTY') errors.push({ field: 'countyCode', reason: 'no county with this code; register it under /v1/units first' });
    const department = stringField(row, 'departmentCode');
    if (department !== undefined && shapeOk('departmentCode') && kindOf.get(department) !== 'DEPARTMENT') errors.push({ field: 'departmentCode', reason: 'no department with this code; register it under /v1/units first' });
    if (errors.length === 0) valid.push({ index, fields: storedFields(row as EnterpriseInput) });
  });

  // The import and its audit entry commit together.
  const { written, moved } = await db.transaction(async (tx) => {
    const out = await upsertEnterprises(tx, valid.map((v) => v.fields), { actor });
    const changed = [...out.written.values()].filter((w) => w.outcome !== 'UNCHANGED');
    if (changed.length > 0 || out.moved.length > 0) {
      await recordAudit(tx, {
        actor,
        action: 'roster.imported',
        subjectKind: 'roster',
        data: {
          rows: input.length,
          created: changed.filter((w) => w.outcome === 'CREATED').map((w) => w.id),
          updated: changed.filter((w) => w.outcome === 'UPDATED').map((w) => w.id),
          moved: out.moved.map((m) => ({ enterpriseId: m.enterpriseId, from: m.from, to: m.to, hazards: m.hazardIds.length })),
        },
      });
    }
    return out;
  });
  const counts: Record<BulkRowStatus, number> = { CREATED: 0, UNCHANGED: 0, UPDATED: 0, FAILED: 0 };
  for (const { index, fields } of valid) {
    const w = written.get(fields.creditCode)!;
    rows[index] = { index, status: w.outcome, id: w.id, creditCode: fields.creditCode };
    counts[w.outcome]++;
  }
  input.forEach((_, index) => {
    if (rows[index]) return;
    const code = stringField(input[index], 'creditCode');
    const errors = errorsOf[index]!.map((e) => ({ field: `enterprises[${index}]${e.field === '' ? '' : `.${e.field}`}`, reason: e.reason }));
    rows[index] = { index, status: 'FAILED', ...(code !== undefined && code.length <= 64 ? { creditCode: code } : {}), errors };
    counts.FAILED++;
  });
  return { created: counts.CREATED, unchanged: counts.UNCHANGED, updated: counts.UPDATED, failed: counts.FAILED, rows, moved };
}

export const referenceRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  /**
   * The moved hazards' workflows learn their new scope; the ledger already moved (same transaction as
   * the roster). One that cannot be told now (Temporal down) stays pending for the reconciler.
   */
  async function tellWorkflows(moved: HazardsMoved[], log: { warn(obj: object, msg: string): void }): Promise<void> {
    if (!moved.some((m) => m.hazardIds.length > 0)) return;
    await syncHazardScopes(db, temporal, { onError: (err, sync) => log.warn({ err, hazardId: sync.hazardId }, 'hazard workflow not told of its new scope yet; the reconciler will retry') });
  }

  app.post('/units', { schema: { tags: ['units'], summary: 'Register a county/district or a member department', body: UnitBody, response: { 201: UnitView, ...errorResponses } } }, async (request, reply) => {
    const actor = requireRole(request, 'admin', 'office');
    const unit = await db.transaction(async (tx) => {
      const created = await createUnit(tx, request.body);
      if (created) await recordAudit(tx, { actor, action: 'unit.created', subjectKind: 'unit', subjectId: created.code, data: { ...request.body } });
      return created;
    });
    if (!unit) throw new DomainError(ErrorCode.CONFLICT, `a unit with code ${request.body.code} exists`, [{ field: 'code', reason: 'already taken' }]);
    return reply.status(201).send(unitView(unit));
  });

  app.get('/units', { schema: { tags: ['units'], summary: 'List units', querystring: Type.Object({ kind: Type.Optional(Type.Enum(['COUNTY', 'DEPARTMENT'])) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(UnitView) }), ...errorResponses } } }, async (request) => ({
    items: (await listUnits(db, request.query.kind)).map(unitView),
  }));

  app.post('/enterprises', { schema: { tags: ['enterprises'], summary: 'Register an enterprise on the roster', body: EnterpriseBody, response: { 201: EnterpriseView, ...errorResponses } } }, async (request, reply) => {
    const actor = requireRole(request, 'admin', 'office');
    const b = request.body;
    const errors: FieldError[] = [];
    if (!isValidCreditCode(b.creditCode)) errors.push({ field: 'creditCode', reason: 'check character does not match (GB 32100-2015)' });
    const found = await unitsByCode(db, [b.countyCode, b.departmentCode]);
    if (!found.some((u) => u.code === b.countyCode && u.kind === 'COUNTY')) errors.push({ field: 'countyCode', reason: 'no county with this code; register it under /v1/units first' });
    if (!found.some((u) => u.code === b.departmentCode && u.kind === 'DEPARTMENT')) errors.push({ field: 'departmentCode', reason: 'no department with this code; register it under /v1/units first' });
    if (errors.length > 0) throw invalidInput(errors);
    const created = await db.transaction(async (tx) => {
      const row = await createEnterprise(tx, storedFields(b));
      if (row) await recordAudit(tx, { actor, action: 'enterprise.created', subjectKind: 'enterprise', subjectId: row.id, data: { ...storedFields(b) } });
      return row;
    });
    if (!created) throw new DomainError(ErrorCode.CONFLICT, 'an enterprise with this credit code exists', [{ field: 'creditCode', reason: 'already registered' }]);
    return reply.status(201).send(enterpriseView(created));
  });

  app.post(
    '/enterprises/bulk',
    {
      bodyLimit: BULK_BODY_LIMIT,
      config: { rowsCheckedByRoute: 'enterprises' },
      schema: {
        tags: ['enterprises'],
        summary: 'Load or correct the roster: up to 10,000 enterprises, matched by credit code',
        description:
          'Each row is an EnterpriseBody, validated on its own: valid rows are stored, invalid ones reported with their fields. ' +
          'A new credit code is CREATED; a known one is UPDATED when any field differs, else UNCHANGED, so repeating an import is harmless. ' +
          'Omitted optional fields take their defaults. A credit code repeated in the file fails on every row after its first.',
        body: EnterpriseBulkBody,
        response: { 200: EnterpriseBulkResult, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const started = performance.now();
      const { moved, ...result } = await importRoster(db, request.body.enterprises, actor);
      const { rows, ...counts } = result;
      request.log.info({ rows: rows.length, ...counts, moved: moved.length, ms: Math.round(performance.now() - started) }, 'roster import');
      await tellWorkflows(moved, request.log);
      return result;
    },
  );

  app.get('/enterprises', { schema: { tags: ['enterprises'], summary: 'List the enterprises the caller may see', querystring: EnterpriseListQuery, response: { 200: Type.Object({ items: Type.Array(EnterpriseView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } } }, async (request) => {
    const q = request.query;
    const after = decodeCursor(q.cursor, isCursor);
    if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
    const page = await listEnterprises(db, request.actor, { countyCode: q.county, departmentCode: q.department, industry: q.industry, enforcementStatus: q.enforcementStatus, active: q.active }, { limit: q.limit ?? 50, after });
    return { items: page.items.map(enterpriseView), nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.get('/enterprises/:id', { schema: { tags: ['enterprises'], summary: 'One enterprise', params: IdParams, response: { 200: EnterpriseView, ...errorResponses } } }, async (request) => {
    const e = await getEnterprise(db, request.params.id);
    if (!e || !canSee(request.actor, { enterpriseId: e.id, countyCode: e.countyCode, departmentCode: e.departmentCode })) throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found');
    return enterpriseView(e);
  });

  app.post(
    '/enterprises/:id/deactivation',
    {
      config: { idempotent: true },
      schema: {
        tags: ['enterprises'],
        summary: 'Take an enterprise off the roster (closed, merged, …): kept with its history, out of future draws and duties (admin, office)',
        headers: IdempotencyHeaders,
        params: IdParams,
        body: DeactivationBody,
        response: { 200: EnterpriseView, ...errorResponses },
      },
    },
    async (request) => {
      // The roster is the office's: a department that could deactivate its enterprises could also take them out of its own inspections.
      const actor = requireRole(request, 'admin', 'office');
      const e = await getEnterprise(db, request.params.id);
      if (!e) throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found');
      const { kind, reason, deactivatedOn } = request.body;
      if (deactivatedOn > localDateOf(Date.now(), DEFAULT_TIME_ZONE)) throw invalidInput([{ field: 'deactivatedOn', reason: `must not be in the future (today is ${localDateOf(Date.now(), DEFAULT_TIME_ZONE)} in ${DEFAULT_TIME_ZONE})` }]);
      const row = await deactivateEnterprise(db, e.id, { kind, reason, on: deactivatedOn, actor });
      if (!row) throw new DomainError(ErrorCode.CONFLICT, `the enterprise is already deactivated (${e.deactivationKind} on ${e.deactivatedOn})`, [{ field: 'id', reason: 'already deactivated; reactivate it first to record another deactivation' }]);
      return enterpriseView(row);
    },
  );

  app.post(
    '/enterprises/:id/reactivation',
    {
      config: { idempotent: true },
      schema: {
        tags: ['enterprises'],
        summary: 'Put a deactivated enterprise back on the roster (a deactivation made in error), with a reason on record (admin, office)',
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ReactivationBody,
        response: { 200: EnterpriseView, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const e = await getEnterprise(db, request.params.id);
      if (!e) throw new DomainError(ErrorCode.NOT_FOUND, 'enterprise not found');
      const row = await reactivateEnterprise(db, e.id, { reason: request.body.reason, actor });
      if (!row) throw new DomainError(ErrorCode.CONFLICT, 'the enterprise is active', [{ field: 'id', reason: 'not deactivated' }]);
      return enterpriseView(row);
    },
  );

  app.post('/api-keys', { schema: { tags: ['api keys'], summary: 'Create an API key; the secret is in this response only', body: ApiKeyBody, response: { 201: Type.Object({ key: ApiKeyView, secret: Type.String() }), ...errorResponses } } }, async (request, reply) => {
    const actor = requireRole(request, 'admin', 'office');
    const { name, role, scope, email } = request.body;
    // The same grants as a person's account (services/grants.ts): the office grants neither admin nor office access.
    await checkGrant(db, actor, role, scope);
    const expiresAt = request.body.expiresAt === undefined ? null : new Date(request.body.expiresAt);
    if (expiresAt && !(expiresAt.getTime() > Date.now())) throw invalidInput([{ field: 'expiresAt', reason: 'must be in the future' }]);
    const { key, secret } = await db.transaction(async (tx) => {
      const created = await createApiKey(tx, { name, role, scope: scope ?? null, email: email ?? null, expiresAt });
      await recordAudit(tx, { actor, action: 'api_key.created', subjectKind: 'api_key', subjectId: created.key.id, data: keyAudit(created.key) });
      return created;
    });
    app.keyIndex.apply(key);
    return reply.status(201).send({ key: keyView(key), secret });
  });

  app.get('/api-keys', { schema: { tags: ['api keys'], summary: 'List API keys (never their secrets)', response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }), ...errorResponses } } }, async (request) => {
    requireRole(request, 'admin', 'office');
    return { items: (await listApiKeys(db)).map(keyView) };
  });

  app.delete('/api-keys/:id', { schema: { tags: ['api keys'], summary: 'Revoke an API key', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    // The office revokes the keys it may create (department, county, enterprise); admin and office keys only an admin.
    const actor = requireRole(request, 'admin', 'office');
    const target = await getApiKey(db, request.params.id);
    if (!target || target.revokedAt) throw new DomainError(ErrorCode.NOT_FOUND, 'no active key with this id');
    if ((target.role === 'admin' || target.role === 'office') && actor.role !== 'admin') throw new DomainError(ErrorCode.FORBIDDEN, 'only an admin revokes admin or office keys');
    const revoked = await db.transaction(async (tx) => {
      const row = await revokeApiKey(tx, target.id);
      if (row) await recordAudit(tx, { actor, action: 'api_key.revoked', subjectKind: 'api_key', subjectId: row.id, data: keyAudit(row) });
      return row;
    });
    if (!revoked) throw new DomainError(ErrorCode.NOT_FOUND, 'no active key with this id');
    app.keyIndex.apply(revoked);
    return reply.status(204).send(null);
  });

  app.get(
    '/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Who changed API keys, units and enterprises, roster imports and the working-day calendar’s overrides (newest first, keyset pagination; admin and office)',
        querystring: AuditListQuery,
        response: { 200: Type.Object({ items: Type.Array(AuditEntryView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin', 'office');
      const q = request.query;
      const after = decodeCursor(q.cursor, isCursor);
      if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'not a cursor this API returned' }]);
      const page = await listAudit(db, { subjectKind: q.subjectKind, subjectId: q.subjectId, action: q.action }, { limit: q.limit ?? 50, after });
      return { items: page.items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
};
