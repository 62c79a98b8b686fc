// The demo city (`npm start -- --demo`): loaded through the public API like any client would, with
// an admin key of its own, so every row passes the same checks and every workflow starts the same
// way. Idempotent: units and accounts that exist answer 409 and are left alone, the roster import
// leaves identical rows UNCHANGED, the campaign is launched (and its hazards reported) only when no
// demo campaign exists yet. Run twice, nothing is there twice.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client';
import { createApiKey, generateKeySecret } from '../db/reference.repo';
import { DEMO_COUNTIES, DEMO_DEPARTMENTS, DEMO_TEMPLATE_KEY, demoCityTemplate, demoEnterprises } from '../domain/fixtures/demo-city';

export const DEMO_ROLES = ['office', 'county', 'department', 'reviewer', 'enterprise'] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

/** What the demo keeps in its data dir: its loader's key and the accounts' first passwords. */
export interface DemoSecrets {
  loaderKey: string;
  passwords: Record<DemoRole, string>;
}

export const newDemoSecrets = (): DemoSecrets => ({
  loaderKey: generateKeySecret(),
  passwords: Object.fromEntries(DEMO_ROLES.map((r) => [r, `demo-${randomBytes(9).toString('base64url')}`])) as Record<DemoRole, string>,
});

export const demoEmail = (role: DemoRole): string => `${role}@demo-city.hazard-campaign.local`;

export interface DemoOptions {
  /** How many enterprises (a few hundred by default). */
  enterprises?: number;
  /** When the campaign's first phase opens (default: 30 s from now, so the console is open by then). */
  startMs?: number;
  /** How many times longer than the seconds-long demo schedule (6: phases of minutes). */
  factor?: number;
  /** How many hazards to report once the campaign is launched. */
  hazards?: number;
}

export interface DemoLoad {
  units: { created: number; existing: number };
  enterprises: { created: number; unchanged: number; updated: number };
  accounts: { role: DemoRole; email: string; created: boolean }[];
  campaign: { id: string; launched: boolean };
  hazards: number;
}

type Reply = { status: number; body: Record<string, unknown> };

