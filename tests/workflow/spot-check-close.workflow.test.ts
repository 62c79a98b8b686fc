// Spot-check inspections are due when the spot-check phase closes (2月底 in the Datong plan) and
// follow the office's move of that close, on the real time-skipping test server with the real
// activities (Postgres ledger, SMTP sink). The plan's dates are shifted by a multiple of four
// years (so 02-29 stays a date) to the first campaign lying ahead of the test server's clock
// (y = 2027 while the clock reads 2026). Expected instants are plain arithmetic (Shanghai = UTC+8).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { saveTemplate } from '../../db/campaign-admin.repo';
import { campaignEvents, duties, dutyEvents, enterprises, spotCheckDraws } from '../../db/schema';
import { movePhase, submitDuty } from '../../services/campaign.service';
import type { TemporalTarget } from '../../services/temporal';
import { obligationStateQuery, type ObligationState } from '../../workflows/campaign.messages';
import { inspectionWorkflowId } from '../../workflows/ids';
import { datongYearAfter, launchCampaign, seedCampaignUnits, shiftedDatong } from '../support/campaign-launch';
import { until } from '../support/eventually';
import { actorFor, creditCode, uniq } from '../support/fixtures';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

const Z = (iso: string) => Date.parse(iso);

let stack: WorkflowStack;
let env: TestWorkflowEnvironment;
let handle: DbHandle;
let target: TemporalTarget;
let skipTo: WorkflowStack['skipTo'];

beforeAll(async () => {
  stack = await startWorkflowStack('spot-check-close');
  ({ env, handle, target, skipTo } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const dueOf = (s: ObligationState) => s.duties[0]!.duty.dueAt;

describe('spot-check inspections', () => {
  it('are due when the spot-check phase closes, and at the new close once the office moves it: the DUE fires there, not at the old one', async () => {
    const db = handle.db;
    const y = datongYearAfter(await env.currentTimeMs());
    const next = y + 1;
    const template = shiftedDatong('datong-spot-check', y);
    await saveTemplate(db, template);
    const county = uniq('county');
    const department = uniq('dept');
    await seedCampaignUnits(db, [county], [department]);
    // Two industries of ten county-supervised enterprises each: one drawn in each.
    await db.insert(enterprises).values(
      Array.from({ length: 20 }, (_, i) => ({
        name: `抽查企业${i}`,
        creditCode: creditCode(),
        industry: i % 2 ? ('CONSTRUCTION' as const) : ('FIRE_SAFETY' as const),
        countyCode: county,
        departmentCode: department,
        supervisionLevel: 'COUNTY' as const,
        principalName: `负责人${i}`,
        principalEmail: `p${i}@ent.test`,
      })),
    );
    const { id, wf } = await launchCampaign(db, target, template, { counties: [county], departments: [department], seed: 'spot-check-close-seed' });

    // The draw happens when the spot-check phase opens (00:00 on 1 December local).
    await skipTo(Z(`${y}-11-30T16:00:00Z`));
    const [draw] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, id));
    const [left, inspected] = draw!.strata.flatMap((s) => s.drawn).sort() as [string, string];
    const leftHandle = env.client.workflow.getHandle(inspectionWorkflowId(id, left));
    const oldClose = Z(`${next}-02-29T15:59:59.999Z`);
    const before = await until(() => leftHandle.query(obligationStateQuery).catch(() => null), (s) => s !== null, 'the inspection obligation runs');
    expect(new Date(dueOf(before!)).toISOString()).toBe(`${next}-02-29T15:59:59.999Z`);

    // The office moves the spot-check close to the end of 15 March; the open inspections follow it.
    const newClose = Z(`${next}-03-15T15:59:59.999Z`);
    const moved = await movePhase(target, id, { phase: 'SPOT_CHECK', closesAt: new Date(newClose).toISOString(), reason: '检查抽查延长至3月15日', actor: actorFor('office') });
    expect(moved.phases.SPOT_CHECK.closesAt).toBe(newClose);
    const after = await until(() => leftHandle.query(obligationStateQuery), (s) => dueOf(s) !== oldClose, 'the inspection follows the move');
    expect(new Date(dueOf(after)).toISOString()).toBe(`${next}-03-15T15:59:59.999Z`);

    // Past the old close: nothing missed; an inspection recorded now is on time.
    await skipTo(oldClose + 3_600_000);
    expect((await leftHandle.query(obligationStateQuery)).duties[0]).toMatchObject({ state: 'PENDING' });
    const result = await submitDuty(target, inspectionWorkflowId(id, inspected), {
      dutyKey: `inspection:${inspected}`,
      content: { outcome: 'PASSED' },
      actor: actorFor('department', department),
    });
    expect(result).toMatchObject({ state: 'SUBMITTED', late: false, duty: { dueAt: newClose } });

    // At the new close the uninspected one is missed, reminded 7 and 1 days before it at 09:00 local.
    await skipTo(newClose);
    const events = await db.select().from(dutyEvents).where(eq(dutyEvents.obligationId, leftHandle.workflowId)).orderBy(asc(dutyEvents.seq));
    const of = (type: string) => events.filter((e) => e.type === type).map((e) => e.data);
    expect(of('DUTY_RESCHEDULED')).toEqual([expect.objectContaining({ previousDueAt: `${next}-02-29T15:59:59.999Z`, dueAt: `${next}-03-15T15:59:59.999Z` })]);
    expect(of('DUTY_REMINDER_SENT').map((d) => d.scheduledAt)).toEqual([`${next}-03-08T01:00:00.000Z`, `${next}-03-14T01:00:00.000Z`]);
    expect(of('DUTY_MISSED').map((d) => d.scheduledAt)).toEqual([`${next}-03-15T15:59:59.999Z`]);
    for (const e of events.filter((x) => x.type === 'DUTY_MISSED')) expect(e.at.getTime()).toBeGreaterThanOrEqual(newClose);

    const rows = await db.select().from(duties).where(and(eq(duties.campaignId, id), eq(duties.kind, 'INSPECTION')));
    expect(rows.map((r) => [r.subjectEnterpriseId, r.state, r.late, r.dueAt.toISOString()]).sort()).toEqual(
      [
        [left, 'MISSED', false, `${next}-03-15T15:59:59.999Z`],
        [inspected, 'SUBMITTED', false, `${next}-03-15T15:59:59.999Z`],
      ].sort(),
    );

    // The phase itself closed at the moved instant.
    await wf.result();
    const closed = await db.select().from(campaignEvents).where(and(eq(campaignEvents.campaignId, id), eq(campaignEvents.type, 'PHASE_CLOSED'), eq(campaignEvents.phase, 'SPOT_CHECK')));
    expect(closed.map((e) => e.data.at)).toEqual([`${next}-03-15T15:59:59.999Z`]);
  });
});
