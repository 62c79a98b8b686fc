// The whole Datong campaign on the real time-skipping test server, with the real activities
// (Postgres ledger, SMTP sink). The test server's clock starts at the real now and only moves
// forward, so the plan's dates are shifted by four years (2023→2027, 2024→2028: 2028 is a leap
// year like 2024, so 02-29 stays). Expected instants are plain arithmetic (Shanghai = UTC+8).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import type { CampaignFigures } from '../../db/campaigns.repo';
import { getCampaign, saveTemplate } from '../../db/campaign-admin.repo';
import { accountabilityReviews, campaignEvents, campaignSnapshots, cases, duties, dutyEvents, enterprises, hazards, spotCheckDraws } from '../../db/schema';
import type { Industry } from '../../domain/industries';
import { submitDuty } from '../../services/campaign.service';
import { generateCircular, publishCircular, renderCircular } from '../../services/circular.service';
import type { CircularFigures } from '../../domain/circular';
import type { TemporalTarget } from '../../services/temporal';
import { inspectionWorkflowId, obligationWorkflowId } from '../../workflows/ids';
import type { SmtpSink } from '../support';
import { launchCampaign, seedCampaignUnits, shiftedDatong } from '../support/campaign-launch';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';
import { actorFor, creditCode, reportBody, uniq } from '../support/fixtures';

const Z = (iso: string) => Date.parse(iso);
const OFFICE = actorFor('office', null);

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;
let skipTo: WorkflowStack['skipTo'];

