// Who may call which route over which objects: the table the access-matrix test is generated from.
// Every route of the app (but /health and /docs) must have an entry; a new route without one fails
// the test. Per role:
//   allow   the role may call it and has no scope to leave (admin, office; lists that filter by scope)
//   deny    the role may not call it: 403, whatever the object
//   scoped  the role may call it on objects in its scope; outside it the object does not exist: 404
// Keys: admin, office, department (enterprise A's department), county (A's county), enterprise (A),
// reviewer (A's county; the harness also has a city-wide reviewer, whose reads are tested in cases.api.test.ts).
// "In scope" means enterprise A, its hazard, the campaign its county and department take part in;
// "out of scope" means enterprise B (another county and department), its hazard, B's campaign.
import { randomBytes } from 'node:crypto';
import type { CampaignTemplate } from '../../domain/campaign';
import { demoTemplate } from '../../domain/campaign';
import type { Role } from '../../domain/hazard';
import type { Enterprise } from './api-harness';
import { creditCode, reportBody, uniq } from './fixtures';

export type Access = 'allow' | 'deny' | 'scoped';
export type Target = 'in' | 'out';

export interface MatrixContext {
  entA: Enterprise;
  entB: Enterprise;
  /** A major hazard of enterprise A / B (commands are checked on a major hazard). */
  hazardA: string;
  hazardB: string;
  /** A rectification order against enterprise A / B. */
  orderA: string;
  orderB: string;
  /** A campaign with A's county and department taking part / with B's. Both have a draw and a summary. */
  campaignA: string;
  campaignB: string;
  /** An accountability case about enterprise A / B (subject ENTERPRISE, opened by hand). */
  caseA: string;
  caseB: string;
  /** A fresh webhook endpoint created by the role's key (in) or by enterprise B's (out), and a delivery on its log. */
  webhookEndpoint(role: Role, target: Target): Promise<{ id: string; deliveryId: string }>;
  /** A stored template to launch from. */
  template: { key: string; version: number };
  /** A fresh active county key's id, for revocation probes. */
  freshKeyId(): Promise<string>;
  /** A person's account of each role (in A's scope), with MATRIX_PASSWORD. */
  users: Record<Role, { id: string; email: string }>;
  /** A fresh county account's id (disabled when asked), for the account probes. */
  freshUserId(opts?: { active?: boolean }): Promise<string>;
  /** The session cookie of a fresh sign-in of the role's account. */
  signIn(role: Role): Promise<{ cookie: string; csrf: string }>;
  /** An unused password reset token of a fresh account, as a mailed link would carry it. */
  resetToken(): Promise<string>;
}

/** The password of the matrix's accounts. */
export const MATRIX_PASSWORD = 'matrix passphrase 2026';

export interface Probe {
  url: string;
  body?: unknown;
  /** Sent beside the role's API key (a session cookie for the sign-in routes). */
  headers?: Record<string, string>;
}

export interface RouteEntry {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  url: string;
  access: Record<Role, Access>;
  /** The request for a role: in its scope, or (for scoped roles) outside it. */
  probe(ctx: MatrixContext, target: Target, role: Role): Probe | Promise<Probe>;
  /** Why an allowed probe may answer a 4xx other than 403/404 (the gate let it through). */
  note?: string;
}

const everyone: Record<Role, Access> = { admin: 'allow', office: 'allow', department: 'allow', county: 'allow', enterprise: 'allow', reviewer: 'allow' };
const officeOnly: Record<Role, Access> = { admin: 'allow', office: 'allow', department: 'deny', county: 'deny', enterprise: 'deny', reviewer: 'deny' };
/** Campaigns: the regulators taking part; a reviewer decides cases, it does not run campaigns. */
const regulatorsScoped: Record<Role, Access> = { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'deny' };
/** Deciding a case and exporting its evidence: admin, office, and a reviewer in its scope; not the parties (county, department, enterprise). */
const casesDeciders: Record<Role, Access> = { admin: 'allow', office: 'allow', department: 'deny', county: 'deny', enterprise: 'deny', reviewer: 'scoped' };
/** Reads of a hazard, an enterprise, a case and their records: every role in its scope. */
/** Circulars: the office and admin; reviewers and the units taking part in their scope (units: the published ones). */
const circularReaders: Record<Role, Access> = { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'scoped' };
/** The month the access matrix's set-up publishes a circular for in campaigns A and B. */
export const PUBLISHED_CIRCULAR_MONTH = '2000-01';
const allScoped: Record<Role, Access> = { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'scoped', reviewer: 'scoped' };

