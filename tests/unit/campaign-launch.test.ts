// What a launch does with a stored template: the Datong plan moved to another start, and a plan
// whose deadlines are behind it refused (domain/campaign-launch.ts).
import { describe, expect, it } from 'vitest';
import { datong2023Template, demoTemplate, unitDuties, type CampaignTemplate } from '../../domain/campaign';
import { firstPastDeadline, shiftTemplate, templateToLaunch } from '../../domain/campaign-launch';
import { validateTemplate } from '../../domain/campaign-template';

const spans = (t: CampaignTemplate) => t.phases.map((p) => `${p.key} ${p.start}..${p.end}`);

describe('shiftTemplate', () => {
  it('moves the Datong plan to the same day of another year by whole years: 2月底 stays the end of February', () => {
    const moved = shiftTemplate(datong2023Template, '2026-11-17');
    expect(spans(moved)).toEqual([
      'MOBILIZATION 2026-11-17..2026-11-30',
      'SELF_INSPECTION 2026-12-01..2027-02-28',
      'SPOT_CHECK 2026-12-01..2027-02-28',
      'SUMMARY 2027-03-01..2027-03-05',
      'SUPERVISION 2026-11-17..2027-03-05',
    ]);
    expect(moved.reporting).toEqual({ ...datong2023Template.reporting, implementationPlan: { due: '2026-11-30', phase: 'MOBILIZATION' }, summary: { due: '2027-03-05' } });
    // The document keeps its date, its identity and everything else.
    expect({ ...moved, phases: [], reporting: null }).toEqual({ ...datong2023Template, phases: [], reporting: null });
    expect(validateTemplate(moved).ok).toBe(true);
    // Into a leap year the end of February is the 29th again (from 2027-11-17).
    expect(spans(shiftTemplate(datong2023Template, '2027-11-17'))[1]).toBe('SELF_INSPECTION 2027-12-01..2028-02-29');
  });

  it('keeps the monthly day: the moved plan reports by the end of each 27th', () => {
    const duties = unitDuties(shiftTemplate(datong2023Template, '2026-11-17'));
    expect(duties.map((d) => [d.key, new Date(d.dueAt).toISOString()])).toEqual([
      ['plan', '2026-11-30T15:59:59.999Z'],
      ['progress:2026-12', '2026-12-27T15:59:59.999Z'],
      ['progress:2027-01', '2027-01-27T15:59:59.999Z'],
      ['progress:2027-02', '2027-02-27T15:59:59.999Z'],
      ['summary', '2027-03-05T15:59:59.999Z'],
    ]);
  });

  it('moves by the days left after the whole years when startOn is another day, also backwards', () => {
    expect(spans(shiftTemplate(datong2023Template, '2026-12-01')).slice(0, 2)).toEqual(['MOBILIZATION 2026-12-01..2026-12-14', 'SELF_INSPECTION 2026-12-15..2027-03-14']);
    expect(spans(shiftTemplate(datong2023Template, '2026-11-10')).slice(0, 2)).toEqual(['MOBILIZATION 2026-11-10..2026-11-23', 'SELF_INSPECTION 2026-11-24..2027-02-21']);
    // One year and a day back: 2022-11-16.
    expect(spans(shiftTemplate(datong2023Template, '2022-11-16'))[0]).toBe('MOBILIZATION 2022-11-16..2022-11-29');
  });

  it('keeps the times of day of a template written to the second', () => {
    const demo = demoTemplate(Date.parse('2026-03-10T02:00:00Z'));
    const moved = shiftTemplate(demo, '2026-03-12');
    expect(moved.phases[0]).toMatchObject({ start: '2026-03-12T10:00:00', end: '2026-03-12T10:00:10' });
    expect(moved.reporting.implementationPlan.due).toBe('2026-03-12T10:00:10');
  });
});

describe('templateToLaunch', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it('refuses the Datong plan as written naming templateVersion: its first deadline is in 2023', () => {
    expect(firstPastDeadline(datong2023Template, now)).toEqual({ what: 'phase MOBILIZATION closes', at: Date.parse('2023-11-30T15:59:59.999Z') });
    const res = templateToLaunch(datong2023Template, undefined, now);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors.map((e) => e.field)).toEqual(['templateVersion']);
  });

  it('takes it moved to a start whose deadlines are all ahead, and refuses one whose first deadline has passed, naming startOn', () => {
    const later = templateToLaunch(datong2023Template, '2026-12-01', now);
    expect(later.ok && later.template.phases[0]!.start).toBe('2026-12-01');
    // Started 2026-11-17 the plan is due by the end of 2026-11-30: still ahead on the 29th, gone on 1 December.
    expect(templateToLaunch(datong2023Template, '2026-11-17', now).ok).toBe(true);
    const gone = templateToLaunch(datong2023Template, '2026-11-17', Date.parse('2026-12-01T00:00:00+08:00'));
    expect(!gone.ok && gone.errors).toEqual([{ field: 'startOn', reason: expect.stringMatching(/phase MOBILIZATION closes at 2026-11-30T15:59:59.999Z, already past/) }]);
  });

  it('refuses a start the calendar cannot write, naming startOn', () => {
    const res = templateToLaunch(datong2023Template, '0050-01-01', now);
    expect(!res.ok && res.errors.map((e) => e.field)).toEqual(['startOn']);
  });

  it('keeps a stored template without beforeDay as it is (its old reading), moved', () => {
    const legacy = { ...datong2023Template.reporting };
    delete legacy.beforeDay;
    const res = templateToLaunch({ ...datong2023Template, reporting: legacy }, '2026-12-01', now);
    expect(res.ok && res.template.reporting).not.toHaveProperty('beforeDay');
  });
});
