// A campaign whose phases last seconds, launched through the API on the real dev server, watched
// to completion: every unit is told its duties and mailed for each of them (reminder, then the
// missed notice where nobody reported), the draw is checkable, the summary is frozen.
import { and, eq, sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../api/server';
import { createApiKey } from '../../db/reference.repo';
import { campaignTemplates } from '../../db/schema';
import { datong2023Template, demoTemplate } from '../../domain/campaign';
import { baseUrlOf, callApi, startE2eStack, type E2eStack } from '../support/e2e-stack';
import { creditCode, uniq } from '../support/fixtures';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack();
});

afterAll(async () => {
  await stack?.close();
});

const header = (m: ParsedMail, name: string) => m.headers.get(name) as string | undefined;

describe('a seconds-long campaign launched through the API', () => {
  it('opens and closes its phases, mails every unit for every duty, draws a checkable sample and freezes the summary', async () => {
    const { call, adminKey } = stack;
    const counties = [uniq('county'), uniq('county')];
    const department = uniq('dept');
    for (const code of counties) expect((await call('POST', '/v1/units', adminKey, { kind: 'COUNTY', code, name: code, email: `${code}@e2e.test` })).status).toBe(201);
    expect((await call('POST', '/v1/units', adminKey, { kind: 'DEPARTMENT', code: department, name: department, email: `${department}@e2e.test` })).status).toBe(201);
    const roster = Array.from({ length: 20 }, (_, i) => ({
      name: `企业${i}`,
      creditCode: creditCode(),
      industry: i % 2 ? 'CONSTRUCTION' : 'FIRE_SAFETY',
      countyCode: counties[i % 2],
      departmentCode: department,
      principal: { name: `负责人${i}`, email: `p${i}@e2e.test` },
    }));
    const loaded = await call<{ created: number }>('POST', '/v1/enterprises/bulk', adminKey, { enterprises: roster });
    expect(loaded.body.created).toBe(20);

    const template = demoTemplate(Date.now() + 3000);
    expect((await call('POST', '/v1/campaign-templates', adminKey, template)).status).toBe(201);
    const launched = await call<{ id: string }>('POST', '/v1/campaigns', adminKey, { templateKey: template.key, templateVersion: 1, counties, departments: [department] });
    expect(launched.status).toBe(201);
    const id = launched.body.id;

    // The first county reports its implementation plan in time, through its own key.
    const { secret: countyKey } = await createApiKey(stack.db.db, { name: 'county', role: 'county', scope: counties[0]! });
    await expect.poll(async () => (await call('POST', `/v1/campaigns/${id}/duties/${counties[0]}/plan`, countyKey, { text: '实施方案' })).status, { timeout: 10_000, interval: 500 }).toBe(200);
    // Another unit's key cannot report for it.
    expect((await call('POST', `/v1/campaigns/${id}/duties/${counties[1]}/progress:1`, countyKey, { text: 'x' })).status).toBe(404);

    await expect.poll(async () => (await call<{ status: string }>('GET', `/v1/campaigns/${id}`, adminKey)).body.status, { timeout: 90_000, interval: 1000 }).toBe('COMPLETED');

    const status = await call<{ duties: { units: Record<string, { dutyKey: string; state: string }[]>; missed: number }; spotCheck: { strata: { population: number; drawn: number }[] } }>('GET', `/v1/campaigns/${id}`, adminKey);
    const unitsSeen = Object.keys(status.body.duties.units).sort();
    expect(unitsSeen).toEqual([...counties, department].sort());
    for (const [unit, list] of Object.entries(status.body.duties.units)) {
      expect(list.map((d) => d.dutyKey)).toEqual(['plan', 'progress:1', 'progress:2', 'progress:3', 'summary']);
      const mails = stack.sink.messages.filter((m) => header(m, 'x-obligation-id') === `obligation:${id}:${unit}`);
      expect(mails.filter((m) => header(m, 'x-notification-kind') === 'DUTIES_ASSIGNED')).toHaveLength(1);
      for (const duty of list) {
        const kinds = mails.filter((m) => header(m, 'x-duty-key') === duty.dutyKey).map((m) => header(m, 'x-notification-kind'));
        if (!(unit === counties[0] && duty.dutyKey === 'plan')) {
          expect(kinds, `${unit} ${duty.dutyKey}`).toContain('DUTY_MISSED');
          expect(duty.state).toBe('MISSED');
        }
      }
    }
    expect(status.body.duties.units[counties[0]!]!.find((d) => d.dutyKey === 'plan')!.state).toBe('SUBMITTED');
    for (const s of status.body.spotCheck.strata) expect(s.drawn).toBeGreaterThanOrEqual(Math.ceil(s.population / 10));

    // The office sees the duty mail in the outbox, as sent.
    const outbox = await call<{ items: { kind: string; status: string; campaignId: string }[] }>('GET', `/v1/notifications?campaignId=${id}&kind=DUTY_MISSED&limit=500`, adminKey);
    expect(outbox.body.items.length).toBeGreaterThan(0);
    expect(outbox.body.items.every((n) => n.status === 'SENT' && n.campaignId === id)).toBe(true);
    // A county key does not see campaign mail that belongs to no hazard of its own.
    expect((await call<{ items: unknown[] }>('GET', `/v1/notifications?campaignId=${id}`, countyKey)).body.items).toEqual([]);

    const verification = await call<{ matches: boolean }>('GET', `/v1/campaigns/${id}/spot-check/verification`, adminKey);
    expect(verification.body.matches).toBe(true);
    const summary = await call<{ figures: { duties: { missed: number } } }>('GET', `/v1/campaigns/${id}/summary`, adminKey);
    expect(summary.status).toBe(200);
    expect(summary.body.figures.duties.missed).toBe(status.body.duties.missed);
  });
});

