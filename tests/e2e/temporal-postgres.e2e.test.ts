// The production topology's Temporal server (cli/provision/temporal-postgres.ts) on the run's
// Postgres: a hazard reported through the API runs on it with the product's worker, the server is
// SIGKILLed with the hazard's reminder due during the outage, restarted on the same databases, and
// the workflow carries on: the reminder goes out once, and a later command reaches it.
//
// Opt-in, so that `npm test` stays within its budget: TEMPORAL_PG_TEST=1 runs it (about 50 s on 2
// busy cores once the server is built; building it takes minutes the first time, with Go). The
// bench's 'postgres' topology starts the same server on every run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../../cli/provision/postgres';
import { startTemporalOnPostgres, temporalServerBuilt, type TemporalDatabases, type TemporalOnPostgres } from '../../cli/provision/temporal-postgres';
import { getHazard } from '../../db/hazards.repo';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { reportBody, seedEnterprise } from '../support/fixtures';
import { injected } from '../support/injected';

const run = process.env.TEMPORAL_PG_TEST === '1';
const title = run
  ? 'the Temporal server on PostgreSQL'
  : `the Temporal server on PostgreSQL (skipped: TEMPORAL_PG_TEST=1 runs it${(await temporalServerBuilt()) ? '' : ', building the server first (minutes, needs Go)'})`;

if (!run) console.warn(`tests/e2e/temporal-postgres: ${title}`);

describe.skipIf(!run)(title, () => {
  let server: TemporalOnPostgres | undefined;
  let stack: E2eStack | undefined;
  let databases: TemporalDatabases | undefined;
  const quiet = () => undefined;

  beforeAll(async () => {
    server = await startTemporalOnPostgres({ postgresUrl: injected('databaseUrl'), log: quiet });
    databases = server.databases;
    stack = await startE2eStack({ TEMPORAL_ADDRESS: server.address });
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
    // The restarted server did not create them, so its stop() leaves them.
    for (const name of databases ? [databases.temporal, databases.visibility] : []) await dropDatabase(injected('databaseUrl'), name);
  }, 60_000);

  it('runs a hazard workflow that survives a kill -9 of the server and a restart on the same databases', async () => {
    const s = stack!;
    const enterprise = await seedEnterprise(s.db.db);
    const deadline = Date.now() + 15_000;
    const reminderAt = deadline - 9_000;
    const reported = await s.call<{ id: string }>('POST', '/v1/hazards', s.adminKey, {
      ...reportBody({ enterpriseId: enterprise.id, deadline: new Date(deadline).toISOString(), policy: { reminderOffsets: ['PT9S'], escalationAfter: 'P30D' } }),
    });
    expect(reported.status).toBe(201);
    const id = reported.body.id;
    const reminders = () => s.sink.messages.filter((m) => m.headers.get('x-hazard-id') === id && m.headers.get('x-notification-kind') === 'REMINDER');

    // Started on this server, its timer armed: then the server dies and stays down past the reminder.
    await expect.poll(async () => (await getHazard(s.db.db, id))?.state, { timeout: 20_000 }).toBe('RECTIFYING');
    const { ports } = server!;
    await server!.kill();
    server = undefined;
    while (Date.now() < reminderAt + 1_000) await new Promise((r) => setTimeout(r, 200));
    expect(reminders()).toHaveLength(0);

    server = await startTemporalOnPostgres({ postgresUrl: injected('databaseUrl'), reuse: { databases: databases!, ports }, log: quiet });
    const reminder = await s.sink.waitFor((m) => m.headers.get('x-hazard-id') === id && m.headers.get('x-notification-kind') === 'REMINDER', 60_000);
    expect(reminder.subject).toContain('整改提醒');
    // A command after the restart reaches the same workflow, which ends the process.
    expect((await s.call('POST', `/v1/hazards/${id}/withdrawal`, s.adminKey, { reason: 'test over' })).status).toBe(200);
    expect(reminders()).toHaveLength(1);
    const detail = await s.call<{ timeline: { type: string }[] }>('GET', `/v1/hazards/${id}`, s.adminKey);
    expect(detail.body.timeline.filter((e) => e.type === 'REMINDER_SENT')).toHaveLength(1);
  }, 180_000);
});
