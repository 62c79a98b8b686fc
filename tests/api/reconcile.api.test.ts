// Ledger rows left without their workflow (a crash or a Temporal outage between the insert and
// the start) are started by the reconciler: hazards and campaigns alike. Real Postgres, the
// shared dev server, a real worker.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertCampaign } from '../../db/campaign-admin.repo';
import { campaigns } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { reconcileCampaigns } from '../../services/campaign.service';
import { ApiHarness, eventually } from '../support/api-harness';
import { actorFor, uniq } from '../support/fixtures';

const h = ApiHarness.forFile({ worker: true });

describe('campaign reconciliation', () => {
  it('starts the workflow of a launched campaign whose start never happened, once', async () => {
    const id = randomUUID();
    const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('reconcile') };
    // As a launch that crashed right after its ledger write: the row, no workflow.
    await insertCampaign(
      h.db,
      { id, name: '未启动的行动', template, workflowId: `campaign:${id}`, spotCheckSeed: 'seed', launchedBy: actorFor('office', null), idempotencyKey: id, requestHash: 'x' },
      [{ unitCode: h.entA.countyCode, kind: 'COUNTY' }],
    );
    h.track(`campaign:${id}`);
    const target = { client: h.env!.client, taskQueue: h.taskQueue };
    await expect(h.env!.client.workflow.getHandle(`campaign:${id}`).describe()).rejects.toThrow();

    expect(await reconcileCampaigns(h.db, target, { olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    const run = await h.env!.client.workflow.getHandle(`campaign:${id}`).describe();
    expect(run.status.name).toBe('RUNNING');
    const [row] = await h.db.select().from(campaigns).where(eq(campaigns.id, id));
    expect(row!.workflowStartedAt).not.toBeNull();
    // The workflow's first ledger write arrives too; a second pass has nothing left for this campaign.
    await eventually(async () => ((await h.db.select().from(campaigns).where(eq(campaigns.id, id)))[0]!.lastSeq > 0 ? true : undefined), 20_000, 'campaign launched event');
    await reconcileCampaigns(h.db, target, { olderThanMs: 0 });
    const runs = await h.env!.client.workflow.list({ query: `WorkflowId = 'campaign:${id}'` });
    let n = 0;
    for await (const run of runs) if (run.workflowId === `campaign:${id}`) n++;
    expect(n).toBe(1);
  });
});