describe('the built-in templates', () => {
  const datongRows = () => stack.db.db.select().from(campaignTemplates).where(and(eq(campaignTemplates.key, 'datong-2023'), eq(campaignTemplates.version, 1)));

  it('offers the Datong plan after the start, stores nothing twice when started again, and keeps content stored earlier under its version', async () => {
    const { call, adminKey } = stack;
    const list = await call<{ items: { key: string; version: number; builtIn: boolean; documentNumber: string }[] }>('GET', '/v1/campaign-templates', adminKey);
    expect(list.status).toBe(200);
    expect(list.body.items.filter((t) => t.builtIn)).toEqual([expect.objectContaining({ key: 'datong-2023', version: 1, builtIn: true, documentNumber: '同安发〔2023〕15号' })]);
    expect((await call('GET', '/v1/campaign-templates/datong-2023/1', adminKey)).body).toEqual(datong2023Template);

    // A second API process on the same database: the same template, nothing stored again.
    const again = await startApi(stack.config, stack.db);
    try {
      expect(again.templates).toEqual([{ key: 'datong-2023', version: 1, outcome: 'same' }]);
    } finally {
      await again.close();
    }
    const [stored] = await datongRows();
    expect(await datongRows()).toHaveLength(1);

    // As a database holds it from before reporting.beforeDay existed: the start goes on and keeps it.
    await stack.db.db.update(campaignTemplates).set({ body: sql`${campaignTemplates.body} #- '{reporting,beforeDay}'` }).where(eq(campaignTemplates.id, stored!.id));
    const older = await startApi(stack.config, stack.db);
    try {
      expect(older.templates).toEqual([{ key: 'datong-2023', version: 1, outcome: 'conflict' }]);
      const read = await callApi<{ reporting: Record<string, unknown> }>(baseUrlOf(older), 'GET', '/v1/campaign-templates/datong-2023/1', adminKey);
      expect(read.status).toBe(200);
      expect(read.body.reporting).not.toHaveProperty('beforeDay');
    } finally {
      await older.close();
    }
    const rows = await datongRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body.reporting.beforeDay).toBeUndefined();
    expect(rows[0]!.createdAt).toEqual(stored!.createdAt);
  });
});
