// A roster import that moves an enterprise to another county and department takes its open hazards
// along: the ledger rows move in the import's transaction (with a REASSIGNED event and the audit
// entry), the new regulators see them and the old ones no longer do, and the running workflows learn
// their new scope. Closed hazards stay where they were. Real app, Postgres, dev server and worker.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveOpenHazards } from '../../db/hazard-moves.repo';
import { auditLog, enterprises, hazardEvents, hazards, hazardScopeSyncs } from '../../db/schema';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import { syncHazardScopes } from '../../services/hazard-scope';
import { hazardStateQuery } from '../../workflows/hazard.messages';
import { ApiHarness, eventually, type Json } from '../support/api-harness';
import { reportBody, seedEnterprise, uniq } from '../support/fixtures';

const h = new ApiHarness({ worker: true });
beforeAll(() => h.start());
afterAll(async () => {
  try {
    const client = h.env?.client;
    if (client && h.handle) {
      const ids = (await h.db.select({ id: hazards.id }).from(hazards)).map((r) => `hazard:${r.id}`);
      await Promise.allSettled(ids.map((w) => client.workflow.getHandle(w).terminate('roster-moves cleanup')));
    }
  } finally {
    await h.close();
  }
});

async function ledgerState(id: string) {
  const [row] = await h.db.select({ state: hazards.state }).from(hazards).where(eq(hazards.id, id));
  return row?.state;
}

