// Every enterprise on a campaign's roster owes its self-inspection (清单 and 台账 filed with its
// department by the end of the self-inspection phase), on the real time-skipping test server with
// the real activities (Postgres ledger, SMTP sink), over the seconds-long demo plan: the
// self-inspection phase runs from 10 s to 40 s, reminders 3 s before, the summary frozen at 50 s.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { campaignFigures, type CampaignFigures } from '../../db/campaigns.repo';
import { saveTemplate } from '../../db/campaign-admin.repo';
import { campaignSnapshots, duties, enterprises } from '../../db/schema';
import { demoTemplate, selfInspectionDutyKey } from '../../domain/campaign';
import { submitDuty } from '../../services/campaign.service';
import type { TemporalTarget } from '../../services/temporal';
import { selfInspectionWorkflowId } from '../../workflows/ids';
import type { SmtpSink } from '../support';
import { launchCampaign, seedCampaignUnits } from '../support/campaign-launch';
import { until } from '../support/eventually';
import { actorFor, creditCode, uniq } from '../support/fixtures';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let sink: SmtpSink;
let target: TemporalTarget;

beforeAll(async () => {
  stack = await startWorkflowStack('self-inspection');
  ({ env, handle, sink, target } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const recipients = (m: ParsedMail): string => JSON.stringify(m.to ?? null);

describe('self-inspection duties and full coverage', () => {
  it('gives every enterprise on the roster its duty; on time, late and missed are recorded, the missed one mailed to the enterprise and its department; coverage is full in one county and not in the other', async () => {
    const db = handle.db;
    const now = await env.currentTimeMs();
    const template = { ...demoTemplate(now + 5_000), key: uniq('demo-self') };
    const start = Math.ceil((now + 5_000) / 1000) * 1000;
    await saveTemplate(db, template);
    const [countyA, countyB, department] = [uniq('county-a'), uniq('county-b'), uniq('dept')];
    await seedCampaignUnits(db, [countyA, countyB], [department]);
    const seed = (county: string, i: number) => ({
      name: `自查企业${county.slice(-4)}-${i}`,
      creditCode: creditCode(),
      industry: 'FIRE_SAFETY' as const,
      countyCode: county,
      departmentCode: department,
      supervisionLevel: 'COUNTY' as const,
      principalName: `负责人${i}`,
      principalEmail: `${county}-${i}@ent.test`,
    });
    const a = await db.insert(enterprises).values([0, 1, 2].map((i) => seed(countyA, i))).returning();
    const b = await db.insert(enterprises).values([0, 1, 2].map((i) => seed(countyB, i))).returning();
    const { id } = await launchCampaign(db, target, template, { counties: [countyA, countyB], departments: [department], seed: 'self-inspection-seed' });

    // The self-inspection phase opened at 10 s: one duty per enterprise on the roster, due at its close (40 s).
    await env.sleep(start + 12_000 - (await env.currentTimeMs()));
    const assigned = await until(
      () => db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.kind, 'SELF_INSPECTION'))),
      (rows) => rows.length === 6,
      'six self-inspection duties on the ledger',
    );
    for (const d of assigned) expect(d).toMatchObject({ state: 'PENDING', holderCode: department, dueAt: new Date(start + 40_000), opensAt: new Date(start + 10_000) });
    expect(assigned.map((d) => d.subjectEnterpriseId).sort()).toEqual([...a, ...b].map((e) => e.id).sort());

    const file = (e: { id: string }, actor = actorFor('enterprise', e.id)) =>
      submitDuty(target, selfInspectionWorkflowId(id, e.id), { dutyKey: selfInspectionDutyKey(e.id), content: { problemsFound: 1, note: '清单与台账已备案' }, actor });
    // Another enterprise cannot file for it; its county can.
    await expect(file(a[0]!, actorFor('enterprise', b[0]!.id))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await file(a[0]!)).toMatchObject({ state: 'SUBMITTED', late: false });
    expect(await file(a[1]!)).toMatchObject({ state: 'SUBMITTED', late: false });
    expect(await file(a[2]!, actorFor('county', countyA))).toMatchObject({ state: 'SUBMITTED', late: false });
    expect(await file(b[0]!)).toMatchObject({ state: 'SUBMITTED', late: false });

    // Past the close: b[1] files late, b[2] never does.
    await env.sleep(start + 45_000 - (await env.currentTimeMs()));
    expect(await file(b[1]!)).toMatchObject({ state: 'SUBMITTED', late: true });
    const missedMail = await sink.waitFor((m) => (m.subject ?? '').includes('逾期未报') && recipients(m).includes(b[2]!.principalEmail!));
    expect(recipients(missedMail)).toContain(`${department}@dept.test`);
    expect(missedMail.subject).toContain(b[2]!.name);
    // Missed notices went to the two who had not filed at the close (b[1] filed late after its notice), none to those on time.
    const missedTo = sink.messages.filter((m) => (m.subject ?? '').includes('逾期未报') && recipients(m).includes('@ent.test')).map(recipients);
    expect(missedTo).toHaveLength(2);
    expect(missedTo.filter((r) => r.includes(b[1]!.principalEmail!) || r.includes(b[2]!.principalEmail!))).toHaveLength(2);
    // The assignment told the enterprise its checklist: a fire-safety business gets the crowded places' item 13, not the coal mines' 3.
    const assignedMail = await sink.waitFor((m) => (m.subject ?? '').includes('工作任务与报送时限') && recipients(m).includes(b[2]!.principalEmail!));
    expect(recipients(assignedMail)).not.toContain('@dept.test');
    expect(assignedMail.text).toContain('请对照以下工作事项开展自查');
    expect(assignedMail.text).toMatch(/^13\. /m);
    expect(assignedMail.text).not.toMatch(/^3\. /m);
    // The reminder 3 s before the close went to the enterprise alone.
    const reminder = await sink.waitFor((m) => (m.subject ?? '').includes('报送提醒') && recipients(m).includes(b[2]!.principalEmail!));
    expect(recipients(reminder)).not.toContain('@dept.test');

    const rows = await until(
      () => db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.kind, 'SELF_INSPECTION'))),
      (r) => r.filter((d) => d.state === 'SUBMITTED').length === 5 && r.some((d) => d.state === 'MISSED'),
      'five filed and one missed on the ledger',
    );
    expect(rows.find((d) => d.subjectEnterpriseId === b[1]!.id)).toMatchObject({ state: 'SUBMITTED', late: true });
    expect(rows.find((d) => d.subjectEnterpriseId === b[2]!.id)).toMatchObject({ state: 'MISSED' });

    // Coverage as counted by hand: county A all self-inspected, county B two of three (no inspection recorded).
    const expected = (f: CampaignFigures) => {
      expect(f.coverage.selfInspection.total).toEqual({ due: 6, filed: 5, filedLate: 1, missed: 1, share: 5 / 6 });
      expect(f.coverage.selfInspection.byCounty[countyA]).toEqual({ due: 3, filed: 3, filedLate: 0, missed: 0, share: 1 });
      expect(f.coverage.selfInspection.byCounty[countyB]).toEqual({ due: 3, filed: 2, filedLate: 1, missed: 1, share: 2 / 3 });
      expect(f.coverage.selfInspection.byIndustry.FIRE_SAFETY).toEqual({ due: 6, filed: 5, filedLate: 1, missed: 1, share: 5 / 6 });
      expect(f.coverage.byCounty[countyA]).toEqual({ required: 3, covered: 3, share: 1 });
      expect(f.coverage.byCounty[countyB]).toEqual({ required: 3, covered: 2, share: 2 / 3 });
      // No enterprise here is under the city's key supervision.
      expect(f.coverage.byDepartment).toEqual({});
    };
    expected(await campaignFigures(db, id));
    // The unit duties' figures hold the units' duties only.
    expect(Object.keys((await campaignFigures(db, id)).duties.units).sort()).toEqual([countyA, countyB, department].sort());

    // Frozen with the summary when the summary phase closes (50 s).
    await env.sleep(start + 55_000 - (await env.currentTimeMs()));
    const snap = await until(() => db.select().from(campaignSnapshots).where(eq(campaignSnapshots.campaignId, id)), (r) => r.length === 1, 'the summary snapshot');
    expected(snap[0]!.figures as CampaignFigures);
  });
});
