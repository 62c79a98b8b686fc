// The office console in real Chromium (Debian's, driven by playwright-core) against the production
// composition (startApi + runWorker on the run's dev server, real Postgres, an SMTP sink), people
// signed in with their own accounts. One browser for the file; each person in their own context.
// The browser's own zone is Europe/London on purpose: every date must still read in Asia/Shanghai.
// Each page visited is kept as a screenshot in tests/browser/artifacts/ (gitignored).
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keep, launchBrowser, newPerson, PHONE } from '../support/browser';
import { ROSTER_COLUMNS } from '../../domain/roster-sheet';
import { buildConsoleCity, type ConsoleCity } from '../support/console-city';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { creditCode, uniq } from '../support/fixtures';

let stack: E2eStack;
let browser: Browser;
let city: ConsoleCity;
const PASSWORD = 'Correct-Horse-9-Battery';

interface Person {
  name: string;
  email: string;
}
const people: Record<'office' | 'reviewer' | 'county' | 'enterprise' | 'locked', Person> = {
  office: { name: '张安委', email: `${uniq('office')}@console.test` },
  reviewer: { name: '李审查', email: `${uniq('reviewer')}@console.test` },
  county: { name: '王县区', email: `${uniq('county')}@console.test` },
  enterprise: { name: '赵企业', email: `${uniq('enterprise')}@console.test` },
  locked: { name: '钱锁定', email: `${uniq('locked')}@console.test` },
};