export async function loadDemoCity(api: FastifyInstance, db: Db, secrets: DemoSecrets, opts: DemoOptions = {}): Promise<DemoLoad> {
  // The loader's own admin key, kept in the demo's data dir: ensured once, never a second one. A
  // well-formed secret the API's key index has not seen yet is looked up in the database.
  await createApiKey(db, { name: 'demo city loader', role: 'admin', scope: null, secret: secrets.loaderKey, ifAbsent: true });
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await api.inject({ method, url, headers: { authorization: `Bearer ${secrets.loaderKey}`, ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
    return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as Record<string, unknown> };
  };
  const expect = (r: Reply, ok: number[], what: string): Reply => {
    if (!ok.includes(r.status)) throw new Error(`demo city: ${what} answered ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r;
  };

  const units = { created: 0, existing: 0 };
  for (const [kind, list] of [['COUNTY', DEMO_COUNTIES], ['DEPARTMENT', DEMO_DEPARTMENTS]] as const) {
    for (const u of list) {
      const r = expect(await call('POST', '/v1/units', { kind, code: u.code, name: u.name, email: `${u.code}@demo-city.hazard-campaign.local` }), [201, 409], `unit ${u.code}`);
      units[r.status === 201 ? 'created' : 'existing']++;
    }
  }

  const roster = demoEnterprises(opts.enterprises ?? 300);
  const imported = expect(await call('POST', '/v1/enterprises/bulk', { enterprises: roster }), [200], 'the roster import').body as {
    created: number;
    unchanged: number;
    updated: number;
    rows: { index: number; id?: string; status: string }[];
  };
  const firstEnterprise = imported.rows.find((r) => r.index === 0)?.id;
  if (!firstEnterprise) throw new Error('demo city: the roster import did not return the first enterprise');

  const scopes: Record<DemoRole, string | undefined> = { office: undefined, county: DEMO_COUNTIES[0].code, department: DEMO_DEPARTMENTS[0].code, reviewer: undefined, enterprise: firstEnterprise };
  const names: Record<DemoRole, string> = { office: '安委办 王主任（演示）', county: '平城区 李科长（演示）', department: '市应急局 张科长（演示）', reviewer: '追责审查 赵处长（演示）', enterprise: '企业安全员 刘工（演示）' };
  const accounts: DemoLoad['accounts'] = [];
  for (const role of DEMO_ROLES) {
    const r = expect(
      await call('POST', '/v1/users', { name: names[role], email: demoEmail(role), role, ...(scopes[role] ? { scope: scopes[role] } : {}), password: secrets.passwords[role] }),
      [201, 409],
      `the ${role} account`,
    );
    accounts.push({ role, email: demoEmail(role), created: r.status === 201 });
  }

  const existing = expect(await call('GET', `/v1/campaigns?templateKey=${DEMO_TEMPLATE_KEY}&limit=1`), [200], 'the campaign list').body.items as { id: string }[];
  let campaign = { id: existing[0]?.id ?? '', launched: false };
  let hazards = 0;
  if (!existing[0]) {
    const template = demoCityTemplate(opts.startMs ?? Date.now() + 30_000, opts.factor ?? 6);
    expect(await call('POST', '/v1/campaign-templates', template), [200, 201], 'the demo template');
    const launched = expect(
      await call('POST', '/v1/campaigns', { templateKey: template.key, templateVersion: template.version, counties: DEMO_COUNTIES.map((c) => c.code), departments: DEMO_DEPARTMENTS.map((d) => d.code), spotCheckSeed: 'demo-city' }),
      [201],
      'the campaign launch',
    );
    campaign = { id: launched.body.id as string, launched: true };
    hazards = await reportHazards(call, expect, campaign.id, imported.rows, roster.length, opts.hazards ?? 24);
  }
  return { units, enterprises: { created: imported.created, unchanged: imported.unchanged, updated: imported.updated }, accounts, campaign, hazards };
}

const FINDINGS = [
  { description: '储罐区可燃气体报警器失效', location: '储罐区', measures: '更换报警探头并联调' },
  { description: '井下局部通风机未实现双电源', location: '井下采区', measures: '加装备用电源与自动切换装置' },
  { description: '脚手架连墙件缺失', location: '3号楼外架', measures: '按方案补设连墙件' },
  { description: '疏散通道堆放杂物、安全出口锁闭', location: '一层商场', measures: '清理通道，改用推闩式门锁' },
  { description: '客车驾驶员超时驾驶', location: '客运站调度室', measures: '接入动态监控，落实休息制度' },
  { description: '铸造车间熔炼炉冷却水无断水报警', location: '熔炼车间', measures: '增设断水报警和联锁' },
];

/**
 * A few hazards on the first enterprises, in the campaign: general ones due in a couple of minutes
 * (reminded, then overdue), and major ones that escalate as their deadline passes (a case opens).
 */
async function reportHazards(
  call: (method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>,
  expect: (r: Reply, ok: number[], what: string) => Reply,
  campaignId: string,
  rows: { index: number; id?: string }[],
  rosterSize: number,
  count: number,
): Promise<number> {
  const ids = rows.filter((r) => r.id).sort((a, b) => a.index - b.index).map((r) => r.id!);
  const now = Date.now();
  for (let i = 0; i < Math.min(count, rosterSize); i++) {
    const f = FINDINGS[i % FINDINGS.length]!;
    const major = i % 4 === 0;
    const deadline = new Date(now + (major ? 150_000 : 120_000) + i * 5_000).toISOString();
    expect(
      await call(
        'POST',
        '/v1/hazards',
        {
          enterpriseId: ids[(i * 7) % ids.length],
          campaignId,
          grade: major ? 'MAJOR' : 'GENERAL',
          source: i % 3 === 0 ? 'SPOT_CHECK' : 'SELF_INSPECTION',
          ...f,
          responsible: { name: '安全主管（演示）', email: `responsible-${i}@demo-city.hazard-campaign.local` },
          fundsAmount: 5000 + i * 1000,
          deadline,
          interimControls: '设置警示标志，专人盯守',
        },
        // A retried request (the same key, the same body) reports the hazard once.
        { 'idempotency-key': `demo-city:${campaignId}:hazard:${i}` },
      ),
      [200, 201],
      `hazard ${i}`,
    );
  }
  return Math.min(count, rosterSize);
}
