// schemathesis (pinned, from PyPI, cached; cli/provision/schemathesis.ts) fuzzes the real API
// (startApi + worker on the shared Temporal dev server, a fresh Postgres, an SMTP sink; real HTTP)
// from its own OpenAPI document, once per role with that role's key, with every check. Bounded by
// --max-examples per operation, the coverage phase for the admin key only, and a time limit per role. Asserted: no 5xx, and every response
// conforms to what the document declares (status, content type, headers, body schema); the other
// checks (valid data accepted, invalid data refused, 405 for undeclared methods, 401 without a key)
// are asserted too. The figures are printed: operations x requests per role, 5xx count.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSchemathesis } from '../../cli/provision/schemathesis';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { demoTemplate } from '../../domain/campaign';
import { creditCode, uniq } from '../support/fixtures';

const ROLES = ['admin', 'office', 'department', 'county', 'enterprise'] as const;
type Role = (typeof ROLES)[number];
/**
 * The fuzzing phase's examples per role, spread over the operations: each operation gets
 * FUZZ_BUDGET / operations (between 5 and 20), so the run's length stays put as routes are added
 * (98 operations: 7 each). SCHEMATHESIS_MAX_EXAMPLES sets the per-operation figure outright.
 */
const FUZZ_BUDGET = 700;
const examplesFor = (operations: number): number =>
  process.env.SCHEMATHESIS_MAX_EXAMPLES ? Number(process.env.SCHEMATHESIS_MAX_EXAMPLES) : Math.min(20, Math.max(5, Math.round(FUZZ_BUDGET / Math.max(1, operations))));
let maxExamples = 20;
/** A guard against a run that hangs, not a speed target: a loaded machine takes longer, and that is no failure. */
const ROLE_TIME_LIMIT_MS = 300_000;
/**
 * The coverage phase walks every boundary of every schema (about 2,800 requests, most of the time):
 * the admin key, which reaches every route, runs it; the other roles fuzz (random valid and invalid
 * requests per operation), which is where their own answers (403, 404 outside their scope) show.
 */
const PHASES: Record<Role, string> = { admin: 'examples,coverage,fuzzing', office: 'examples,fuzzing', department: 'examples,fuzzing', county: 'examples,fuzzing', enterprise: 'examples,fuzzing' };
const SEED = Number(process.env.SCHEMATHESIS_SEED ?? 20261129);
/** SCHEMATHESIS_ROLES=admin,county narrows a local run. */
const ROLES_TO_RUN = (process.env.SCHEMATHESIS_ROLES ?? ROLES.join(',')).split(',');

/**
 * Valid data may still be refused for what a schema cannot say (422: an enterprise id that does not
 * exist, a deadline in the past) besides the defaults (401/403/404/409/429). Invalid data is refused
 * with schemathesis's defaults, or with 431 when it makes the URL longer than Node's 16 KiB header
 * limit (the parser refuses it before the schema is read; the answer is still problem JSON).
 */
const CONFIG = `
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "431", "5xx"]
`;

/**
 * Ids of real resources, so fuzzed requests on /hazards/{id} and /campaigns/{id}/... reach the
 * handlers and the workflows behind them instead of a 404 (the document has no links to follow).
 */
const realIds = (ids: { hazard: string; campaign: string; enterprise: string; county: string }) => `
[[operations]]
include-path-regex = "^/v1/hazards/\\\\{id\\\\}"
parameters = { "path.id" = "${ids.hazard}" }

[[operations]]
include-path-regex = "^/v1/campaigns/\\\\{id\\\\}"
parameters = { "path.id" = "${ids.campaign}", "path.unitCode" = "${ids.county}", "path.dutyKey" = "plan", "path.enterpriseId" = "${ids.enterprise}" }

[[operations]]
include-path-regex = "^/v1/enterprises/\\\\{id\\\\}"
parameters = { "path.id" = "${ids.enterprise}" }
`;

