// Idempotency-Key on commands, supervision findings, inspection results and campaign launches:
// the same key and body answer what the first request answered, another body is 422, concurrent
// requests with one key make one object. Real app, real Postgres, shared dev server, real worker.
import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { campaigns, hazardEvents, hazards, supervisionFindings } from '../../db/schema';
import { demoTemplate } from '../../domain/campaign';
import { ApiHarness, eventually } from '../support/api-harness';
import { reportBody, uniq } from '../support/fixtures';

const h = ApiHarness.forFile({ worker: true });

const key = (k: string) => ({ 'idempotency-key': k });

async function rectifyingHazard(): Promise<string> {
  const res = await h.call('POST', '/v1/hazards', h.keys.entA, reportBody());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  h.track(res.body.workflowId);
  await eventually(async () => ((await h.ledgerOf(res.body.id)).row?.state === 'RECTIFYING' ? true : undefined), 20_000, 'RECTIFYING');
  return res.body.id as string;
}

async function launchCampaign(headers: Record<string, string> = {}) {
  const template = { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('idem') };
  expect((await h.call('POST', '/v1/campaign-templates', h.keys.admin, template)).status).toBe(201);
  const body = { templateKey: template.key, templateVersion: 1, counties: [h.entA.countyCode], departments: [h.entA.departmentCode] };
  return { body, launch: () => h.call('POST', '/v1/campaigns', h.keys.office, body, headers) };
}

describe('Idempotency-Key', () => {
  it('answers a repeated hazard command with its first result, records it once, and refuses the key with another body', async () => {
    const id = await rectifyingHazard();
    const body = { requestedDeadline: '2100-06-30', reason: '设备到货延迟' };
    const first = await h.call('POST', `/v1/hazards/${id}/extension-request`, h.keys.entA, body, key('ext-1'));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const again = await h.call('POST', `/v1/hazards/${id}/extension-request`, h.keys.entA, body, key('ext-1'));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const requested = await h.db.select({ n: count() }).from(hazardEvents).where(and(eq(hazardEvents.hazardId, id), eq(hazardEvents.type, 'EXTENSION_REQUESTED')));
    expect(requested[0]!.n).toBe(1);

    const other = await h.call('POST', `/v1/hazards/${id}/extension-request`, h.keys.entA, { ...body, reason: '另一个理由' }, key('ext-1'));
    expect(other.status, JSON.stringify(other.body)).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ field: 'Idempotency-Key' }] });
  });

  it('keeps two callers with the same key string apart', async () => {
    const id = await rectifyingHazard();
    const mine = await h.call('POST', `/v1/hazards/${id}/extension-request`, h.keys.entA, { requestedDeadline: '2100-06-30', reason: '设备到货延迟' }, key('shared-string'));
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    // The office uses the same string for its own command: not a replay of the enterprise's.
    const office = await h.call('POST', `/v1/hazards/${id}/extension-decision`, h.keys.office, { decision: 'REFUSE', reason: '理由不充分' }, key('shared-string'));
    expect(office.status, JSON.stringify(office.body)).toBe(200);
    expect(office.headers['idempotent-replayed']).toBeUndefined();
    expect(office.body.hazard.pendingExtension).toBeNull();
  });

  it('makes one finding and one hazard of concurrent supervision findings sent with one key', async () => {
    const { launch } = await launchCampaign();
    const launched = await launch();
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    h.track(launched.body.workflowId);
    const team = uniq('督导组');
    const finding = { team, target: 'ENTERPRISE', enterpriseId: h.entA.id, description: '安全出口锁闭', hazard: reportBody({ description: `安全出口锁闭 ${team}` }) };
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.call('POST', `/v1/campaigns/${launched.body.id}/supervision-findings`, h.keys.office, finding, key(`finding-${team}`))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409), statuses.join(',')).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
    expect(ids.size).toBe(1);

    const findings = await h.db.select().from(supervisionFindings).where(eq(supervisionFindings.team, team));
    expect(findings).toHaveLength(1);
    const made = await h.db.select().from(hazards).where(eq(hazards.description, `安全出口锁闭 ${team}`));
    expect(made).toHaveLength(1);
    h.track(made[0]!.workflowId);

    const later = await h.call('POST', `/v1/campaigns/${launched.body.id}/supervision-findings`, h.keys.office, finding, key(`finding-${team}`));
    expect(later.status).toBe(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body.id).toBe([...ids][0]);
  });

  it('launches one campaign of concurrent launches sent with one key', async () => {
    const k = uniq('launch');
    const { body, launch } = await launchCampaign(key(k));
    const answers = await Promise.all(Array.from({ length: 4 }, () => launch()));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    h.track(answers[0]!.body.workflowId);
    const rows = await h.db.select().from(campaigns).where(eq(campaigns.name, answers[0]!.body.name));
    expect(rows.filter((r) => r.template.key === body.templateKey)).toHaveLength(1);
    const run = await h.env!.client.workflow.getHandle(answers[0]!.body.workflowId).describe();
    expect(run.status.name).toBe('RUNNING');
  });
});
