// A small city for the console's browser tests, built through the public API as the office would:
// two counties and two departments, an enterprise in each county, a campaign whose current phase
// lasts an hour (so its figures hold still while pages are compared with the API), a hazard that
// falls overdue and escalates into a case against its department within seconds, and one that does not.
import { expect } from 'vitest';
import { demoTemplate } from '../../domain/campaign';
import type { E2eStack } from './e2e-stack';
import { until } from './eventually';
import { creditCode, reportBody, uniq } from './fixtures';

export interface ConsoleCity {
  campaignId: string;
  counties: [string, string];
  departments: [string, string];
  /** Enterprise A in county 0 / department 0, B in county 1 / department 1. */
  enterprises: { a: string; b: string };
  /** A's general hazard: overdue, escalated, a case opened against department 0. */
  overdueHazard: string;
  /** B's hazard, due in 30 days. */
  calmHazard: string;
  caseId: string;
  /** The implementation plan duty key (filed by county 0). */
  planDutyKey: string;
}

const SHANGHAI = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const local = (ms: number) => SHANGHAI.format(new Date(Math.ceil(ms / 1000) * 1000)).replace(' ', 'T');

export async function buildConsoleCity(stack: E2eStack): Promise<ConsoleCity> {
  const key = stack.adminKey;
  const ok = async <T>(res: Promise<{ status: number; body: T }>, status = 201): Promise<T> => {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const counties: [string, string] = [uniq('pingcheng'), uniq('yungang')];
  const departments: [string, string] = [uniq('emergency'), uniq('housing')];
  const names = ['平城区', '云冈区', '市应急管理局', '市住房和城乡建设局'];
  for (const [i, code] of [...counties, ...departments].entries()) {
    await ok(stack.call('POST', '/v1/units', key, { kind: i < 2 ? 'COUNTY' : 'DEPARTMENT', code, name: names[i], email: `${code}@console.test` }));
  }
  // Each with its point in Datong (the risk map's scatter).
  const location = [
    { latitude: 40.076, longitude: 113.3 },
    { latitude: 40.11, longitude: 113.13 },
  ];
  const enterprise = (name: string, industry: string, i: 0 | 1) =>
    ok(stack.call<{ id: string }>('POST', '/v1/enterprises', key, { name, creditCode: creditCode(), industry, countyCode: counties[i], departmentCode: departments[i], location: location[i], principal: { name: '王总', email: `boss-${counties[i]}@console.test` } }));
  const a = (await enterprise('大同市平城化工有限公司', 'HAZARDOUS_CHEMICALS', 0)).id;
  const b = (await enterprise('云冈建筑工程有限公司', 'CONSTRUCTION', 1)).id;

  // The demo template's shape with an hour per phase: mobilization now, the rest later.
  const now = Date.now();
  const at = (seconds: number) => local(now + 2_000 + seconds * 1000);
  const demo = demoTemplate(now + 2_000);
  const template = {
    ...demo,
    key: uniq('console'),
    name: '演示：控制台专项行动',
    phases: demo.phases.map((p) => {
      const window: Record<string, [number, number]> = { MOBILIZATION: [0, 3600], SELF_INSPECTION: [3600, 7200], SPOT_CHECK: [3600, 7200], SUMMARY: [7200, 10800], SUPERVISION: [0, 10800] };
      const [s, e] = window[p.key]!;
      return { ...p, start: at(s), end: at(e) };
    }),
    reporting: { ...demo.reporting, implementationPlan: { due: at(3600), phase: 'MOBILIZATION' as const }, progressReport: { rule: 'EVERY' as const, every: 'PT30M', from: 'SELF_INSPECTION' as const, to: 'SPOT_CHECK' as const }, summary: { due: at(10800) } },
    // A case's review lasts an hour: it waits for the reviewer's decision while the test runs.
    caseLadder: { allowSkip: false, rungs: { CIRCULAR: { reviewTime: 'PT1H', reminderOffsets: [] }, SUMMONS: { reviewTime: 'PT1H', reminderOffsets: [] } } },
  };
  await ok(stack.call('POST', '/v1/campaign-templates', key, template));
  const campaignId = (await ok(stack.call<{ id: string }>('POST', '/v1/campaigns', key, { templateKey: template.key, templateVersion: 1, counties, departments }))).id;
  await until(async () => (await stack.call<{ currentPhases: string[] }>('GET', `/v1/campaigns/${campaignId}`, key)).body.currentPhases, (p) => p?.includes('MOBILIZATION'), 'mobilization to open', 30_000);

  const overdueHazard = (
    await ok(
      stack.call<{ id: string }>('POST', '/v1/hazards', key, {
        ...reportBody({ enterpriseId: a, description: '储罐区可燃气体报警仪失效', deadline: new Date(Date.now() + 3_000).toISOString(), policy: { reminderOffsets: [], escalationAfter: 'PT1S' } }),
      }),
    )
  ).id;
  const calmHazard = (await ok(stack.call<{ id: string }>('POST', '/v1/hazards', key, { ...reportBody({ enterpriseId: b, description: '脚手架连墙件缺失', deadline: new Date(Date.now() + 30 * 86_400_000).toISOString() }) }))).id;

  // County 0 files its implementation plan on time: one duty filed on the overview.
  const status = (await stack.call<{ duties: { units: Record<string, { dutyKey: string; kind: string }[]> } }>('GET', `/v1/campaigns/${campaignId}`, key)).body;
  const planDutyKey = status.duties.units[counties[0]]!.find((d) => d.kind === 'IMPLEMENTATION_PLAN')!.dutyKey;
  await ok(stack.call('POST', `/v1/campaigns/${campaignId}/duties/${counties[0]}/${planDutyKey}`, key, { text: '平城区重大事故隐患专项排查整治实施方案' }), 200);

  // Overdue, escalated, and the case against the supervising department opened.
  await until(async () => (await stack.call<{ hazard: { escalated: boolean } }>('GET', `/v1/hazards/${overdueHazard}`, key)).body.hazard.escalated, (e) => e === true, 'the hazard to escalate', 60_000);
  const cases = await until(async () => (await stack.call<{ items: { id: string }[] }>('GET', `/v1/cases?subjectRef=${departments[0]}&status=OPEN`, key)).body.items, (items) => items.length === 1, 'the case to open', 30_000);
  const caseId = cases[0]!.id;
  return { campaignId, counties, departments, enterprises: { a, b }, overdueHazard, calmHazard, caseId, planDutyKey };
}