/** DELETE /v1/api-keys/{id} only ever revokes a key made for it: a fuzzer revoking real keys would lock the runs out. */
const disposableKey = (id: string) => `
[[operations]]
include-path-regex = "^/v1/api-keys/"
parameters = { "path.id" = "${id}" }
`;

let stack: E2eStack;
let ids: Parameters<typeof realIds>[0];
let schemathesis: string;
let work: string;
const keys = {} as Record<Role, string>;

beforeAll(async () => {
  schemathesis = await resolveSchemathesis();
  work = await mkdtemp(path.join(tmpdir(), 'schemathesis-'));
  // A fuzzer writes much faster than anyone: the per-key limits would turn most of its requests into 429s.
  // The webhook endpoints it registers point at made-up hosts: no waker and an hourly poll keep their
  // delivery workflows asleep (the routes are what is fuzzed; delivery is tests/e2e/webhooks.e2e.test.ts').
  stack = await startE2eStack({ RATE_LIMIT_WRITES_PER_MINUTE: '1000000', RATE_LIMIT_MAIL_PER_MINUTE: '1000000', WEBHOOK_WAKE_MS: '0', WEBHOOK_POLL_MS: '3600000' });
  const admin = stack.adminKey;
  const ok = async (method: string, url: string, body: unknown) => {
    const res = await stack.call<Record<string, unknown>>(method, url, admin, body);
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  const county = uniq('county');
  const department = uniq('dept');
  await ok('POST', '/v1/units', { kind: 'COUNTY', code: county, name: '平城区', email: 'county@fuzz.test' });
  await ok('POST', '/v1/units', { kind: 'DEPARTMENT', code: department, name: '市应急管理局', email: 'dept@fuzz.test' });
  const enterprise = await ok('POST', '/v1/enterprises', {
    name: '大同化工',
    creditCode: creditCode(),
    industry: 'HAZARDOUS_CHEMICALS',
    countyCode: county,
    departmentCode: department,
    principal: { name: '王总', email: 'boss@fuzz.test' },
  });
  const key = async (role: Role, scope?: string) => ((await ok('POST', '/v1/api-keys', { name: `fuzz ${role}`, role, ...(scope ? { scope } : {}) })) as { secret: string }).secret;
  keys.admin = admin;
  keys.office = await key('office');
  keys.department = await key('department', department);
  keys.county = await key('county', county);
  keys.enterprise = await key('enterprise', enterprise.id as string);
  const hazard = await ok('POST', '/v1/hazards', {
    enterpriseId: enterprise.id,
    grade: 'GENERAL',
    description: '配电室线路老化',
    location: '二号车间配电室',
    responsible: { name: '李工', email: 'li@fuzz.test' },
    measures: '更换老化线路',
    fundsAmount: 12000,
    deadline: '2099-12-31',
    interimControls: '每日巡查',
  });
  // Phases a week out: no timer fires while the fuzzer runs.
  const template = { ...demoTemplate(Date.now() + 7 * 86_400_000), key: uniq('fuzz') };
  await ok('POST', '/v1/campaign-templates', template);
  const campaign = await ok('POST', '/v1/campaigns', { templateKey: template.key, templateVersion: template.version, counties: [county], departments: [department] });
  ids = { hazard: hazard.id as string, campaign: campaign.id as string, enterprise: enterprise.id as string, county };
  const doc = (await stack.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs/json', stack.adminKey)).body;
  maxExamples = examplesFor(Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).length, 0));
});

afterAll(async () => {
  await stack?.close();
  // SCHEMATHESIS_KEEP=1 keeps the reports (ndjson per role) for a closer look.
  if (work && !process.env.SCHEMATHESIS_KEEP) await rm(work, { recursive: true, force: true });
  else if (work) console.log(`schemathesis reports kept in ${work}`);
});

interface RoleRun {
  code: number | null;
  output: string;
  operations: number;
  requests: number;
  serverErrors: number;
  failures: Record<string, number>;
}