beforeAll(async () => {
  stack = await startWorkflowStack('campaign-wf');
  ({ env, handle, sink, target, skipTo } = stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('the Datong campaign, end to end in time-skipping', () => {
  it('runs every phase, duty, reminder, missed notice, the draw, an inspection finding and the summary at their instants', async () => {
    const db = handle.db;
    // The Datong plan, four years later.
    const template = shiftedDatong('datong-shifted', 2027);
    await saveTemplate(db, template);
    const counties = ['pingcheng', 'yungang', 'xinrong', 'yunzhou'].map((c) => uniq(c));
    const departments = ['emergency', 'housing', 'transport'].map((d) => uniq(d));
    await seedCampaignUnits(db, counties, departments);
    const industries: Industry[] = ['COAL_MINE', 'HAZARDOUS_CHEMICALS', 'CONSTRUCTION', 'ROAD_TRANSPORT', 'FIRE_SAFETY'];
    const roster = Array.from({ length: 100 }, (_, i) => ({
      name: `企业${i}`,
      creditCode: creditCode(),
      industry: industries[i % industries.length]!,
      countyCode: counties[i % counties.length]!,
      departmentCode: departments[i % departments.length]!,
      supervisionLevel: i % 7 === 0 ? 'CITY' : 'COUNTY',
      principalName: `负责人${i}`,
      principalEmail: `p${i}@ent.test`,
    }));
    await db.insert(enterprises).values(roster);
    const { id, wf } = await launchCampaign(db, target, template, { counties, departments, seed: 'datong-test-seed' });

    // Mobilization: one county reports its plan on time, one late; the others never do.
    await skipTo(Z('2027-11-20T00:00:00Z'));
    const onTime = await submitDuty(target, obligationWorkflowId(id, counties[0]!), { dutyKey: 'plan', content: { text: '实施方案' }, actor: actorFor('county', counties[0]!) });
    expect(onTime).toMatchObject({ state: 'SUBMITTED', late: false });
    await skipTo(Z('2027-12-02T02:00:00Z'));
    const late = await submitDuty(target, obligationWorkflowId(id, counties[1]!), { dutyKey: 'plan', content: { text: '迟报的实施方案' }, actor: actorFor('county', counties[1]!) });
    expect(late).toMatchObject({ state: 'SUBMITTED', late: true });

    // The draw happened when the spot-check phase opened: at least 10% of every stratum.
    const [draw] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, id));
    expect(draw!.drawnAt.getTime()).toBe(Z('2027-11-30T16:00:00.000Z'));
    const countySupervised = roster.filter((e) => e.supervisionLevel === 'COUNTY');
    for (const industry of industries) {
      const stratum = draw!.strata.find((s) => s.industry === industry)!;
      const population = countySupervised.filter((e) => e.industry === industry).length;
      expect(stratum.population).toBe(population);
      expect(stratum.drawn.length).toBe(Math.ceil(population / 10));
    }
    const drawnIds = draw!.strata.flatMap((s) => s.drawn);
    const [inspections] = await db.select({ n: count() }).from(duties).where(and(eq(duties.campaignId, id), eq(duties.kind, 'INSPECTION')));
    expect(inspections!.n).toBe(drawnIds.length);

    // A department finds a major hazard at one drawn enterprise: it becomes a hazard with its own workflow.
    // One outside the first county (the one that files everything on time), so that the ranking below is known.
    const drawnRows = await db.select().from(enterprises).where(inArray(enterprises.id, drawnIds));
    const inspected = drawnRows.find((e) => e.countyCode !== counties[0]);
    const finding = { ...reportBody({ grade: 'MAJOR', deadline: '2028-01-31' }), description: '抽查发现：储罐区可燃气体报警器失效' };
    // A second, due before the month is out: overdue in December's circular.
    const urgent = { ...reportBody({ grade: 'MAJOR', deadline: '2027-12-20' }), description: '抽查发现：动火作业未审批' };
    const result = await submitDuty(target, inspectionWorkflowId(id, inspected!.id), {
      dutyKey: `inspection:${inspected!.id}`,
      content: { outcome: 'FINDINGS', findings: [finding, urgent] },
      actor: actorFor('department', inspected!.departmentCode),
    });
    expect(result.state).toBe('SUBMITTED');
    const found = await db.select().from(hazards).where(and(eq(hazards.campaignId, id), eq(hazards.enterpriseId, inspected!.id)));
    expect(found).toHaveLength(2);
    for (const f of found) {
      expect(f).toMatchObject({ source: 'SPOT_CHECK', grade: 'MAJOR' });
      expect((await env.client.workflow.getHandle(f.workflowId).describe()).status.name).toBe('RUNNING');
    }

    // "每月27日前" includes the 27th: December's report at 23:01 on the 27th (local) is on time, at 00:31 on the 28th late.
    await skipTo(Z('2027-12-27T15:00:00Z'));
    const on27th = await submitDuty(target, obligationWorkflowId(id, counties[0]!), { dutyKey: 'progress:2027-12', content: { text: '12月进展' }, actor: actorFor('county', counties[0]!) });
    expect(on27th).toMatchObject({ state: 'SUBMITTED', late: false, duty: { dueAt: Z('2027-12-27T15:59:59.999Z') } });
    await skipTo(Z('2027-12-27T16:30:00Z'));
    const on28th = await submitDuty(target, obligationWorkflowId(id, counties[1]!), { dutyKey: 'progress:2027-12', content: { text: '12月进展（迟报）' }, actor: actorFor('county', counties[1]!) });
    expect(on28th).toMatchObject({ state: 'SUBMITTED', late: true });

    // New Year's morning: the office generates December's circular (通报) from what happened, and publishes it.
    await skipTo(Z('2028-01-01T02:00:00Z'));
    const campaign = (await getCampaign(db, id))!;
    const { row: circular } = await generateCircular(db, campaign, '2027-12', OFFICE, await env.currentTimeMs());
    const dec = circular.figures as unknown as CircularFigures;
    expect(dec).toMatchObject({ month: '2027-12', from: '2027-11-30T16:00:00.000Z', asOf: '2027-12-31T15:59:59.999Z' });
    // Both findings were registered in December; neither closed; the one due on the 20th is overdue.
    expect(dec.hazards).toEqual({ foundInMonth: 2, closedInMonth: 0, openAtEnd: 2, overdueAtEnd: 1 });
    expect(dec.overdueMajorHazards).toEqual([
      { enterpriseId: inspected!.id, enterpriseName: inspected!.name, countyCode: inspected!.countyCode, countyName: inspected!.countyCode, overdueMajorHazards: 1 },
    ]);
    // December's misses are December's progress reports: every unit's but the one filed on the 27th (the one
    // filed on the 28th was missed first). The plans were due on 30 November: November's misses, though
    // recorded a few ms into December.
    expect(dec.missedDuties.map((m) => [m.unitCode, m.kind, m.dueAt]).sort()).toEqual(
      [...counties.slice(1), ...departments].map((u) => [u, 'PROGRESS_REPORT', '2027-12-27T15:59:59.999Z']).sort(),
    );
    // The ranking: the county that filed everything on time leads alone; the one with the overdue hazard
    // in its territory (and its reports late or missed) is last.
    expect(dec.counties[0]).toMatchObject({ unitCode: counties[0], rank: 1 });
    expect(dec.counties[1]!.total).toBeLessThan(dec.counties[0]!.total);
    expect(dec.counties.at(-1)).toMatchObject({ unitCode: inspected!.countyCode, rank: 4 });
    expect(dec.departments.map((d) => d.unitCode).sort()).toEqual([...departments].sort());
    // Coverage: the one inspection recorded, in its county; no self-inspection due yet (the phase closes in February).
    expect(dec.coverage.byCounty.find((r) => r.unitCode === inspected!.countyCode)).toMatchObject({ required: 25, covered: 1 });
    expect(dec.coverage.selfInspection).toEqual({ due: 100, filed: 0, filedLate: 0, missed: 0 });
    // The overdue hazard escalated into a case against its department, opened at the escalation's instant
    // by the workflow's clock (the ranking at an instant counts it from then), as its review record says.
    const [review] = await db.select().from(accountabilityReviews).where(eq(accountabilityReviews.hazardId, found.find((f) => f.description === urgent.description)!.id));
    const [escalation] = await db.select().from(cases).where(and(eq(cases.subjectRef, inspected!.departmentCode), eq(cases.causeKind, 'HAZARD_ESCALATION')));
    expect(escalation!.openedAt.getTime()).toBe(review!.openedAt.getTime());
    expect(escalation!.openedAt.getTime()).toBeGreaterThan(Z('2027-12-20T15:59:59.999Z'));
    expect(escalation!.openedAt.getTime()).toBeLessThan(Z('2028-01-01T02:00:00Z'));
    // Published: mailed to every unit, text and HTML.
    const published = await publishCircular(db, target, campaign, '2027-12', OFFICE);
    expect(published.mailStarted).toBe(true);
    for (const unit of [...counties, ...departments]) {
      const mail = await sink.waitFor((m) => m.headers.get('x-business-key') === `circular:${id}:2027-12:${unit}`);
      expect(mail.subject).toContain('工作通报');
      expect(String(mail.html)).toContain(inspected!.name);
    }

    await skipTo(Z('2028-03-06T00:00:00Z'));
    await wf.result();

    // December's circular read again after the campaign: the same content, the same hash.
    expect((await renderCircular(db, campaign, '2027-12', await env.currentTimeMs())).contentSha256).toBe(circular.contentSha256);

    // Phases opened and closed at the plan's instants.
    const phaseEvents = await db.select().from(campaignEvents).where(eq(campaignEvents.campaignId, id)).orderBy(asc(campaignEvents.seq));
    // data.at is the instant the plan set; the event's own `at` is when the workflow acted: never before it (how long
    // after depends on the machine: at the self-inspection close a hundred enterprises' duties fall due with it).
    const at = (type: string, phase: string) => {
      const e = phaseEvents.find((x) => x.type === type && x.phase === phase)!;
      expect(e.at.getTime()).toBeGreaterThanOrEqual(Date.parse(String(e.data.at)));
      return e.data.at;
    };
    expect(at('PHASE_OPENED', 'MOBILIZATION')).toBe('2027-11-16T16:00:00.000Z');
    expect(at('PHASE_CLOSED', 'MOBILIZATION')).toBe('2027-11-30T15:59:59.999Z');
    expect(at('PHASE_OPENED', 'SPOT_CHECK')).toBe('2027-11-30T16:00:00.000Z');
    expect(at('PHASE_CLOSED', 'SELF_INSPECTION')).toBe('2028-02-29T15:59:59.999Z');
    expect(at('PHASE_OPENED', 'SUMMARY')).toBe('2028-02-29T16:00:00.000Z');
    expect(at('PHASE_CLOSED', 'SUMMARY')).toBe('2028-03-05T15:59:59.999Z');
    expect(phaseEvents.at(-1)!.type).toBe('CAMPAIGN_COMPLETED');

    // Every unit duty: reminders at 09:00 local three and one day before, the missed notice at the due instant.
    const obligation = obligationWorkflowId(id, counties[2]!);
    const events = await db.select().from(dutyEvents).where(eq(dutyEvents.obligationId, obligation)).orderBy(asc(dutyEvents.seq));
    const scheduled = (type: string, key: string) => events.filter((e) => e.type === type && e.dutyKey === key).map((e) => e.data.scheduledAt);
    expect(scheduled('DUTY_REMINDER_SENT', 'plan')).toEqual(['2027-11-27T01:00:00.000Z', '2027-11-29T01:00:00.000Z']);
    expect(scheduled('DUTY_MISSED', 'plan')).toEqual(['2027-11-30T15:59:59.999Z']);
    // Monthly reports: due at the last ms of the 27th local (the 27th included), reminded on the 24th and the 26th.
    expect(scheduled('DUTY_REMINDER_SENT', 'progress:2027-12')).toEqual(['2027-12-24T01:00:00.000Z', '2027-12-26T01:00:00.000Z']);
    expect(scheduled('DUTY_MISSED', 'progress:2027-12')).toEqual(['2027-12-27T15:59:59.999Z']);
    expect(scheduled('DUTY_MISSED', 'progress:2028-01')).toEqual(['2028-01-27T15:59:59.999Z']);
    expect(scheduled('DUTY_MISSED', 'progress:2028-02')).toEqual(['2028-02-27T15:59:59.999Z']);
    expect(scheduled('DUTY_MISSED', 'summary')).toEqual(['2028-03-05T15:59:59.999Z']);
    for (const e of events.filter((x) => x.data.scheduledAt)) expect(e.at.getTime() - Date.parse(String(e.data.scheduledAt))).toBeLessThan(1000);
    expect(events.some((e) => e.dutyKey.startsWith('progress:2027-11') || e.dutyKey.startsWith('progress:2028-03'))).toBe(false);

    // Mail: the missed plan reached the unit and the office.
    const missedPlan = sink.messages.find((m) => m.headers.get('x-obligation-id') === obligation && m.headers.get('x-duty-key') === 'plan' && m.headers.get('x-notification-kind') === 'DUTY_MISSED');
    expect(missedPlan?.subject).toContain('逾期未报');

    // The late plan is on the ledger as late; the on-time one is not.
    const planRows = await db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.dutyKey, 'plan')));
    expect(planRows.find((d) => d.holderCode === counties[0])).toMatchObject({ state: 'SUBMITTED', late: false });
    expect(planRows.find((d) => d.holderCode === counties[1])).toMatchObject({ state: 'SUBMITTED', late: true });
    expect(planRows.filter((d) => d.state === 'MISSED')).toHaveLength(counties.length + departments.length - 2);
    // December's report: on time on the 27th, late on the 28th (missed at the end of the 27th first), missed by the rest.
    const december = await db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.dutyKey, 'progress:2027-12')));
    expect(december.find((d) => d.holderCode === counties[0])).toMatchObject({ state: 'SUBMITTED', late: false });
    expect(december.find((d) => d.holderCode === counties[1])).toMatchObject({ state: 'SUBMITTED', late: true });
    expect(december.find((d) => d.holderCode === counties[1])!.missedAt?.getTime()).toBeGreaterThanOrEqual(Z('2027-12-27T15:59:59.999Z'));
    expect(december.filter((d) => d.state === 'MISSED')).toHaveLength(counties.length + departments.length - 2);

    // Inspections: every drawn enterprise was due when the spot-check phase closed (2月底), the uninspected missed then.
    const inspectionRows = await db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.kind, 'INSPECTION')));
    expect(inspectionRows).toHaveLength(drawnIds.length);
    for (const row of inspectionRows) expect(row.dueAt.toISOString()).toBe('2028-02-29T15:59:59.999Z');
    expect(inspectionRows.filter((d) => d.state === 'MISSED')).toHaveLength(drawnIds.length - 1);

    // The frozen summary matches the ledger.
    const [snapshot] = await db.select().from(campaignSnapshots).where(eq(campaignSnapshots.campaignId, id));
    expect(snapshot!.takenAt.toISOString()).toBe('2028-03-05T15:59:59.999Z');
    const figures = snapshot!.figures as CampaignFigures;
    const [hazardTotal] = await db.select({ n: count() }).from(hazards).where(eq(hazards.campaignId, id));
    expect(figures.hazards.total).toBe(hazardTotal!.n);
    const [missed] = await db.select({ n: count() }).from(duties).where(and(eq(duties.campaignId, id), sql`${duties.kind} not in ('INSPECTION', 'SELF_INSPECTION')`, eq(duties.state, 'MISSED')));
    // The units' summaries fall due at the very instant the snapshot is taken: whether their misses are on the
    // ledger before it is a race between independent workflows; every earlier miss is in it.
    const [missedSummaries] = await db.select({ n: count() }).from(duties).where(and(eq(duties.campaignId, id), eq(duties.dutyKey, 'summary'), eq(duties.state, 'MISSED')));
    expect(figures.duties.missed).toBeGreaterThanOrEqual(missed!.n - missedSummaries!.n);
    expect(figures.duties.missed).toBeLessThanOrEqual(missed!.n);
    // Every enterprise on the roster owed its self-inspection by the phase's close; none filed here.
    expect(figures.coverage.selfInspection.total).toEqual({ due: roster.length, filed: 0, filedLate: 0, missed: roster.length, share: 0 });
    expect(figures.duties.submittedLate).toBe(2);
    expect(figures.spotCheck!.strata.reduce((n, s) => n + s.drawn, 0)).toBe(drawnIds.length);
    expect(figures.spotCheck!.strata.reduce((n, s) => n + s.inspected, 0)).toBe(1);
  });
});
