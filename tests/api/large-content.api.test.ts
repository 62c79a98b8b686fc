// Large content stays out of workflow history: evidence and duty reports are stored on the ledger
// by the API and the workflows carry their ids. The ledger still shows them whole. Real app, real
// Postgres, shared dev server, real worker.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { duties, hazardEvents } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { ApiHarness, eventually } from '../support/api-harness';
import { reportBody, uniq } from '../support/fixtures';

const h = ApiHarness.forFile({ worker: true });

/** The workflow's whole history as JSON text: what Temporal stores and replays. */
async function historyText(workflowId: string): Promise<string> {
  const history = await h.env!.client.workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history);
}

describe('large content', () => {
  it('keeps the evidence of a rectification on the ledger and only its id and an excerpt in the workflow history', async () => {
    const created = await h.call('POST', '/v1/hazards', h.keys.entA, reportBody());
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id, workflowId } = created.body as { id: string; workflowId: string };
    h.track(workflowId);
    await eventually(async () => ((await h.ledgerOf(id)).row?.state === 'RECTIFYING' ? true : undefined), 20_000, 'RECTIFYING');
    const marker = uniq('证据');
    const evidence = `${marker} ${'已更换全部老化线路并加装漏电保护装置，附验收记录。'.repeat(300)}`.slice(0, 8000);
    const attachments = Array.from({ length: 50 }, (_, i) => ({ name: `照片-${i}-${marker}.jpg`, contentType: 'image/jpeg', size: 123_456, sha256: 'a'.repeat(64) }));
    const res = await h.call('POST', `/v1/hazards/${id}/rectification`, h.keys.entA, { evidence, attachments });
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const [event] = await h.db.select().from(hazardEvents).where(and(eq(hazardEvents.hazardId, id), eq(hazardEvents.type, 'RECTIFICATION_SUBMITTED')));
    expect(event!.data).toMatchObject({ evidence, attachments });
    const history = await historyText(workflowId);
    expect(history).not.toContain(evidence.slice(0, 1000));
    expect(history).not.toContain(`照片-49-${marker}`);
    expect(history.length).toBeLessThan(60_000);
  });

  it('keeps a unit duty report on the ledger and only its id in the obligation history', async () => {
    const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('content') };
    expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
    const launched = await h.call('POST', '/v1/campaigns', h.keys.office, { templateKey: template.key, templateVersion: 1, counties: [h.entA.countyCode], departments: [h.entA.departmentCode] });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    const campaignId = launched.body.id as string;
    h.track(launched.body.workflowId);
    const obligationId = `obligation:${campaignId}:${h.entA.countyCode}`;
    h.track(obligationId);
    await eventually(async () => ((await h.db.select().from(duties).where(eq(duties.obligationId, obligationId))).length > 0 ? true : undefined), 20_000, 'duties on the ledger');

    const marker = uniq('实施方案');
    const figures = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`指标${i}`, `${marker} ${'排查企业数量与整改情况说明'.repeat(100)}`.slice(0, 2000)]));
    const report = { text: `${marker} ${'按照方案部署开展排查整治。'.repeat(1500)}`.slice(0, 20000), figures };
    const res = await h.call('POST', `/v1/campaigns/${campaignId}/duties/${h.entA.countyCode}/plan`, h.keys.county, report);
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const [duty] = await h.db.select().from(duties).where(and(eq(duties.obligationId, obligationId), eq(duties.dutyKey, 'plan')));
    expect(duty!.content).toMatchObject(report);
    const history = await historyText(obligationId);
    expect(history).not.toContain(marker);
    expect(history.length).toBeLessThan(60_000);
  });
});