async function runSchemathesis(role: Role): Promise<RoleRun> {
  const report = path.join(work, `${role}.ndjson`);
  const config = path.join(work, `${role}.toml`);
  const disposable = await stack.call<{ key: { id: string } }>('POST', '/v1/api-keys', stack.adminKey, { name: `fuzz ${role} disposable`, role: 'office' });
  expect(disposable.status).toBe(201);
  await writeFile(config, CONFIG + realIds(ids) + disposableKey(disposable.body.key.id));
  const args = [
    '--config-file',
    config,
    'run',
    `${stack.base}/docs/json`,
    '--url',
    stack.base,
    '--checks',
    'all',
    '--header',
    `Authorization: Bearer ${keys[role]}`,
    '--max-examples',
    String(maxExamples),
    '--seed',
    String(SEED),
    '--phases',
    PHASES[role],
    // One worker: Python 3.11's regex compiler is not thread-safe ("AST constructor recursion depth mismatch").
    '--workers',
    '1',
    '--request-timeout',
    '20',
    '--generation-database',
    'none',
    '--no-color',
    '--output-truncate',
    'true',
    '--report',
    'ndjson',
    '--report-ndjson-path',
    report,
  ];
  return new Promise<RoleRun>((resolve, reject) => {
    execFile(schemathesis, args, { cwd: work, timeout: ROLE_TIME_LIMIT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? null) : 0;
      if (err && (err as { killed?: boolean }).killed) return reject(new Error(`schemathesis for ${role} ran past ${ROLE_TIME_LIMIT_MS / 1000} s:\n${stdout.slice(-4000)}`));
      readFile(report, 'utf8')
        .then((ndjson) => resolve({ code: typeof code === 'number' ? code : null, output: `${stdout}\n${stderr}`, ...tally(ndjson) }))
        .catch(reject);
    });
  });
}

/** Counts from the ndjson event stream: operations tested, requests sent, 5xx answers, failures per check. */
function tally(ndjson: string): Omit<RoleRun, 'code' | 'output'> {
  const operations = new Set<string>();
  let requests = 0;
  let serverErrors = 0;
  const failures: Record<string, number> = {};
  const seenFailures = new Set<string>();
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<string, Record<string, unknown>>;
    const scenario = event.ScenarioFinished;
    if (!scenario) continue;
    const recorder = scenario.recorder as { label?: string; interactions?: Record<string, { response?: { status_code?: number } | null }>; checks?: Record<string, { name: string; status: string; failure_info?: { failure?: { title?: string; code?: string } } | null }[]> } | undefined;
    if (!recorder) continue;
    if (recorder.label) operations.add(recorder.label);
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      requests++;
      if ((interaction.response?.status_code ?? 0) >= 500) serverErrors++;
    }
    for (const [caseId, checks] of Object.entries(recorder.checks ?? {})) {
      for (const c of checks) {
        if (c.status.toLowerCase() !== 'failure') continue;
        const key = `${recorder.label} ${c.name} ${caseId}`;
        if (seenFailures.has(key)) continue;
        seenFailures.add(key);
        failures[c.name] = (failures[c.name] ?? 0) + 1;
      }
    }
  }
  return { operations: operations.size, requests, serverErrors, failures };
}

describe('schemathesis against /docs/json, every check, once per role', () => {
  const summary: string[] = [];
  afterAll(() => {
    if (summary.length > 0) console.log(`schemathesis ${maxExamples} examples/operation, seed ${SEED}:\n${summary.join('\n')}`);
  });

  for (const role of ROLES) {
    it.runIf(ROLES_TO_RUN.includes(role))(`finds no 5xx and no response outside the document with the ${role} key`, { timeout: ROLE_TIME_LIMIT_MS + 30_000 }, async () => {
      const result = await runSchemathesis(role);
      summary.push(`  ${role}: ${result.operations} operations, ${result.requests} requests, ${result.serverErrors} 5xx, failures ${JSON.stringify(result.failures)}`);
      expect(result.operations, result.output.slice(-3000)).toBeGreaterThan(20);
      expect(result.serverErrors, result.output.slice(-8000)).toBe(0);
      expect(result.failures, result.output.slice(-8000)).toEqual({});
      expect(result.code, result.output.slice(-8000)).toBe(0);
    });
  }
});
