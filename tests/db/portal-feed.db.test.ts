// The event feed on a real Postgres: ledger event rows become portal events by trigger in the
// writer's transaction, scoped as the API scopes their subjects; a row whose transaction commits
// late with a smaller number is never skipped by a reader resuming after a cursor. And the HTTP
// POST of a delivery: no redirect followed, the answer's body capped.
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../../activities/webhook-http';
import { createDb, type DbHandle } from '../../db/client';
import { readFeed } from '../../db/portal.repo';
import { dutyEvents, hazardEvents } from '../../db/schema';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { encodeCursor, RESPONSE_BODY_CAP_BYTES } from '../../domain/webhooks';
import { freshDatabase, type FreshDatabase } from '../support';
import { actorFor, reportBody, seedEnterprise, seedHazard } from '../support/fixtures';

let database: FreshDatabase;
let handle: DbHandle;

beforeAll(async () => {
  database = await freshDatabase();
  handle = await createDb(database.url);
});
afterAll(async () => {
  await handle?.close();
  await database?.close();
});

const insertEvent = (client: pg.ClientBase, subject: string) =>
  client.query<{ seq: string }>(
    `insert into portal_events (type, stream, subject_id, subject_seq, occurred_at, payload) values ('order.ISSUED', 'order', $1, 1, now(), '{}') returning seq`,
    [subject],
  );

describe('the feed', () => {
  it('holds back a row committed after a later-numbered one, and then serves both in order: a resuming reader misses nothing', async () => {
    const late = new pg.Client({ connectionString: database.url });
    const early = new pg.Client({ connectionString: database.url });
    await late.connect();
    await early.connect();
    try {
      const admin = actorFor('admin');
      const before = await readFeed(handle.db, admin, { after: null, types: [], limit: 500 });
      const cursor = before.at(-1) ? { xid: before.at(-1)!.xid, seq: before.at(-1)!.seq } : null;
      await late.query('begin');
      const lateSeq = Number((await insertEvent(late, 'late')).rows[0]!.seq);
      const earlySeq = Number((await insertEvent(early, 'early')).rows[0]!.seq);
      expect(lateSeq).toBeLessThan(earlySeq);
      // The later number is committed, but a transaction older than it still runs: nothing is served yet.
      const whileRunning = await readFeed(handle.db, admin, { after: cursor, types: [], limit: 500 });
      expect(whileRunning.map((r) => r.subjectId)).toEqual([]);
      await late.query('commit');
      const after = await readFeed(handle.db, admin, { after: cursor, types: [], limit: 500 });
      expect(after.map((r) => r.subjectId)).toEqual(['late', 'early']);
      const last = after.at(-1)!;
      expect(await readFeed(handle.db, admin, { after: { xid: last.xid, seq: last.seq }, types: [], limit: 500 })).toEqual([]);
      expect(encodeCursor({ xid: last.xid, seq: last.seq })).toMatch(/^[0-9]+\.[0-9]+$/);
    } finally {
      await late.end();
      await early.end();
    }
  });

  it("scopes each ledger event like its subject: a hazard's to its enterprise, county and department; an inspection duty to the department only", async () => {
    const ent = await seedEnterprise(handle.db);
    const other = await seedEnterprise(handle.db);
    const hazard = await seedHazard(handle.db, ent, reportBody(), Date.now());
    await handle.db.insert(hazardEvents).values({ hazardId: hazard.id, workflowId: hazard.workflowId, seq: 1, type: 'REGISTERED', toState: 'REGISTERED', actor: SYSTEM_ACTOR, data: { big: 'x'.repeat(5000) }, at: new Date() });
    const campaignId = '00000000-0000-4000-8000-000000000001';
    await handle.db.insert(dutyEvents).values([
      { campaignId, obligationId: `inspection:${campaignId}:${ent.id}`, seq: 1, dutyKey: `inspection:${ent.id}`, type: 'DUTY_ASSIGNED', actor: SYSTEM_ACTOR, data: {}, at: new Date() },
      { campaignId, obligationId: `self-inspection:${campaignId}:${ent.id}`, seq: 1, dutyKey: `self-inspection:${ent.id}`, type: 'DUTY_ASSIGNED', actor: SYSTEM_ACTOR, data: {}, at: new Date() },
      { campaignId, obligationId: `obligation:${campaignId}:${ent.countyCode}`, seq: 1, dutyKey: 'plan', type: 'DUTY_MISSED', actor: SYSTEM_ACTOR, data: {}, at: new Date() },
    ]);
    const seen = async (role: 'enterprise' | 'county' | 'department', scope: string) =>
      (await readFeed(handle.db, actorFor(role, scope), { after: null, types: [], limit: 500 })).map((r) => `${r.type} ${r.subjectId.split(':')[0]}`).sort();
    expect(await seen('enterprise', ent.id)).toEqual(['duty.DUTY_ASSIGNED self-inspection', 'hazard.REGISTERED ' + hazard.id]);
    expect(await seen('county', ent.countyCode)).toEqual(['duty.DUTY_ASSIGNED self-inspection', 'duty.DUTY_MISSED obligation', 'hazard.REGISTERED ' + hazard.id]);
    expect(await seen('department', ent.departmentCode)).toEqual(['duty.DUTY_ASSIGNED inspection', 'duty.DUTY_ASSIGNED self-inspection', 'hazard.REGISTERED ' + hazard.id]);
    expect(await seen('enterprise', other.id)).toEqual([]);
    const [registered] = await readFeed(handle.db, actorFor('enterprise', ent.id), { after: null, types: ['hazard.*'], limit: 5 });
    expect(registered!.payload).toMatchObject({ hazardId: hazard.id, toState: 'REGISTERED', data: { truncated: true } });
  });

  it('is append-only', async () => {
    await expect(handle.db.execute('update portal_events set type = type' as never)).rejects.toThrow();
  });
});

describe('a delivery attempt over HTTP', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/big') return void res.writeHead(200).end('y'.repeat(RESPONSE_BODY_CAP_BYTES * 10));
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const loopback = { timeoutMs: 2000, policy: { allowLoopback: true, allowPrivate: false } };

  it('does not follow a redirect, caps the body it reads, and refuses loopback unless allowed', async () => {
    expect(await postJson(`${base}/redirect`, '{}', {}, loopback)).toMatchObject({ status: 302 });
    const big = await postJson(`${base}/big`, '{}', {}, loopback);
    expect(big.body.length).toBe(RESPONSE_BODY_CAP_BYTES);
    await expect(postJson(`${base}/ok`, '{}', {}, { timeoutMs: 2000, policy: { allowLoopback: false, allowPrivate: false } })).rejects.toThrow(/loopback/);
  });
});