describe('a roster import that moves an enterprise', () => {
  it('moves its open hazards to the new county and department: the new regulators list them, the old do not, the workflow learns its scope', async () => {
    const ent = h.entA;
    const to = { countyCode: h.entB.countyCode, departmentCode: h.entB.departmentCode };
    const open = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.entA, reportBody({ description: uniq('未整改') }));
    expect(open.status, JSON.stringify(open.body)).toBe(201);
    const closed = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.entA, reportBody({ description: uniq('已撤回') }));
    expect(closed.status).toBe(201);
    await eventually(async () => ((await ledgerState(open.body.id)) === 'RECTIFYING' && (await ledgerState(closed.body.id)) === 'RECTIFYING' ? true : undefined), 20_000, 'both hazards rectifying');
    expect((await h.call('POST', `/v1/hazards/${closed.body.id}/withdrawal`, h.keys.office, { reason: '误报' })).status).toBe(200);
    await eventually(async () => ((await ledgerState(closed.body.id)) === 'WITHDRAWN' ? true : undefined), 20_000, 'the withdrawal on the ledger');

    const countyB = await h.key('county', to.countyCode);
    const departmentB = await h.key('department', to.departmentCode);
    expect((await h.call('GET', `/v1/hazards/${open.body.id}`, countyB)).status).toBe(404);

    const row = {
      name: ent.name,
      creditCode: ent.creditCode,
      industry: ent.industry,
      countyCode: to.countyCode,
      departmentCode: to.departmentCode,
      principal: { name: ent.principalName, ...(ent.principalEmail ? { email: ent.principalEmail } : {}) },
    };
    const imported = await h.call<Json>('POST', '/v1/enterprises/bulk', h.keys.office, { enterprises: [row] });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.rows[0]).toMatchObject({ status: 'UPDATED', id: ent.id });

    // The ledger moved with the roster (same transaction): the new regulators act on it, the old ones no longer see it.
    const ids = async (key: string) => ((await h.call<{ items: { id: string }[] }>('GET', `/v1/hazards?enterpriseId=${ent.id}&limit=100`, key)).body.items ?? []).map((x) => x.id);
    expect(await ids(countyB)).toContain(open.body.id);
    expect(await ids(departmentB)).toContain(open.body.id);
    expect(await ids(h.keys.county)).not.toContain(open.body.id);
    expect(await ids(h.keys.department)).not.toContain(open.body.id);
    expect((await h.call('GET', `/v1/hazards/${open.body.id}`, h.keys.county)).status).toBe(404);
    expect((await h.call<Json>('GET', `/v1/hazards/${open.body.id}`, countyB)).body.hazard).toMatchObject(to);

    // The withdrawn one stays where it was decided.
    const [old] = await h.db.select().from(hazards).where(eq(hazards.id, closed.body.id));
    expect(old).toMatchObject({ countyCode: ent.countyCode, departmentCode: ent.departmentCode });

    const events = await h.db.select().from(hazardEvents).where(and(eq(hazardEvents.hazardId, open.body.id), eq(hazardEvents.type, 'REASSIGNED')));
    const byRoster = events.find((e) => e.workflowId.includes(':roster:'));
    expect(byRoster).toMatchObject({ actor: { role: 'office' }, data: { from: { countyCode: ent.countyCode, departmentCode: ent.departmentCode }, to } });
    const audit = await h.db.select().from(auditLog).where(eq(auditLog.action, 'roster.imported'));
    expect(audit.at(-1)?.data).toMatchObject({ updated: [ent.id], moved: [{ enterpriseId: ent.id, to, hazards: 1 }] });

    // The running workflow learns its new scope (its mails go to the new regulators).
    const live = await eventually(async () => {
      const s = await h.env!.client.workflow.getHandle(`hazard:${open.body.id}`).query(hazardStateQuery);
      return s.scope?.countyCode === to.countyCode ? s : undefined;
    }, 15_000, 'the workflow to learn its new scope');
    expect(live.scope).toMatchObject(to);
    expect(await h.db.select().from(hazardScopeSyncs).where(eq(hazardScopeSyncs.hazardId, open.body.id))).toEqual([]);

    // Importing the same row again moves nothing twice.
    const again = await h.call<Json>('POST', '/v1/enterprises/bulk', h.keys.office, { enterprises: [row] });
    expect(again.body.rows[0]).toMatchObject({ status: 'UNCHANGED' });
    const eventsAfter = await h.db.select().from(hazardEvents).where(and(eq(hazardEvents.hazardId, open.body.id), eq(hazardEvents.type, 'REASSIGNED')));
    expect(eventsAfter.filter((e) => e.workflowId.includes(':roster:'))).toHaveLength(1);
  });

  it('keeps a move whose workflow could not be told pending, and the reconciler tells it later', async () => {
    // An enterprise of its own in A's county, with an open hazard reported by the office.
    const ent = await seedEnterprise(h.db, { countyCode: h.entA.countyCode, departmentCode: h.entA.departmentCode });
    const reported = await h.call<{ id: string }>('POST', '/v1/hazards', h.keys.office, { ...reportBody(), enterpriseId: ent.id });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    await eventually(async () => ((await ledgerState(reported.body.id)) === 'RECTIFYING' ? true : undefined), 20_000, 'the hazard rectifying');

    // The roster's transaction moved the ledger, but the signal was lost (say, Temporal was down then).
    const to = { countyCode: h.entB.countyCode, departmentCode: h.entB.departmentCode };
    await h.db.transaction(async (tx) => {
      await tx.update(enterprises).set(to).where(eq(enterprises.id, ent.id));
      await moveOpenHazards(tx, [{ enterpriseId: ent.id, from: { countyCode: ent.countyCode, departmentCode: ent.departmentCode }, to }], SYSTEM_ACTOR, 'test: signal lost');
    });
    expect(await h.db.select().from(hazardScopeSyncs).where(eq(hazardScopeSyncs.hazardId, reported.body.id))).toHaveLength(1);
    const handle = h.env!.client.workflow.getHandle(`hazard:${reported.body.id}`);
    expect((await handle.query(hazardStateQuery)).scope?.countyCode ?? ent.countyCode).toBe(ent.countyCode);

    const temporal = { client: h.env!.client, taskQueue: h.taskQueue };
    expect(await syncHazardScopes(h.db, temporal)).toBeGreaterThanOrEqual(1);
    await eventually(async () => ((await handle.query(hazardStateQuery)).scope?.countyCode === to.countyCode ? true : undefined), 15_000, 'the workflow to learn its new scope');
    expect(await h.db.select().from(hazardScopeSyncs).where(eq(hazardScopeSyncs.hazardId, reported.body.id))).toEqual([]);
  });
});