const hazardOf = (ctx: MatrixContext, t: Target) => (t === 'in' ? ctx.hazardA : ctx.hazardB);
const entOf = (ctx: MatrixContext, t: Target) => (t === 'in' ? ctx.entA : ctx.entB);
const campaignOf = (ctx: MatrixContext, t: Target) => (t === 'in' ? ctx.campaignA : ctx.campaignB);
const orderOf = (ctx: MatrixContext, t: Target) => (t === 'in' ? ctx.orderA : ctx.orderB);
const caseOf = (ctx: MatrixContext, t: Target) => (t === 'in' ? ctx.caseA : ctx.caseB);

export function futureTemplate(): CampaignTemplate {
  // Phases open 10 minutes from now: nothing fires while the test runs.
  return { ...demoTemplate(Date.now() + 10 * 60_000), key: uniq('matrix') };
}

function enterpriseBody(ctx: MatrixContext) {
  return { name: `${uniq('ent')} 有限公司`, creditCode: creditCode(), industry: 'HAZARDOUS_CHEMICALS', countyCode: ctx.entA.countyCode, departmentCode: ctx.entA.departmentCode, principal: { name: '王总' } };
}

/** A hazard command on enterprise A's / B's major hazard; roles as the transition table has them for a major hazard. */
function command(path: string, body: unknown, roles: Role[], resource: 'hazards' | 'orders' = 'hazards'): RouteEntry {
  const access = Object.fromEntries(
    (['admin', 'office', 'department', 'county', 'enterprise', 'reviewer'] as Role[]).map((r) => [r, !roles.includes(r) ? 'deny' : r === 'admin' || r === 'office' ? 'allow' : 'scoped']),
  ) as Record<Role, Access>;
  const of = resource === 'hazards' ? hazardOf : orderOf;
  return {
    method: 'POST',
    url: `/v1/${resource}/:id/${path}`,
    access,
    probe: (ctx, t) => ({ url: `/v1/${resource}/${of(ctx, t)}/${path}`, body }),
    note: `an allowed caller may meet 409 (the ${resource === 'hazards' ? 'hazard' : 'order'} is not in the state or of the kind the command needs)`,
  };
}

/** Regulators acting on enforcement orders: a department or county in its scope, the office, admin. */
const REGULATORS: Role[] = ['department', 'county', 'office', 'admin'];

/** An order a probe records: joint discipline without mailboxes, so its workflow ends at once. */
export const disciplineOrder = () => ({ kind: 'JOINT_DISCIPLINE', legalBasis: '《安全生产法》第九十九条', reason: '拒不执行整改指令', notifiedBodies: [{ name: '市信用办' }] });
/** A rectification order far in the future: the matrix's orders A and B. */
export const rectificationOrder = () => ({ kind: 'RECTIFICATION', legalBasis: '《安全生产法》第六十五条', reason: '重大事故隐患未整改', deadline: '2099-12-31' });