beforeAll(async () => {
  [stack, browser] = await Promise.all([startE2eStack(), launchBrowser()]);
  city = await buildConsoleCity(stack);
  const scopes = { office: ['office', undefined], reviewer: ['reviewer', undefined], county: ['county', city.counties[0]], enterprise: ['enterprise', city.enterprises.b], locked: ['office', undefined] } as const;
  for (const [who, [role, scope]] of Object.entries(scopes)) {
    const p = people[who as keyof typeof people];
    const res = await stack.call('POST', '/v1/users', stack.adminKey, { name: p.name, email: p.email, role, ...(scope ? { scope } : {}), password: PASSWORD });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function signIn(page: Page, person: Person, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await page.fill('input[name=email]', person.email);
  await page.fill('input[name=password]', password);
  await page.click('[data-testid=sign-in]');
}

async function as(who: keyof typeof people, viewport?: typeof PHONE) {
  const { context, page } = await newPerson(browser, stack.base, viewport);
  await signIn(page, people[who]);
  await page.waitForSelector('[data-testid=who]');
  return { context, page };
}

const shanghai = (iso: string) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
};
const text = async (page: Page, testid: string) => (await page.textContent(`[data-testid=${testid}] .stat-value`))?.trim();

describe('the office console in Chromium', () => {
  it('is served at / and on its pages, while /v1, /docs, /health and unknown paths keep their own answers', async () => {
    const type = async (path: string) => {
      const res = await fetch(`${stack.base}${path}`);
      return `${res.status} ${res.headers.get('content-type')?.split(';')[0]}`;
    };
    for (const path of ['/', '/hazards', `/hazards/${city.overdueHazard}`, `/cases/${city.caseId}`, '/reset-password?token=x']) expect(await type(path), path).toBe('200 text/html');
    expect(await type('/v1/hazards')).toBe('401 application/problem+json');
    expect(await type('/v1/no-such-route')).not.toContain('text/html');
    expect(await type('/docs/json')).toBe('200 application/json');
    expect(await type('/health')).toMatch(/^\d{3} application\/json$/);
    expect(await type('/no-such-page')).not.toContain('text/html');
    const index = await (await fetch(`${stack.base}/`)).text();
    const asset = /\/assets\/[^"]+\.js/.exec(index)?.[0];
    expect(asset).toBeDefined();
    expect(await type(asset!)).toMatch(/^200 (text|application)\/javascript$/);
  });

  it('refuses a wrong password, and locks the account after repeated failures (the right password too, then)', async () => {
    const { context, page } = await newPerson(browser, stack.base);
    await signIn(page, people.locked, 'not-the-password');
    await expect.poll(() => page.textContent('[data-testid=sign-in-error]')).toContain('邮箱或密码不正确');
    await keep(page, '01-sign-in-refused');
    for (let i = 0; i < 4; i++) {
      await page.fill('input[name=password]', `wrong-${i}`);
      await page.click('[data-testid=sign-in]');
    }
    // Locked now: even the right password is refused, and the page says so.
    await page.fill('input[name=password]', PASSWORD);
    await page.click('[data-testid=sign-in]');
    await expect.poll(() => page.textContent('[data-testid=sign-in-error]')).toContain('锁定');
    expect(await page.$('[data-testid=who]')).toBeNull();
    await keep(page, '02-sign-in-locked');
    await context.close();
  });

  it('shows the office the campaign overview with the API’s figures, dates in the campaign’s zone', async () => {
    const { context, page } = await as('office');
    await page.waitForSelector('[data-testid=stat-hazards-total]');
    const status = (await stack.call<{ timeZone: string; currentPhases: string[]; phases: Record<string, { closesAt: string }>; hazards: { total: number; open: number; overdue: number; byCounty: Record<string, { total: number; open: number; overdue: number }> }; duties: { total: number; submitted: number; submittedLate: number; missed: number } }>('GET', `/v1/campaigns/${city.campaignId}`, stack.adminKey)).body;
    expect(await text(page, 'stat-hazards-total')).toBe(String(status.hazards.total));
    expect(await text(page, 'stat-hazards-open')).toBe(String(status.hazards.open));
    expect(await text(page, 'stat-hazards-overdue')).toBe(String(status.hazards.overdue));
    expect(status.hazards.overdue).toBeGreaterThan(0);
    expect(await text(page, 'stat-duties-filed')).toBe(`${status.duties.submitted} / ${status.duties.total}`);
    expect(status.duties.submitted).toBe(1);
    expect(await text(page, 'stat-duties-late')).toBe(String(status.duties.submittedLate));
    expect(await text(page, 'stat-duties-missed')).toBe(String(status.duties.missed));
    expect(await text(page, 'stat-phase')).toContain('动员部署');
    // The hazards of county 0, row by row.
    const row = page.locator(`[data-testid=by-county] tr[data-key="${city.counties[0]}"] td`);
    const c0 = status.hazards.byCounty[city.counties[0]]!;
    expect(await row.allTextContents()).toEqual(['平城区', String(c0.total), String(c0.open), String(c0.overdue)]);
    // The phase closes at a Shanghai wall time, said with its zone, though the browser sits in London.
    expect(await page.textContent('[data-testid=zone]')).toContain('Asia/Shanghai (UTC+08:00)');
    expect(await page.textContent('[data-testid=overview]')).toContain(shanghai(status.phases.MOBILIZATION!.closesAt));
    // The case against the department waits for a decision, listed on the overview.
    expect(await page.textContent('[data-testid=open-cases]')).toContain('市应急管理局');
    // The four-colour map: each county × industry cell in the API's level; a cell opens its enterprises.
    const map = (await stack.call<{ cells: { countyCode: string; industry: string; level: string; total: number }[] }>('GET', `/v1/campaigns/${city.campaignId}/risk-map`, stack.adminKey)).body;
    const shown = await page.$$eval('[data-testid=risk-map] td[data-cell]', (tds) => tds.map((td) => `${td.getAttribute('data-cell')}=${td.getAttribute('data-level')}:${td.textContent}`));
    expect(shown.sort()).toEqual(map.cells.map((c) => `${c.countyCode}|${c.industry}=${c.level}:${c.total}`).sort());
    // Enterprises with coordinates are drawn over the city.
    expect(await page.$('[data-testid=risk-points] canvas')).not.toBeNull();
    await page.click(`[data-testid=risk-map] td[data-cell="${city.counties[0]}|HAZARDOUS_CHEMICALS"]`);
    await expect.poll(() => page.textContent('[data-testid=risk-enterprises]')).toContain('大同市平城化工有限公司');
    await keep(page, '03-overview');
    await page.setViewportSize(PHONE);
    await keep(page, '04-overview-phone');
    await context.close();
  });

  it('takes the office from the mailed link to the overdue hazard, its live state and its record', async () => {
    const mail = await stack.sink.waitFor((m) => m.headers.get('x-hazard-id') === city.overdueHazard && m.headers.get('x-notification-kind') === 'OVERDUE', 30_000);
    const link = /https?:\/\/\S+\/hazards\/[0-9a-f-]{36}/.exec(mail.text ?? '')?.[0];
    expect(link, mail.text).toBeDefined();
    expect(new URL(link!).pathname).toBe(`/hazards/${city.overdueHazard}`);

    const { context, page } = await as('office');
    await page.click('[data-testid=nav-hazards]');
    await page.selectOption('[data-testid=filter-overdue]', 'true');
    // The list narrows to the one overdue hazard of the city (the other is due in 30 days).
    await expect.poll(() => page.$$eval('[data-testid=hazard-table] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-hazard')))).toEqual([city.overdueHazard]);
    expect(page.url()).toContain('overdue=true');
    await keep(page, '05-hazards-overdue');

    // A person clicking the link in the mail (a reload of that path) lands on the hazard.
    await page.goto(new URL(link!).pathname);
    await page.waitForSelector('[data-testid=hazard-record] [data-testid=record-table] tr[data-type=OVERDUE]');
    const detail = (await stack.call<{ hazard: { deadline: string } }>('GET', `/v1/hazards/${city.overdueHazard}`, stack.adminKey)).body;
    expect(await page.textContent('[data-testid=hazard-deadline]')).toContain(shanghai(detail.hazard.deadline));
    const types = await page.$$eval('[data-testid=hazard-record] tr[data-type]', (trs) => trs.map((tr) => tr.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['REGISTERED', 'OVERDUE', 'ESCALATED']));
    expect(await page.textContent('[data-testid=hazard-live]')).toContain('是');
    // The office may withdraw it; it is offered, and nothing the office may not do is.
    expect(await page.$('[data-testid=command-withdrawal]')).not.toBeNull();
    expect(await page.$('[data-testid=command-rectification]')).toBeNull();
    await keep(page, '06-hazard-detail');
    // …and on to its enterprise, whose record carries the hazard's events.
    await page.click('[data-testid=hazard-facts] a[href^="/enterprises/"]');
    await page.waitForSelector('[data-testid=enterprise] tr[data-type=OVERDUE]');
    expect(await page.textContent('[data-testid=enterprise] h1')).toBe('大同市平城化工有限公司');
    await keep(page, '06b-enterprise');
    await context.close();
  });

  it('lets a reviewer decide the case from the page, on record under the reviewer’s own name', async () => {
    const { context, page } = await as('reviewer');
    await page.waitForURL(/\/cases$/);
    await page.waitForSelector(`[data-testid=case-table] tr[data-case="${city.caseId}"]`);
    await keep(page, '07-cases');
    await page.click(`tr[data-case="${city.caseId}"] a`);
    await page.waitForSelector('[data-testid=decision-form]');
    expect(await page.textContent('[data-testid=case-rung]')).toBe('通报');
    await page.selectOption('[data-testid=decision-kind]', 'ESCALATE');
    await page.selectOption('[data-testid=decision-to]', 'SUMMONS');
    await page.fill('[data-testid=decision-when]', '2099-06-01T10:00');
    await page.fill('[data-testid=decision-reason]', '隐患逾期未改，约谈部门负责人');
    await page.click('[data-testid=decision-submit]');
    await page.waitForSelector('[data-testid=decision-done]');
    await expect.poll(() => page.textContent('[data-testid=case-rung]')).toBe('约谈');
    const after = (await stack.call<{ case: { rung: string; summonsAt: string } }>('GET', `/v1/cases/${city.caseId}`, stack.adminKey)).body.case;
    expect(after.rung).toBe('SUMMONS');
    // 10:00 in Shanghai, whatever the browser's own zone.
    expect(after.summonsAt).toBe('2099-06-01T02:00:00.000Z');
    const record = (await stack.call<{ items: { stream: string; type: string; actor: { name: string } | null }[] }>('GET', `/v1/cases/${city.caseId}/record?limit=50`, stack.adminKey)).body.items;
    expect(record.find((e) => e.stream === 'case' && e.type === 'ESCALATED')?.actor?.name).toBe(people.reviewer.name);
    await keep(page, '08-case-decided');
    // The evidence bundle, exported from the page with its progress: the case's and the hazard's workflow histories.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=evidence-export]')]);
    expect(download.suggestedFilename()).toBe(`case-${city.caseId}-evidence.json`);
    const bundle = JSON.parse(await readFile((await download.path())!, 'utf8')) as { manifest: { runs: { workflowId: string }[] } };
    expect(bundle.manifest.runs.map((r) => r.workflowId)).toEqual(expect.arrayContaining([`hazard:${city.overdueHazard}`]));
    await expect.poll(() => page.textContent('[data-testid=evidence-progress]')).toContain('KB');
    await context.close();
  });

  it('shows a county user only its county, and an enterprise user only its own hazards, whose rectification it submits from the page', async () => {
    const county = await as('county');
    await county.page.click('[data-testid=nav-hazards]');
    await county.page.waitForSelector(`tr[data-hazard="${city.overdueHazard}"]`);
    const seen = await county.page.$$eval('[data-testid=hazard-table] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-hazard')));
    expect(seen).toEqual([city.overdueHazard]);
    await keep(county.page, '09-county-hazards');
    // The other county's hazard does not exist for it, even by its address.
    await county.page.goto(`/hazards/${city.calmHazard}`);
    await expect.poll(() => county.page.textContent('[data-testid=error]')).toContain('未找到');
    await county.context.close();

    const enterprise = await as('enterprise');
    await enterprise.page.waitForURL(/\/hazards$/);
    await enterprise.page.waitForSelector(`tr[data-hazard="${city.calmHazard}"]`);
    const own = await enterprise.page.$$eval('[data-testid=hazard-table] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-hazard')));
    expect(own).toEqual([city.calmHazard]);
    expect(await enterprise.page.$('[data-testid=nav-overview]')).toBeNull();
    await keep(enterprise.page, '10-enterprise-hazards');
    // Its own hazard, with the commands an enterprise may give: it submits the rectification from the page.
    await enterprise.page.click(`tr[data-hazard="${city.calmHazard}"] a`);
    await enterprise.page.click('[data-testid=command-rectification]');
    expect(await enterprise.page.$('[data-testid=command-withdrawal]')).toBeNull();
    await enterprise.page.fill('[data-testid=hazard-commands] textarea', '脚手架连墙件已按规范补齐，附验收照片');
    await enterprise.page.click('[data-testid=command-submit]');
    await expect.poll(() => enterprise.page.textContent('[data-testid=hazard-state]')).toBe('已提交');
    expect((await stack.call<{ hazard: { state: string } }>('GET', `/v1/hazards/${city.calmHazard}`, stack.adminKey)).body.hazard.state).toBe('SUBMITTED');
    await keep(enterprise.page, '10b-enterprise-rectified');
    await enterprise.page.goto(`/hazards/${city.overdueHazard}`);
    await expect.poll(() => enterprise.page.textContent('[data-testid=error]')).toContain('未找到');
    await enterprise.context.close();
  });

  it('renders every other page for the office, in English too (kept as screenshots)', async () => {
    const { context, page } = await as('office');
    for (const [n, path, testid] of [
      ['11-units', '/units', `unit-${city.counties[0]}`],
      ['12-orders', '/orders', 'orders'],
      ['13-notifications', '/notifications', 'notifications'],
      ['14-spot-check', '/spot-check', 'spot-check'],
      ['15-ranking', '/ranking', 'ranking'],
    ] as const) {
      await page.goto(path);
      await page.waitForSelector(`[data-testid="${testid}"]`);
      await page.waitForLoadState('networkidle');
      await keep(page, n);
    }
    // The roster loaded from a CSV file, with its progress and the row the API refused.
    await page.goto('/roster');
    const [c1, c2] = [creditCode(), creditCode()];
    const csv = [
      'name,creditCode,industry,countyCode,departmentCode,principalName,principalEmail',
      `云冈煤业有限公司,${c1},COAL_MINE,${city.counties[1]},${city.departments[1]},孙矿长,sun@console.test`,
      `"平城商贸, 有限公司",${c2},COMMERCE,${city.counties[0]},${city.departments[0]},周经理,`,
      `坏行,NOT-A-CODE,COMMERCE,${city.counties[0]},${city.departments[0]},吴,`,
    ].join('\n');
    await page.setInputFiles('[data-testid=roster-file]', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('[data-testid=roster-import]');
    await expect.poll(() => page.textContent('[data-testid=roster-progress-text]')).toBe('roster.csv: 3 / 3');
    expect(await page.textContent('[data-testid=roster-totals]')).toContain('新增 2');
    expect(await page.$$eval('[data-testid=roster-failures] tbody tr td:first-child', (tds) => tds.map((td) => td.textContent))).toEqual(['3']);
    const listed = (await stack.call<{ items: { name: string; creditCode: string }[] }>('GET', `/v1/enterprises?county=${city.counties[0]}&limit=100`, stack.adminKey)).body.items;
    expect(listed.find((e) => e.creditCode === c2)?.name).toBe('平城商贸, 有限公司');
    await keep(page, '17-roster-import');
    // The county's filed plan shows on its card.
    expect(await page.goto('/units').then(() => page.waitForSelector(`[data-testid="unit-${city.counties[0]}"]`)).then((el) => el.textContent())).toContain('已报送');
    await page.click('[data-testid=language]');
    await page.goto('/');
    await page.waitForSelector('[data-testid=stat-hazards-total]');
    expect(await page.textContent('[data-testid=stat-phase]')).toContain('Mobilization');
    await keep(page, '16-overview-english');
    await context.close();
  });

  it('loads the roster from an .xlsx with Chinese headers: the good rows are on the roster, each refused row shown by row, column and reason', async () => {
    const { context, page } = await as('office');
    await page.goto('/roster');
    // The template the office fills in downloads from the page with the person's session.
    const template = await page.request.get((await page.getAttribute('[data-testid=roster-template]', 'href'))!);
    expect(`${template.status()} ${template.headers()['content-type']}`).toBe('200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const [county, department] = [city.counties[1], city.departments[1]];
    const [good1, good2] = [creditCode(), creditCode()];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('企业名录');
    ws.addRow(ROSTER_COLUMNS.map((c) => c.zh));
    for (const r of [
      ['云冈能源有限公司', good1, '煤矿', county, department, '', '孙矿长', 'sun2@console.test'],
      ['云冈危化储运有限公司', good2, 'HAZARDOUS_CHEMICALS', county, department, '市级', '周经理', ''],
      ['缺代码有限公司', '', 'COMMERCE', county, department, '', '吴', ''],
      ['未知行业有限公司', creditCode(), '造船', county, department, '', '郑', ''],
      ['重复代码有限公司', good1, '煤矿', county, department, '', '冯', ''],
    ])
      ws.addRow(r);
    await page.setInputFiles('[data-testid=roster-file]', { name: '名册.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await page.click('[data-testid=roster-import]');
    await expect.poll(() => page.textContent('[data-testid=roster-totals]')).toContain('新增 2');
    expect(await page.textContent('[data-testid=roster-progress-text]')).toBe('名册.xlsx: 5 / 5');
    const refused = await page.$$eval('[data-testid=roster-failures] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(refused.map(([row, column, header]) => `${row} ${column} ${header}`)).toEqual(['4 B 统一社会信用代码', '5 C 行业', '6 B 统一社会信用代码']);
    expect(refused[0]![4]).toMatch(/required/);
    expect(refused[1]![4]).toMatch(/^must be one of COAL_MINE, /);
    expect(refused[2]![4]).toBe('duplicate credit code in this file (row 2)');
    const listed = (await stack.call<{ items: { name: string; creditCode: string; industry: string }[] }>('GET', `/v1/enterprises?county=${county}&limit=100`, stack.adminKey)).body.items;
    expect(listed.filter((e) => [good1, good2].includes(e.creditCode)).map((e) => `${e.name} ${e.industry}`).sort()).toEqual(['云冈危化储运有限公司 HAZARDOUS_CHEMICALS', '云冈能源有限公司 COAL_MINE']);
    await keep(page, '18-roster-xlsx');
    await page.setViewportSize(PHONE);
    await keep(page, '18b-roster-xlsx-phone');
    await context.close();
  });
});
