// The real API (api/app.ts registered on a Fastify instance with the production options) on a
// fresh real Postgres database and the run's shared Temporal dev server, optionally with a real
// worker mailing a real SMTP sink. Requests go through app.inject. Nothing is mocked.
//
// Usage: const h = new ApiHarness({ worker: true }); beforeAll(() => h.start()); afterAll(() => h.close());
// start() brings resources up one at a time, so close() can stop whatever did start.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { app as hazardApi, fastifyOptions } from '../../api/app';
import { createDb, type DbHandle, type Db } from '../../db/client';
import { hazardEvents, hazards, type enterprises } from '../../db/schema';
import { createApiKey } from '../../db/reference.repo';
import type { Role } from '../../domain/hazard';
import { freshDatabase, type FreshDatabase } from './database';
import { seedEnterprise, uniq } from './fixtures';
import { demoTemplate } from '../../domain/campaign';
import { createHazardWorker } from './hazard-worker';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { sharedDevServerEnv } from './temporal';

const makeFastify = () => Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();
export type ApiApp = ReturnType<typeof makeFastify>;
export type Enterprise = typeof enterprises.$inferSelect;

/** A problem+json body (RFC 9457) as the API sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { field: string; reason: string }[];
}

/** A parsed response body: its shape is asserted at run time, not typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
}

export interface Keys {
  admin: string;
  office: string;
  /** Scoped to enterprise A's department. */
  department: string;
  /** Scoped to enterprise A's county. */
  county: string;
  entA: string;
  entB: string;
  /** A reviewer scoped to enterprise A's county (the access matrix's `reviewer`). */
  reviewer: string;
  /** A city-wide reviewer (scope null): sees and decides every case. */
  reviewerCity: string;
}

export class ApiHarness {
  database?: FreshDatabase;
  handle?: DbHandle;
  env?: TestWorkflowEnvironment;
  sink?: SmtpSink;
  worker?: Worker;
  running?: Promise<void>;
  fastify?: ApiApp;
  readonly taskQueue = uniq('api-test');
  keys!: Keys;
  /** Enterprise A and B live in different counties and departments. */
  entA!: Enterprise;
  entB!: Enterprise;

  constructor(private readonly opts: { worker: boolean; commandTimeoutMs?: number }) {}

  get db(): Db {
    return this.handle!.db;
  }

  get app(): ApiApp {
    return this.fastify!;
  }

  async start(): Promise<void> {
    this.database = await freshDatabase();
    this.handle = await createDb(this.database.url);
    this.env = await sharedDevServerEnv();
    if (this.opts.worker) {
      this.sink = await startSmtpSink();
      this.worker = await createHazardWorker({ connection: this.env.nativeConnection, client: this.env.client, taskQueue: this.taskQueue, db: this.db, smtpUrl: this.sink.url });
      this.running = this.worker.run();
    }
    const fastify = makeFastify();
    this.fastify = fastify;
    // Suites write far faster than a person; the limits themselves are tested in hostile-input.api.test.ts.
    await fastify.register(hazardApi, { db: this.db, temporal: { client: this.env.client, taskQueue: this.taskQueue, commandTimeoutMs: this.opts.commandTimeoutMs }, limits: { writesPerMinute: 1_000_000, mailPerMinute: 1_000_000 } });
    await fastify.ready();

    this.entA = await seedEnterprise(this.db);
    this.entB = await seedEnterprise(this.db);
    this.keys = {
      admin: await this.key('admin', null),
      office: await this.key('office', null),
      department: await this.key('department', this.entA.departmentCode),
      county: await this.key('county', this.entA.countyCode),
      entA: await this.key('enterprise', this.entA.id),
      entB: await this.key('enterprise', this.entB.id),
      reviewer: await this.key('reviewer', this.entA.countyCode),
      reviewerCity: await this.key('reviewer', null),
    };
  }

  /**
   * A campaign launched through the API by the office from a demo template whose phases open ten
   * minutes from now (nothing fires while the file runs); its campaign workflow is tracked.
   */
  async launchDemoCampaign(opts: { counties: string[]; departments: string[]; name: string; keyPrefix: string }): Promise<string> {
    const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq(opts.keyPrefix) };
    expect((await this.call('POST', '/v1/campaign-templates', this.keys.office, template)).status).toBe(201);
    const launched = await this.call<{ id: string }>('POST', '/v1/campaigns', this.keys.office, { templateKey: template.key, templateVersion: 1, counties: opts.counties, departments: opts.departments, name: opts.name });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    this.track(`campaign:${launched.body.id}`);
    return launched.body.id;
  }

  /** Workflows a test started: terminated when the harness closes, so none outlives its file. */
  private readonly tracked = new Set<string>();

  track(workflowId: string): void {
    this.tracked.add(workflowId);
  }

  /** A harness started before the file's tests and closed after them (tracked workflows terminated first). */
  static forFile(opts: { worker: boolean; commandTimeoutMs?: number }): ApiHarness {
    const h = new ApiHarness(opts);
    beforeAll(() => h.start());
    afterAll(() => h.close());
    return h;
  }

  async close(): Promise<void> {
    for (const id of this.tracked) await this.env?.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    this.tracked.clear();
    await this.fastify?.close();
    if (this.worker) {
      if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
      await this.running;
    }
    await this.env?.teardown();
    await this.sink?.close();
    await this.handle?.close();
    await this.database?.close();
  }

  async key(role: Role, scope: string | null): Promise<string> {
    return (await createApiKey(this.db, { name: uniq(`${role}-key`), role, scope })).secret;
  }

  async call<T = Json>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, key?: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await this.app.inject({
      method,
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    const text = res.body;
    // JSON and problem JSON parsed; anything else (an .xlsx download, Markdown) as its text.
    const json = /json/.test(String(res.headers['content-type'] ?? 'application/json'));
    return { status: res.statusCode, headers: res.headers, body: (text ? (json ? JSON.parse(text) : text) : null) as T };
  }

  /** Hazards on the ledger, straight from the database. */
  async hazardCount(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(hazards);
    return row!.n;
  }

  /** The ledger row and its events, straight from the database: compare before/after a refused command. */
  async ledgerOf(id: string) {
    const [row] = await this.db.select().from(hazards).where(eq(hazards.id, id));
    const events = await this.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, id));
    return { row, events: events.length };
  }
}

export { eventually } from './eventually';