export const ACCESS_TABLE: RouteEntry[] = [
  // ---- hazards
  {
    method: 'POST',
    url: '/v1/hazards',
    // A reviewer reads hazards; it does not report them.
    access: { ...allScoped, reviewer: 'deny' },
    probe: (ctx, t, role) => ({ url: '/v1/hazards', body: role === 'enterprise' && t === 'in' ? reportBody() : reportBody({ enterpriseId: entOf(ctx, t).id }) }),
  },
  { method: 'GET', url: '/v1/hazards', access: everyone, probe: () => ({ url: '/v1/hazards?limit=5' }) },
  { method: 'GET', url: '/v1/hazards/:id', access: allScoped, probe: (ctx, t) => ({ url: `/v1/hazards/${hazardOf(ctx, t)}` }) },
  { method: 'PUT', url: '/v1/hazards/:id/work-item', access: regulatorsScoped, probe: (ctx, t) => ({ url: `/v1/hazards/${hazardOf(ctx, t)}/work-item`, body: { workItem: null } }) },
  command('list-for-supervision', { note: '挂牌督办' }, ['department', 'office', 'admin']),
  command('rectification', { evidence: '已更换线路' }, ['enterprise', 'admin']),
  command('verification', { decision: 'ACCEPT' }, ['department', 'office', 'admin']),
  command('close', {}, ['department', 'office', 'admin']),
  command('extension-request', { requestedDeadline: '2099-12-31', reason: '设备到货延迟' }, ['enterprise', 'admin']),
  command('extension-decision', { decision: 'REFUSE', reason: '理由不充分' }, ['department', 'office', 'admin']),
  command('withdrawal', { reason: '误报' }, ['office', 'admin']),

  // ---- reference data
  { method: 'POST', url: '/v1/units', access: officeOnly, probe: () => ({ url: '/v1/units', body: { kind: 'COUNTY', code: uniq('c'), name: '新区' } }) },
  { method: 'GET', url: '/v1/units', access: everyone, probe: () => ({ url: '/v1/units' }) },
  { method: 'POST', url: '/v1/enterprises', access: officeOnly, probe: (ctx) => ({ url: '/v1/enterprises', body: enterpriseBody(ctx) }) },
  { method: 'POST', url: '/v1/enterprises/bulk', access: officeOnly, probe: (ctx) => ({ url: '/v1/enterprises/bulk', body: { enterprises: [enterpriseBody(ctx)] } }) },
  { method: 'GET', url: '/v1/enterprises', access: everyone, probe: () => ({ url: '/v1/enterprises?limit=5' }) },
  { method: 'GET', url: '/v1/enterprises/:id', access: allScoped, probe: (ctx, t) => ({ url: `/v1/enterprises/${entOf(ctx, t).id}` }) },
  {
    method: 'POST',
    url: '/v1/enterprises/:id/deactivation',
    // The roster is the office's: a department could otherwise take its own enterprises out of its inspections.
    access: officeOnly,
    probe: (ctx, t) => ({ url: `/v1/enterprises/${entOf(ctx, t).id}/deactivation`, body: { kind: 'CLOSED', reason: 'matrix probe', deactivatedOn: '2999-01-01' } }),
    note: 'the probe is dated in the future, refused after the gate (422), so enterprise A stays active',
  },
  {
    method: 'POST',
    url: '/v1/enterprises/:id/reactivation',
    access: officeOnly,
    probe: (ctx, t) => ({ url: `/v1/enterprises/${entOf(ctx, t).id}/reactivation`, body: { reason: 'matrix probe' } }),
    note: 'enterprise A is active: 409 after the gate',
  },
  { method: 'POST', url: '/v1/api-keys', access: officeOnly, probe: (ctx) => ({ url: '/v1/api-keys', body: { name: uniq('k'), role: 'county', scope: ctx.entA.countyCode } }) },
  { method: 'GET', url: '/v1/api-keys', access: officeOnly, probe: () => ({ url: '/v1/api-keys' }) },
  { method: 'DELETE', url: '/v1/api-keys/:id', access: officeOnly, probe: async (ctx) => ({ url: `/v1/api-keys/${await ctx.freshKeyId()}` }) },
  { method: 'GET', url: '/v1/audit-log', access: officeOnly, probe: () => ({ url: '/v1/audit-log?limit=5' }) },

  // ---- people's sign-in: public routes (a key is not needed and changes nothing), and accounts
  { method: 'POST', url: '/v1/auth/login', access: everyone, probe: (ctx, _t, role) => ({ url: '/v1/auth/login', body: { email: ctx.users[role].email, password: MATRIX_PASSWORD } }) },
  { method: 'GET', url: '/v1/auth/session', access: everyone, probe: async (ctx, _t, role) => ({ url: '/v1/auth/session', headers: { cookie: (await ctx.signIn(role)).cookie } }) },
  { method: 'POST', url: '/v1/auth/logout', access: everyone, probe: () => ({ url: '/v1/auth/logout' }), note: 'with an API key: 204, no session to end' },
  { method: 'POST', url: '/v1/auth/password-reset', access: everyone, probe: () => ({ url: '/v1/auth/password-reset', body: { email: `${uniq('nobody')}@matrix.test` } }) },
  { method: 'POST', url: '/v1/auth/password-reset/confirm', access: everyone, probe: async (ctx) => ({ url: '/v1/auth/password-reset/confirm', body: { token: await ctx.resetToken(), password: 'another matrix passphrase' } }) },
  { method: 'POST', url: '/v1/users', access: officeOnly, probe: (ctx) => ({ url: '/v1/users', body: { name: '矩阵', email: `${uniq('user')}@matrix.test`, role: 'county', scope: ctx.entA.countyCode, password: MATRIX_PASSWORD } }) },
  { method: 'GET', url: '/v1/users', access: officeOnly, probe: () => ({ url: '/v1/users?limit=5' }) },
  { method: 'GET', url: '/v1/users/:id', access: officeOnly, probe: async (ctx) => ({ url: `/v1/users/${await ctx.freshUserId()}` }) },
  { method: 'POST', url: '/v1/users/:id/disable', access: officeOnly, probe: async (ctx) => ({ url: `/v1/users/${await ctx.freshUserId()}/disable` }) },
  { method: 'POST', url: '/v1/users/:id/enable', access: officeOnly, probe: async (ctx) => ({ url: `/v1/users/${await ctx.freshUserId({ active: false })}/enable` }) },
  { method: 'POST', url: '/v1/users/:id/unlock', access: officeOnly, probe: async (ctx) => ({ url: `/v1/users/${await ctx.freshUserId()}/unlock` }) },

  // ---- ledger reads
  { method: 'GET', url: '/v1/notifications', access: everyone, probe: () => ({ url: '/v1/notifications?limit=5' }) },
  { method: 'GET', url: '/v1/accountability-reviews', access: { ...everyone, enterprise: 'deny' }, probe: () => ({ url: '/v1/accountability-reviews?limit=5' }) },

  // ---- campaigns
  { method: 'POST', url: '/v1/campaign-templates', access: officeOnly, probe: () => ({ url: '/v1/campaign-templates', body: futureTemplate() }) },
  { method: 'GET', url: '/v1/campaign-templates', access: everyone, probe: () => ({ url: '/v1/campaign-templates' }) },
  { method: 'GET', url: '/v1/campaign-templates/:key/:version', access: everyone, probe: (ctx) => ({ url: `/v1/campaign-templates/${ctx.template.key}/${ctx.template.version}` }) },
  // A list filtered by scope: each key sees the campaigns its units (an enterprise: its county) take part in.
  { method: 'GET', url: '/v1/campaigns', access: everyone, probe: () => ({ url: '/v1/campaigns?limit=5' }) },
  {
    method: 'POST',
    url: '/v1/campaigns',
    access: officeOnly,
    probe: (ctx) => ({ url: '/v1/campaigns', body: { templateKey: ctx.template.key, templateVersion: ctx.template.version, counties: [], departments: [], name: `matrix ${randomBytes(3).toString('hex')}` } }),
  },
  { method: 'GET', url: '/v1/campaigns/:id', access: regulatorsScoped, probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}` }) },
  { method: 'GET', url: '/v1/campaigns/:id/duties/export.xlsx', access: regulatorsScoped, probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/duties/export.xlsx` }) },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/phases/:phase/move',
    access: officeOnly,
    probe: (ctx) => ({ url: `/v1/campaigns/${ctx.campaignB}/phases/SUPERVISION/move`, body: { closesAt: '2099-12-31', reason: 'matrix probe' } }),
  },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/duties/:unitCode/:dutyKey',
    // A county or department submits its own duties; the office any unit's.
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'deny' },
    probe: (ctx, t, role) => {
      const ent = entOf(ctx, t);
      const unit = role === 'department' ? ent.departmentCode : ent.countyCode;
      return { url: `/v1/campaigns/${campaignOf(ctx, t)}/duties/${unit}/plan`, body: { text: '实施方案' } };
    },
    note: 'a second submission of the same duty may answer 409',
  },
  {
    method: 'GET',
    url: '/v1/campaigns/:id/spot-check',
    // Who was drawn: the office, admin, and a department (its own enterprises only); a county the recorded
    // inspections in its territory (tests/api/unannounced.api.test.ts); not enterprises or reviewers.
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'deny' },
    probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/spot-check` }),
  },
  { method: 'GET', url: '/v1/campaigns/:id/spot-check/verification', access: everyone, probe: (ctx) => ({ url: `/v1/campaigns/${ctx.campaignA}/spot-check/verification` }) },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/inspections/:enterpriseId',
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'deny', enterprise: 'deny', reviewer: 'deny' },
    // Out of scope: enterprise B in the department's own campaign. The probe's FINDINGS without findings is
    // refused after the gate (422), so no inspection workflow has to exist for the test.
    probe: (ctx, t) => ({ url: `/v1/campaigns/${ctx.campaignA}/inspections/${entOf(ctx, t).id}`, body: { outcome: 'FINDINGS' } }),
    note: 'the probe body is refused after the gate (422)',
  },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/extra-inspections',
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'deny' },
    // Out of scope: enterprise B in campaign A. FINDINGS without findings is refused after the gate (422): no hazard is made.
    probe: (ctx, t) => ({ url: `/v1/campaigns/${ctx.campaignA}/extra-inspections`, body: { enterpriseId: entOf(ctx, t).id, outcome: 'FINDINGS' } }),
    note: 'the probe body is refused after the gate (422)',
  },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/self-inspections',
    access: { admin: 'allow', office: 'allow', department: 'deny', county: 'scoped', enterprise: 'scoped', reviewer: 'deny' },
    probe: (ctx, t, role) => ({
      url: `/v1/campaigns/${ctx.campaignA}/self-inspections`,
      body: role === 'enterprise' && t === 'in' ? { problemsFound: 2 } : { enterpriseId: entOf(ctx, t).id, problemsFound: 2 },
    }),
  },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/supervision-findings',
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'deny', enterprise: 'deny', reviewer: 'deny' },
    probe: (ctx, t, role) =>
      role === 'department'
        ? { url: `/v1/campaigns/${ctx.campaignA}/supervision-findings`, body: { team: '第一督导组', target: 'ENTERPRISE', enterpriseId: entOf(ctx, t).id, description: '消防通道堵塞', hazard: reportBody() } }
        : { url: `/v1/campaigns/${ctx.campaignA}/supervision-findings`, body: { team: '第一督导组', target: 'UNIT', unitCode: ctx.entA.countyCode, description: '排查流于形式' } },
  },
  { method: 'GET', url: '/v1/campaigns/:id/summary', access: regulatorsScoped, probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/summary` }) },
  {
    method: 'GET',
    url: '/v1/campaigns/:id/duties/:unitCode/:dutyKey/prefill',
    // A county or department reads its own progress report's prefill; the office any unit's.
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'deny' },
    probe: (ctx, t, role) => {
      const ent = entOf(ctx, t);
      const unit = role === 'department' ? ent.departmentCode : ent.countyCode;
      return { url: `/v1/campaigns/${campaignOf(ctx, t)}/duties/${unit}/progress:2023-12/prefill` };
    },
  },
  // The report upward: read like the ranking it holds, by the office and the units taking part.
  {
    method: 'GET',
    url: '/v1/campaigns/:id/report',
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'scoped' },
    probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/report` }),
  },
  // 打分排队 is circulated (通报): the units taking part read the whole ranking, as do reviewers of a unit taking part.
  {
    method: 'GET',
    url: '/v1/campaigns/:id/ranking',
    access: { admin: 'allow', office: 'allow', department: 'scoped', county: 'scoped', enterprise: 'deny', reviewer: 'scoped' },
    probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/ranking?kind=COUNTY` }),
  },
  // 通报: the office generates and publishes; reviewers read drafts too; the units taking part read what is published
  // (the matrix's set-up publishes PUBLISHED_CIRCULAR_MONTH in campaigns A and B).
  {
    method: 'POST',
    url: '/v1/campaigns/:id/circulars',
    access: officeOnly,
    probe: (ctx) => ({ url: `/v1/campaigns/${ctx.campaignA}/circulars`, body: { month: '2001-01' } }),
  },
  { method: 'GET', url: '/v1/campaigns/:id/circulars', access: circularReaders, probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/circulars` }) },
  {
    method: 'GET',
    url: '/v1/campaigns/:id/circulars/:month',
    access: circularReaders,
    probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/circulars/${PUBLISHED_CIRCULAR_MONTH}` }),
  },
  {
    method: 'GET',
    url: '/v1/campaigns/:id/circulars/:month/export.xlsx',
    access: circularReaders,
    probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/circulars/${PUBLISHED_CIRCULAR_MONTH}/export.xlsx` }),
  },
  {
    method: 'POST',
    url: '/v1/campaigns/:id/circulars/:month/publish',
    access: officeOnly,
    probe: (ctx) => ({ url: `/v1/campaigns/${ctx.campaignA}/circulars/${PUBLISHED_CIRCULAR_MONTH}/publish` }),
    note: 'the probed month is published already: 409',
  },

  // ---- accountability cases: every role reads the cases in its scope; the office opens them; those who decide them export their evidence
  { method: 'GET', url: '/v1/cases', access: everyone, probe: () => ({ url: '/v1/cases?limit=5' }) },
  { method: 'GET', url: '/v1/cases/:id', access: allScoped, probe: (ctx, t) => ({ url: `/v1/cases/${caseOf(ctx, t)}` }) },
  {
    method: 'POST',
    url: '/v1/cases',
    access: officeOnly,
    // Joins the open manual case of enterprise A (caseA) when it is there.
    probe: (ctx) => ({ url: '/v1/cases', body: { subject: { kind: 'ENTERPRISE', ref: ctx.entA.id }, reason: 'matrix probe' } }),
  },
  {
    method: 'POST',
    url: '/v1/cases/:id/decisions',
    access: casesDeciders,
    probe: (ctx, t) => ({ url: `/v1/cases/${caseOf(ctx, t)}/decisions`, body: { kind: 'HOLD', reason: 'matrix probe', until: '2099-12-31T00:00:00Z' } }),
  },
  { method: 'GET', url: '/v1/cases/:id/evidence', access: casesDeciders, probe: (ctx, t) => ({ url: `/v1/cases/${caseOf(ctx, t)}/evidence` }) },

  // ---- the ordered record: whoever sees the object
  { method: 'GET', url: '/v1/cases/:id/record', access: allScoped, probe: (ctx, t) => ({ url: `/v1/cases/${caseOf(ctx, t)}/record?limit=5` }) },
  { method: 'GET', url: '/v1/hazards/:id/record', access: allScoped, probe: (ctx, t) => ({ url: `/v1/hazards/${hazardOf(ctx, t)}/record?limit=5` }) },
  { method: 'GET', url: '/v1/enterprises/:id/record', access: allScoped, probe: (ctx, t) => ({ url: `/v1/enterprises/${entOf(ctx, t).id}/record?limit=5` }) },

  // ---- enforcement orders: regulators record and act, the enterprise answers, a reviewer reads
  {
    method: 'POST',
    url: '/v1/enterprises/:id/orders',
    access: regulatorsScoped,
    probe: (ctx, t) => ({ url: `/v1/enterprises/${entOf(ctx, t).id}/orders`, body: disciplineOrder() }),
  },
  { method: 'GET', url: '/v1/orders', access: everyone, probe: () => ({ url: '/v1/orders?limit=5' }) },
  { method: 'GET', url: '/v1/orders/:id', access: allScoped, probe: (ctx, t) => ({ url: `/v1/orders/${orderOf(ctx, t)}` }) },
  { method: 'GET', url: '/v1/orders/:id/record', access: allScoped, probe: (ctx, t) => ({ url: `/v1/orders/${orderOf(ctx, t)}/record?limit=5` }) },
  command('compliance-report', { report: '已完成整改' }, ['enterprise', 'admin'], 'orders'),
  command('compliance-verification', { decision: 'REJECT', reason: '整改不彻底' }, REGULATORS, 'orders'),
  command('lift-application', { note: '已满足复产条件' }, ['enterprise', 'admin'], 'orders'),
  command('inspection', { outcome: 'FAILED', findings: '通风系统未整改' }, REGULATORS, 'orders'),
  command('lift', { reason: '复查合格' }, REGULATORS, 'orders'),
  {
    method: 'POST',
    url: '/v1/enterprises/:id/gas-over-limit',
    access: regulatorsScoped,
    probe: (ctx, t) => ({ url: `/v1/enterprises/${entOf(ctx, t).id}/gas-over-limit`, body: { reading: 1.5, limit: 1, measuredAt: '2024-01-05T10:00', location: '3101 回采工作面' } }),
    note: 'enterprise A is no coal mine: refused after the gate (422), so no case is opened',
  },

  // ---- the working-day calendar: read by every key, its overrides written by the office
  { method: 'GET', url: '/v1/calendar', access: everyone, probe: () => ({ url: '/v1/calendar' }) },
  { method: 'GET', url: '/v1/calendar/days', access: everyone, probe: () => ({ url: '/v1/calendar/days?from=2024-02-01&to=2024-02-29' }) },
  { method: 'GET', url: '/v1/calendar/working-days', access: everyone, probe: () => ({ url: '/v1/calendar/working-days?from=2024-02-08&days=2' }) },
  { method: 'PUT', url: '/v1/calendar/years/:year', access: officeOnly, probe: () => ({ url: '/v1/calendar/years/2199', body: { days: [] } }) },
  { method: 'DELETE', url: '/v1/calendar/years/:year', access: officeOnly, probe: () => ({ url: '/v1/calendar/years/2199' }) },

  // ---- the four-colour risk map (四色图): as the campaign's status, a county or department over its own enterprises
  { method: 'GET', url: '/v1/campaigns/:id/risk-map', access: regulatorsScoped, probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/risk-map` }) },
  { method: 'GET', url: '/v1/campaigns/:id/risk-map/enterprises', access: regulatorsScoped, probe: (ctx, t) => ({ url: `/v1/campaigns/${campaignOf(ctx, t)}/risk-map/enterprises?limit=5` }) },

  // ---- the roster as .xlsx: the office's
  {
    method: 'POST',
    url: '/v1/enterprises/import',
    access: officeOnly,
    probe: () => ({ url: '/v1/enterprises/import', body: { file: 'not a workbook' } }),
    note: 'a JSON body is refused after the gate (415): the file comes as multipart/form-data',
  },
  { method: 'GET', url: '/v1/enterprises/import-template.xlsx', access: officeOnly, probe: () => ({ url: '/v1/enterprises/import-template.xlsx' }) },
  // The ledger as .xlsx: whoever lists hazards, over what it sees.
  { method: 'GET', url: '/v1/hazards/export.xlsx', access: everyone, probe: () => ({ url: '/v1/hazards/export.xlsx?grade=MAJOR' }) },

  // ---- portals: the event feed and webhook endpoints, each key for its own scope (issue 14)
  { method: 'GET', url: '/v1/events', access: everyone, probe: () => ({ url: '/v1/events?limit=5' }) },
  { method: 'POST', url: '/v1/webhook-endpoints', access: everyone, probe: () => ({ url: '/v1/webhook-endpoints', body: { url: 'https://portal.example.test/hooks', eventTypes: ['order.NEVER_RECORDED'] } }) },
  { method: 'GET', url: '/v1/webhook-endpoints', access: everyone, probe: () => ({ url: '/v1/webhook-endpoints?limit=5' }) },
  { method: 'GET', url: '/v1/webhook-endpoints/:id', access: allScoped, probe: async (ctx, t, role) => ({ url: `/v1/webhook-endpoints/${(await ctx.webhookEndpoint(role, t)).id}` }) },
  { method: 'PATCH', url: '/v1/webhook-endpoints/:id', access: allScoped, probe: async (ctx, t, role) => ({ url: `/v1/webhook-endpoints/${(await ctx.webhookEndpoint(role, t)).id}`, body: { description: '门户' } }) },
  { method: 'DELETE', url: '/v1/webhook-endpoints/:id', access: allScoped, probe: async (ctx, t, role) => ({ url: `/v1/webhook-endpoints/${(await ctx.webhookEndpoint(role, t)).id}` }) },
  {
    method: 'POST',
    url: '/v1/webhook-endpoints/:id/secret-rotation',
    access: allScoped,
    probe: async (ctx, t, role) => ({ url: `/v1/webhook-endpoints/${(await ctx.webhookEndpoint(role, t)).id}/secret-rotation`, body: { overlapSeconds: 60 } }),
  },
  { method: 'GET', url: '/v1/webhook-endpoints/:id/deliveries', access: allScoped, probe: async (ctx, t, role) => ({ url: `/v1/webhook-endpoints/${(await ctx.webhookEndpoint(role, t)).id}/deliveries?limit=5` }) },
  {
    method: 'POST',
    url: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/replay',
    access: allScoped,
    probe: async (ctx, t, role) => {
      const e = await ctx.webhookEndpoint(role, t);
      return { url: `/v1/webhook-endpoints/${e.id}/deliveries/${e.deliveryId}/replay` };
    },
  },
];

export const routeKey = (method: string, url: string): string => `${method} ${url}`;
