// Every request schema in the OpenAPI document is bounded, so no input can be larger than what the
// API means to accept or than what its column holds: strings have a length (and, when free text, an
// anchored pattern that keeps out what Postgres cannot store), numbers a range, arrays a size, and
// objects name their fields. A new route without bounds fails here. The document is the one the
// real app serves at /docs/json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendsMailOrStartsWorkflows } from '../../api/plugins/limits';
import { INT4_MAX } from '../../api/schemas/common';
import { ApiHarness } from '../support/api-harness';

type Schema = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, unknown> }>>;
  components?: { schemas?: Record<string, Schema> };
}

/**
 * Deliberately open request schemas, validated by code instead (with per-field errors a schema
 * cannot give): the roster's rows (each checked against EnterpriseBody on its own, so one bad row
 * does not reject the file). Anything else open is a finding.
 */
const OPEN_BY_DESIGN = new Set(['POST /v1/enterprises/bulk body.enterprises[]']);

/** Formats whose validator already bounds the text and keeps control characters out. */
const BOUNDING_FORMATS = new Set(['uuid', 'date-time', 'date', 'email', 'uri']);
/** The routes that take a file upload (multipart/form-data) instead of JSON. */
const MULTIPART = new Set(['POST /v1/enterprises/import']);
/** Numbers a client may send as figures (counts, amounts); integers must fit a Postgres integer. */
const NUMBER_LIMIT = 1e15;

const h = new ApiHarness({ worker: false });
let doc: Doc;

beforeAll(async () => {
  await h.start();
  const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json<Doc>();
});
afterAll(() => h.close());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace(/^#\/components\/schemas\//, '');
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`unresolved $ref ${ref}`);
  return resolve(target);
}

/** Every unbounded spot in a request schema, as `<where>: <what is missing>`. */
function unbounded(schema: Schema, where: string, out: string[]): string[] {
  const s = resolve(schema);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) for (const b of branches as Schema[]) unbounded(b, where, out);
  }
  if (s.const !== undefined || Array.isArray(s.enum)) return out;
  const type = s.type;
  if (type === undefined) {
    if (!s.anyOf && !s.oneOf && !s.allOf && !OPEN_BY_DESIGN.has(where)) out.push(`${where}: no type (anything goes)`);
    return out;
  }
  const types = [type].flat() as string[];
  if (types.includes('string')) {
    const format = typeof s.format === 'string' ? s.format : undefined;
    if (s.maxLength === undefined && !(format && BOUNDING_FORMATS.has(format))) out.push(`${where}: string without maxLength`);
    if (!(format && BOUNDING_FORMATS.has(format))) {
      const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
      if (!pattern || !pattern.startsWith('^') || !pattern.endsWith('$')) out.push(`${where}: free string without an anchored pattern (Text or SingleLine in api/schemas/common.ts)`);
      else if (new RegExp(pattern, 'u').test('\u0000')) out.push(`${where}: pattern admits U+0000`);
    }
  }
  if (types.includes('integer') || types.includes('number')) {
    const max = (s.maximum ?? s.exclusiveMaximum) as number | undefined;
    const min = (s.minimum ?? s.exclusiveMinimum) as number | undefined;
    const limit = types.includes('integer') ? INT4_MAX : NUMBER_LIMIT;
    if (max === undefined || min === undefined) out.push(`${where}: number without minimum and maximum`);
    else if (max > limit || min < -limit) out.push(`${where}: range [${min}, ${max}] exceeds ±${limit}`);
  }
  if (types.includes('array')) {
    if (s.maxItems === undefined) out.push(`${where}: array without maxItems`);
    if (s.items) unbounded(s.items as Schema, `${where}[]`, out);
    else out.push(`${where}: array of anything`);
  }
  if (types.includes('object')) {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const patterns = (s.patternProperties ?? {}) as Record<string, Schema>;
    const open = s.additionalProperties !== false;
    // A map (named figures) is bounded by its size, its names (propertyNames) and its values.
    const map = typeof s.additionalProperties === 'object' || Object.keys(patterns).length > 0;
    if (map) {
      if (s.maxProperties === undefined) out.push(`${where}: map without maxProperties`);
      if (!s.propertyNames) out.push(`${where}: map without propertyNames`);
      else unbounded({ type: 'string', ...(s.propertyNames as Schema) }, `${where}{name}`, out);
      if (typeof s.additionalProperties === 'object') unbounded(s.additionalProperties as Schema, `${where}.*`, out);
    } else if (open && !OPEN_BY_DESIGN.has(where)) out.push(`${where}: object without additionalProperties: false`);
    for (const [name, p] of Object.entries(props)) unbounded(p, `${where}.${name}`, out);
    for (const [name, p] of Object.entries(patterns)) unbounded(p, `${where}{${name}}`, out);
  }
  return out;
}

function operations() {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, op })),
  );
}

