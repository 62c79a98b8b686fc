// The typed client (client/) cannot drift from the API: its committed types must be exactly what
// openapi-typescript makes of the document the real app serves at /docs/json today.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSchemaSource, SCHEMA_PATH } from '../../client/generate';
import { ApiHarness } from '../support/api-harness';

const h = new ApiHarness({ worker: false });
beforeAll(() => h.start());
afterAll(() => h.close());

describe('the typed client', () => {
  it('has the types of the current OpenAPI document (else: run `npm run client:generate` and commit client/schema.d.ts)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const expected = await clientSchemaSource(res.json<object>());
    const committed = await readFile(SCHEMA_PATH, 'utf8');
    const same = committed === expected;
    expect(same, 'client/schema.d.ts does not match the API: run `npm run client:generate` and commit client/schema.d.ts').toBe(true);
  });
});
