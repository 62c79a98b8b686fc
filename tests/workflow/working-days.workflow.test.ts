// Deadlines and policy steps in working days, on the real time-skipping test server started in
// 2024 (its clock set, not faked), with China's 2024 holidays and make-up working days (调休) from
// the chinese-days package: the hazard's timers land on the exact instants counted by hand below.
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HazardRow } from '../../db/hazards.repo';
import { insertHazard } from '../../db/hazards.repo';
import { hazardEvents } from '../../db/schema';
import { buildHazardRow, type HazardReport } from '../../services/hazard-report';
import { queryHazard, startHazardWorkflow } from '../../services/hazard.service';
import { loadWorkingCalendar } from '../../services/working-calendar';
import { actorFor, reportBody, seedEnterprise } from '../support/fixtures';
import { endOfShanghaiDay, shanghai0900 } from '../support/shanghai';
import { startWorkflowStack, type WorkflowStack } from '../support/workflow-stack';

let stack: WorkflowStack;

beforeAll(async () => {
  // Thursday 1 February 2024, 08:00 in Shanghai: the Spring Festival break is 10–17 February,
  // with Sunday 4 and Sunday 18 February worked instead.
  stack = await startWorkflowStack('working-days-wf', { at: Date.parse('2024-02-01T08:00:00+08:00') });
});

afterAll(async () => {
  await stack?.close();
});

async function report(over: Partial<HazardReport>): Promise<HazardRow> {
  const enterprise = await seedEnterprise(stack.handle.db);
  const now = await stack.env.currentTimeMs();
  const calendar = await loadWorkingCalendar(stack.handle.db);
  const built = buildHazardRow(reportBody(over), enterprise, actorFor('office'), now, undefined, undefined, calendar);
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  const { hazard } = await insertHazard(stack.handle.db, built.row);
  // The service the API uses: it gives the workflow the calendar in force.
  await startHazardWorkflow(stack.handle.db, stack.target, hazard);
  return hazard;
}

async function dueInstants(row: HazardRow): Promise<Record<string, number[]>> {
  const events = await stack.handle.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, row.id)).orderBy(asc(hazardEvents.seq));
  const out: Record<string, number[]> = {};
  for (const e of events.filter((x) => ['REMINDER_SENT', 'OVERDUE', 'ESCALATED'].includes(x.type))) (out[e.type] ??= []).push(Date.parse(String(e.data.dueAt)));
  return out;
}

describe('a deadline of 10 working days reported on 1 February 2024', () => {
  it('counts the make-up Sundays and skips the Spring Festival: reminders, overdue and escalation on the exact working days', async () => {
    // 2 Feb (1), Sun 4 Feb (2, 调休), 5–9 Feb (3–7), Sun 18 Feb (8, 调休), 19 Feb (9), 20 Feb (10).
    const row = await report({ deadline: 'P10WD', policy: { reminderOffsets: ['P3WD', 'P2WD'], escalationAfter: 'P2WD' } });
    expect(row.deadline.getTime()).toBe(endOfShanghaiDay('2024-02-20'));
    expect((await queryHazard(stack.target, row.id))?.calendarVersion).toMatch(/^chinese-days@1\.5\.7/);

    await stack.skipTo(endOfShanghaiDay('2024-02-23'));
    expect(await dueInstants(row)).toEqual({
      // 3 working days before 20 Feb: 19, Sun 18 (调休), 9 Feb; 2 before: Sun 18 Feb, a working day.
      REMINDER_SENT: [shanghai0900('2024-02-09'), shanghai0900('2024-02-18')],
      OVERDUE: [endOfShanghaiDay('2024-02-20')],
      // 2 working days after: 21, 22 Feb, at the deadline's time of day.
      ESCALATED: [endOfShanghaiDay('2024-02-22')],
    });
  });
});

describe('a deadline of 3 working days reported on Friday 27 September 2024', () => {
  it('runs over National Day (1–7 October) and its make-up days (Sun 29 September, Sat 12 October)', async () => {
    await stack.skipTo(Date.parse('2024-09-27T08:00:00+08:00'));
    // Sat 28 Sep is off; Sun 29 Sep (1, 调休), 30 Sep (2), 1–7 Oct off, 8 Oct (3).
    const row = await report({ deadline: 'P3WD', policy: { reminderOffsets: ['P1WD'], escalationAfter: 'P5WD' } });
    expect(row.deadline.getTime()).toBe(endOfShanghaiDay('2024-10-08'));

    await stack.skipTo(endOfShanghaiDay('2024-10-15'));
    expect(await dueInstants(row)).toEqual({
      REMINDER_SENT: [shanghai0900('2024-09-30')],
      OVERDUE: [endOfShanghaiDay('2024-10-08')],
      // 9, 10, 11, Sat 12 (调休), Mon 14 October.
      ESCALATED: [endOfShanghaiDay('2024-10-14')],
    });
  });
});