describe('the OpenAPI document', () => {
  it('bounds every request string, number, array and object of every route', () => {
    const findings: string[] = [];
    for (const { label, op } of operations()) {
      for (const p of op.parameters ?? []) unbounded(p.schema, `${label} ${p.in === 'query' ? 'querystring' : p.in}.${p.name}`, findings);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (type === 'multipart/form-data' && MULTIPART.has(label)) {
          // A file upload: each part a binary string bounded by its size.
          const parts = Object.entries(((media.schema as Schema).properties ?? {}) as Record<string, Schema>);
          expect((media.schema as Schema).additionalProperties, label).toBe(false);
          for (const [name, part] of parts) if (!(part.format === 'binary' && typeof part.maxLength === 'number')) findings.push(`${label} body.${name}: part without format binary and maxLength`);
          continue;
        }
        expect(type, label).toBe('application/json');
        unbounded(media.schema, `${label} body`, findings);
      }
    }
    expect(findings).toEqual([]);
  });

  it('names exactly the open schemas it allows, so an exception cannot outlive its route', () => {
    const seen = new Set<string>();
    for (const { label, op } of operations()) {
      const body = op.requestBody?.content['application/json']?.schema;
      if (!body) continue;
      const s = resolve(body);
      if (s.additionalProperties !== false) seen.add(`${label} body`);
      const enterprises = (s.properties as Record<string, Schema> | undefined)?.enterprises;
      if (enterprises?.items && resolve(enterprises.items as Schema).type === undefined) seen.add(`${label} body.enterprises[]`);
    }
    expect([...seen].sort()).toEqual([...OPEN_BY_DESIGN].sort());
  });

  it('puts every write that sends mail or starts workflows under the stricter rate limit, and only those', () => {
    const writes = operations().filter(({ label }) => !label.startsWith('GET '));
    const strict = writes.filter(({ label }) => {
      const [method, path] = label.split(' ') as [string, string];
      return sendsMailOrStartsWorkflows(method, path.replace(/\{([^}]+)\}/g, ':$1'));
    });
    // A new write route lands in one list or the other here, on purpose.
    expect(strict.map((o) => o.label).sort()).toEqual(
      [
        'POST /v1/auth/password-reset',
        'POST /v1/campaigns',
        'POST /v1/campaigns/{id}/circulars/{month}/publish',
        'POST /v1/campaigns/{id}/duties/{unitCode}/{dutyKey}',
        'POST /v1/campaigns/{id}/extra-inspections',
        'POST /v1/campaigns/{id}/inspections/{enterpriseId}',
        'POST /v1/campaigns/{id}/phases/{phase}/move',
        'POST /v1/campaigns/{id}/supervision-findings',
        'POST /v1/cases',
        'POST /v1/cases/{id}/decisions',
        'POST /v1/hazards',
        'POST /v1/hazards/{id}/close',
        'POST /v1/hazards/{id}/extension-decision',
        'POST /v1/hazards/{id}/extension-request',
        'POST /v1/hazards/{id}/list-for-supervision',
        'POST /v1/hazards/{id}/rectification',
        'POST /v1/hazards/{id}/verification',
        'POST /v1/hazards/{id}/withdrawal',
        'POST /v1/enterprises/{id}/orders',
        'POST /v1/enterprises/{id}/gas-over-limit',
        'POST /v1/webhook-endpoints',
        'PATCH /v1/webhook-endpoints/{id}',
        'DELETE /v1/webhook-endpoints/{id}',
        'POST /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay',
        'POST /v1/orders/{id}/compliance-report',
        'POST /v1/orders/{id}/compliance-verification',
        'POST /v1/orders/{id}/lift-application',
        'POST /v1/orders/{id}/inspection',
        'POST /v1/orders/{id}/lift',
      ].sort(),
    );
    expect(writes.filter((o) => !strict.includes(o)).map((o) => o.label).sort()).toEqual(
      [
        'DELETE /v1/api-keys/{id}',
        'POST /v1/api-keys',
        'POST /v1/campaign-templates',
        'POST /v1/campaigns/{id}/circulars',
        'POST /v1/campaigns/{id}/self-inspections',
        'POST /v1/enterprises',
        'POST /v1/enterprises/bulk',
        'POST /v1/enterprises/import',
        'PUT /v1/calendar/years/{year}',
        'DELETE /v1/calendar/years/{year}',
        'POST /v1/enterprises/{id}/deactivation',
        'POST /v1/enterprises/{id}/reactivation',
        'POST /v1/webhook-endpoints/{id}/secret-rotation',
        'POST /v1/units',
        'PUT /v1/hazards/{id}/work-item',
        'POST /v1/auth/login',
        'POST /v1/auth/logout',
        'POST /v1/auth/password-reset/confirm',
        'POST /v1/users',
        'POST /v1/users/{id}/disable',
        'POST /v1/users/{id}/enable',
        'POST /v1/users/{id}/unlock',
      ].sort(),
    );
  });

  it('declares the problem responses every authenticated route can give', () => {
    for (const { label, op } of operations()) {
      if (label.startsWith('GET /health') || label.startsWith('GET /docs')) continue;
      expect(Object.keys(op.responses).sort(), label).toEqual(expect.arrayContaining(['400', '401', '403', '404', '413', '415', '422', '429', '500', '503']));
      for (const status of ['400', '422', '429', '500']) expect(Object.keys((op.responses[status] as { content: object }).content), `${label} ${status}`).toEqual(['application/problem+json']);
      expect((op.responses['429'] as { headers?: Record<string, unknown> }).headers, label).toHaveProperty('retry-after');
    }
  });

  it('has a real schema for every success response (no open objects)', () => {
    const open: string[] = [];
    const walk = (schema: Schema, where: string) => {
      const s = resolve(schema);
      if (s.type === 'object' && !s.properties && !s.patternProperties && s.additionalProperties !== false) {
        const inner = s.additionalProperties as Schema | undefined;
        if (!inner || typeof inner !== 'object' || Object.keys(inner).length === 0) open.push(where);
      }
    };
    for (const { label, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!status.startsWith('2')) continue;
        const schema = (response as { content?: Record<string, { schema: Schema }> }).content?.['application/json']?.schema;
        if (schema) walk(schema, `${label} ${status}`);
      }
    }
    expect(open).toEqual([]);
  });
});
