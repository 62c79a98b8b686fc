import { describe, expect, it } from 'vitest';
import {
  MAX_PROGRESS_REPORTS,
  campaignWindow,
  dutySchedule,
  inspectionDuty,
  inspectionDutyAfterDraw,
  phaseWindows,
  unitDuties,
  type CampaignTemplate,
  type Duty,
  type PhaseKey,
} from '../../domain/campaign';
import { validateTemplate } from '../../domain/campaign-template';
import { datong2023Template, demoTemplate } from '../../domain/fixtures/datong-2023';
import { INDUSTRY_CODES } from '../../domain/industries';
import { endOfLocalDay } from '../../domain/time';

// Expected instants are written by hand. Asia/Shanghai is UTC+8 all year, no DST: local midnight
// is 16:00 UTC the day before, the end of a local day is 15:59:59.999 UTC, 09:00 local is 01:00
// UTC. America/New_York is UTC-5 (EST) until 2024-03-10 02:00 local, then UTC-4 (EDT).
const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const iso = (ms: number) => new Date(ms).toISOString();
const utc = (text: string) => Date.parse(text);

/** A mutable copy of the Datong template (the fixture itself is frozen), changed by `edit`. */
function datong(edit: (t: CampaignTemplate) => void = () => {}): CampaignTemplate {
  const t = structuredClone(datong2023Template);
  edit(t);
  return t;
}

function phase(t: CampaignTemplate, key: PhaseKey) {
  return t.phases.find((p) => p.key === key)!;
}

/** Validates and returns the normalized template, failing the test with the errors otherwise. */
function valid(t: unknown): CampaignTemplate {
  const r = validateTemplate(t);
  if (!r.ok) throw new Error(`expected a valid template, got ${JSON.stringify(r.errors)}`);
  return r.template;
}

function errorsOf(t: unknown) {
  const r = validateTemplate(t);
  if (r.ok) throw new Error('expected the template to be refused');
  return r.errors;
}

const fields = (t: unknown) => errorsOf(t).map((e) => e.field);

/** Sets the progress window: SELF_INSPECTION opens at `from`, SPOT_CHECK closes at `to` (both phases share the window). */
function progressWindow(from: string, to: string, edit: (t: CampaignTemplate) => void = () => {}): CampaignTemplate {
  return datong((t) => {
    for (const key of ['SELF_INSPECTION', 'SPOT_CHECK'] as const) {
      phase(t, key).start = from;
      phase(t, key).end = to;
    }
    edit(t);
  });
}

const progressDue = (t: CampaignTemplate) =>
  unitDuties(valid(t))
    .filter((d) => d.kind === 'PROGRESS_REPORT')
    .map((d) => [d.key, iso(d.dueAt)]);

/** A monthly "每月`day`日前" rule over the progress window [from, to]. */
const monthly = (day: number, from: string, to: string, edit: (t: CampaignTemplate) => void = () => {}) =>
  progressWindow(from, to, (t) => {
    t.reporting.progressReport = { rule: 'MONTHLY_BEFORE_DAY', day, from: 'SELF_INSPECTION', to: 'SPOT_CHECK' };
    edit(t);
  });

/** The Datong template as stored before `beforeDay` existed (no reading named), not validated again. */
function storedBeforeReadings(edit: (t: CampaignTemplate) => void = () => {}): CampaignTemplate {
  return datong((t) => {
    delete t.reporting.beforeDay;
    edit(t);
  });
}

describe('the Datong template (同安发〔2023〕15号)', () => {
  it('passes validation unchanged', () => {
    expect(valid(datong2023Template)).toEqual(datong2023Template);
  });

  it('carries the document identity of the plan', () => {
    expect(datong2023Template).toMatchObject({
      documentNumber: '同安发〔2023〕15号',
      issuingBody: '大同市安全生产委员会',
      publishedOn: '2023-11-23',
      timeZone: 'Asia/Shanghai',
    });
  });

  it('covers the nine scope industries', () => {
    expect([...datong2023Template.industries].sort()).toEqual(
      ['CIVIL_EXPLOSIVES', 'COAL_MINE', 'CONSTRUCTION', 'CULTURE_TOURISM', 'FIRE_SAFETY', 'HAZARDOUS_CHEMICALS', 'METALLURGY_TRADE', 'NON_COAL_MINE', 'ROAD_TRANSPORT'],
    );
  });

  it('numbers the 48 work items 1-7, 8-17, 18-31 and 32-48 in the four lines of work', () => {
    const lines = datong2023Template.workLines.map((l) => [l.line, l.items[0]!.no, l.items.at(-1)!.no, l.items.length]);
    expect(lines).toEqual([
      [1, 1, 7, 7],
      [2, 8, 17, 10],
      [3, 18, 31, 14],
      [4, 32, 48, 17],
    ]);
    const all = datong2023Template.workLines.flatMap((l) => l.items.map((i) => i.no));
    expect(all).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(datong2023Template.workLines.flatMap((l) => l.items).every((i) => i.textZh.length > 5)).toBe(true);
  });

  it('keeps the plan wording of the key items: the principal leads major hazards, the four-colour map, double penalties', () => {
    const item = (no: number) => datong2023Template.workLines.flatMap((l) => l.items).find((i) => i.no === no)!.textZh;
    expect(item(33)).toContain('重大事故隐患由主要负责人领衔整治');
    expect(item(34)).toContain('四色图');
    expect(item(39)).toContain('一案双罚');
    expect(item(4)).toContain('不少于一天');
  });

  it('is frozen, so one test or workflow cannot change it for the others', () => {
    expect(Object.isFrozen(datong2023Template)).toBe(true);
    expect(Object.isFrozen(datong2023Template.phases[0])).toBe(true);
  });
});

describe('phaseWindows', () => {
  it('opens each Datong phase at the start of its first local day and closes it at the last ms of its last day', () => {
    expect(Object.fromEntries(Object.entries(phaseWindows(datong2023Template)).map(([k, w]) => [k, [iso(w.opensAt), iso(w.closesAt)]]))).toEqual({
      MOBILIZATION: ['2023-11-16T16:00:00.000Z', '2023-11-30T15:59:59.999Z'],
      SELF_INSPECTION: ['2023-11-30T16:00:00.000Z', '2024-02-29T15:59:59.999Z'],
      SPOT_CHECK: ['2023-11-30T16:00:00.000Z', '2024-02-29T15:59:59.999Z'],
      SUMMARY: ['2024-02-29T16:00:00.000Z', '2024-03-05T15:59:59.999Z'],
      SUPERVISION: ['2023-11-16T16:00:00.000Z', '2024-03-05T15:59:59.999Z'],
    });
  });

  it('reads local date-times exactly', () => {
    const t = valid(
      datong((t) => {
        phase(t, 'MOBILIZATION').end = '2023-11-30T17:30:15';
        t.reporting.implementationPlan.due = '2023-11-30T17:00';
      }),
    );
    expect(iso(phaseWindows(t).MOBILIZATION.closesAt)).toBe('2023-11-30T09:30:15.000Z');
  });

  it('uses the template time zone (New York in November is UTC-5)', () => {
    const t = valid(datong((t) => (t.timeZone = NY)));
    expect(iso(phaseWindows(t).MOBILIZATION.opensAt)).toBe('2023-11-17T05:00:00.000Z');
    expect(iso(phaseWindows(t).MOBILIZATION.closesAt)).toBe('2023-12-01T04:59:59.999Z');
  });

  it('spans the whole Datong campaign from the first opening to the last closing', () => {
    const w = campaignWindow(datong2023Template);
    expect([iso(w.opensAt), iso(w.closesAt)]).toEqual(['2023-11-16T16:00:00.000Z', '2024-03-05T15:59:59.999Z']);
  });
});

describe('unitDuties', () => {
  it('gives every Datong unit the plan (11月30日前), progress reports for December, January and February (每月27日前) and the summary (3月5日前), each day included', () => {
    expect(unitDuties(datong2023Template).map((d) => [d.key, d.kind, iso(d.opensAt), iso(d.dueAt)])).toEqual([
      ['plan', 'IMPLEMENTATION_PLAN', '2023-11-16T16:00:00.000Z', '2023-11-30T15:59:59.999Z'],
      ['progress:2023-12', 'PROGRESS_REPORT', '2023-11-30T16:00:00.000Z', '2023-12-27T15:59:59.999Z'],
      ['progress:2024-01', 'PROGRESS_REPORT', '2023-12-27T16:00:00.000Z', '2024-01-27T15:59:59.999Z'],
      ['progress:2024-02', 'PROGRESS_REPORT', '2024-01-27T16:00:00.000Z', '2024-02-27T15:59:59.999Z'],
      ['summary', 'SUMMARY', '2024-02-29T16:00:00.000Z', '2024-03-05T15:59:59.999Z'],
    ]);
  });

  it('dues the December 2023 report at the last ms of 27 December in Shanghai: 2023-12-27T23:59:59.999+08:00', () => {
    const december = unitDuties(datong2023Template).find((d) => d.key === 'progress:2023-12')!;
    expect(december.dueAt).toBe(Date.parse('2023-12-27T23:59:59.999+08:00'));
    expect(iso(december.dueAt)).toBe('2023-12-27T15:59:59.999Z');
    // On time while opensAt ≤ t ≤ dueAt: the whole 27th local is on time, the 28th is late.
    const onTime = (t: number) => december.opensAt <= t && t <= december.dueAt;
    expect(onTime(Date.parse('2023-12-27T00:00:00+08:00'))).toBe(true);
    expect(onTime(Date.parse('2023-12-27T23:59:59.999+08:00'))).toBe(true);
    expect(onTime(Date.parse('2023-12-28T00:00:00+08:00'))).toBe(false);
    // The same local day in New York (EST, UTC-5).
    expect(iso(unitDuties(valid(datong((t) => (t.timeZone = NY)))).find((d) => d.key === 'progress:2023-12')!.dueAt)).toBe('2023-12-28T04:59:59.999Z');
  });

  it('asks no November or March progress report: their 27ths fall outside self-inspection and spot-check', () => {
    const keys = unitDuties(datong2023Template).map((d) => d.key);
    expect(keys).not.toContain('progress:2023-11');
    expect(keys).not.toContain('progress:2024-03');
  });

  it('labels each duty for people', () => {
    for (const d of unitDuties(datong2023Template)) expect(d.label.length).toBeGreaterThan(0);
    expect(unitDuties(datong2023Template)[1]!.label).toContain('2023-12');
  });

  it('is sorted by due instant', () => {
    const due = unitDuties(datong2023Template).map((d) => d.dueAt);
    expect(due).toEqual([...due].sort((a, b) => a - b));
  });

  describe('"每月27日前" (INCLUSIVE, the default): due by the end of the 27th, local', () => {
    it('dues December and January across the year end', () => {
      expect(progressDue(progressWindow('2023-12-01', '2024-01-31'))).toEqual([
        ['progress:2023-12', '2023-12-27T15:59:59.999Z'],
        ['progress:2024-01', '2024-01-27T15:59:59.999Z'],
      ]);
    });

    it('skips the first month when the window opens after the 27th', () => {
      expect(progressDue(progressWindow('2023-12-28', '2024-01-31'))).toEqual([['progress:2024-01', '2024-01-27T15:59:59.999Z']]);
    });

    it('keeps the first month when the window opens on the 27th itself', () => {
      expect(progressDue(progressWindow('2023-12-27', '2024-01-10'))).toEqual([['progress:2023-12', '2023-12-27T15:59:59.999Z']]);
    });

    it('keeps the month when the window opens in the last second of the 27th, and skips it from midnight on', () => {
      expect(progressDue(progressWindow('2023-12-27T23:59:59', '2024-01-10'))).toEqual([['progress:2023-12', '2023-12-27T15:59:59.999Z']]);
      expect(progressDue(progressWindow('2023-12-28T00:00', '2024-01-31'))).toEqual([['progress:2024-01', '2024-01-27T15:59:59.999Z']]);
    });

    it('skips the last month when the window closes before its 27th ends', () => {
      expect(progressDue(progressWindow('2023-12-01', '2024-02-26'))).toEqual([
        ['progress:2023-12', '2023-12-27T15:59:59.999Z'],
        ['progress:2024-01', '2024-01-27T15:59:59.999Z'],
      ]);
      expect(progressDue(progressWindow('2023-12-01', '2024-02-27T23:59:59'))).toHaveLength(2);
      expect(progressDue(progressWindow('2023-12-01', '2024-02-27'))).toHaveLength(3);
    });

    it('tiles the window: each report opens 1 ms after the previous one is due', () => {
      const progress = unitDuties(valid(progressWindow('2023-12-28', '2024-02-29'))).filter((d) => d.kind === 'PROGRESS_REPORT');
      expect(progress.map((d) => [iso(d.opensAt), iso(d.dueAt)])).toEqual([
        ['2023-12-27T16:00:00.000Z', '2024-01-27T15:59:59.999Z'],
        ['2024-01-27T16:00:00.000Z', '2024-02-27T15:59:59.999Z'],
      ]);
    });

    it('reads another day: day 1 by the end of the 1st, day 28 by the end of the 28th', () => {
      expect(progressDue(monthly(1, '2024-01-01', '2024-02-29'))).toEqual([
        ['progress:2024-01', '2024-01-01T15:59:59.999Z'],
        ['progress:2024-02', '2024-02-01T15:59:59.999Z'],
      ]);
      expect(progressDue(monthly(28, '2024-01-01', '2024-02-29'))).toEqual([
        ['progress:2024-01', '2024-01-28T15:59:59.999Z'],
        ['progress:2024-02', '2024-02-28T15:59:59.999Z'],
      ]);
    });

    it('clamps days 29, 30 and 31 to February\'s last day: the leap day 2024-02-29, and 2023-02-28', () => {
      for (const day of [29, 30, 31]) {
        expect(progressDue(monthly(day, '2024-02-01', '2024-03-31'))[0]).toEqual(['progress:2024-02', '2024-02-29T15:59:59.999Z']);
        expect(progressDue(monthly(day, '2023-02-01', '2023-03-31'))[0]).toEqual(['progress:2023-02', '2023-02-28T15:59:59.999Z']);
      }
      // Day 29 is the leap day itself, so a window closing at the end of 2024-02-29 still holds it.
      expect(progressDue(monthly(29, '2024-01-01', '2024-02-29'))).toEqual([
        ['progress:2024-01', '2024-01-29T15:59:59.999Z'],
        ['progress:2024-02', '2024-02-29T15:59:59.999Z'],
      ]);
    });

    it('clamps day 31 to each month\'s last day across month ends (30 in April, 31 in May)', () => {
      expect(progressDue(monthly(31, '2024-03-01', '2024-05-31'))).toEqual([
        ['progress:2024-03', '2024-03-31T15:59:59.999Z'],
        ['progress:2024-04', '2024-04-30T15:59:59.999Z'],
        ['progress:2024-05', '2024-05-31T15:59:59.999Z'],
      ]);
    });

    it('uses the end of the local day in the template zone (New York, across the spring clock change)', () => {
      const t = progressWindow('2024-01-01', '2024-03-31', (t) => {
        t.timeZone = NY;
        phase(t, 'SUMMARY').start = '2024-03-01';
        phase(t, 'SUMMARY').end = '2024-04-05';
        phase(t, 'SUPERVISION').end = '2024-04-05';
        t.reporting.summary.due = '2024-04-05';
      });
      expect(progressDue(t)).toEqual([
        ['progress:2024-01', '2024-01-28T04:59:59.999Z'],
        ['progress:2024-02', '2024-02-28T04:59:59.999Z'],
        ['progress:2024-03', '2024-03-28T03:59:59.999Z'],
      ]);
      // 11月30日前 in New York: the end of 30 November EST.
      expect(iso(unitDuties(valid(t))[0]!.dueAt)).toBe('2023-12-01T04:59:59.999Z');
    });

    it('dues a leap-day report in another zone at the end of 29 February there (Berlin, UTC+1)', () => {
      const t = monthly(30, '2024-02-01', '2024-02-29', (t) => (t.timeZone = 'Europe/Berlin'));
      expect(progressDue(t)).toEqual([['progress:2024-02', '2024-02-29T22:59:59.999Z']]);
    });
  });

  describe('EXCLUSIVE: "X日前" by the end of day X - 1, the same for all three duties', () => {
    const exclusive = (t: CampaignTemplate) => (t.reporting.beforeDay = 'EXCLUSIVE');

    it('dues the plan by the end of 29 November, the reports by the 26th and the summary by 4 March', () => {
      expect(unitDuties(valid(datong(exclusive))).map((d) => [d.key, iso(d.dueAt)])).toEqual([
        ['plan', '2023-11-29T15:59:59.999Z'],
        ['progress:2023-12', '2023-12-26T15:59:59.999Z'],
        ['progress:2024-01', '2024-01-26T15:59:59.999Z'],
        ['progress:2024-02', '2024-02-26T15:59:59.999Z'],
        ['summary', '2024-03-04T15:59:59.999Z'],
      ]);
    });

    it('clamps to the month\'s last day: day 31 is due by the end of 29 February 2024 and 30 April', () => {
      expect(progressDue(monthly(31, '2024-02-01', '2024-04-30', exclusive))).toEqual([
        ['progress:2024-02', '2024-02-29T15:59:59.999Z'],
        ['progress:2024-03', '2024-03-30T15:59:59.999Z'],
        ['progress:2024-04', '2024-04-30T15:59:59.999Z'],
      ]);
    });

    it('moves the due day across a month end: a plan due "12月1日前" is due by the end of 30 November', () => {
      const t = valid(datong((t) => {
        exclusive(t);
        t.reporting.implementationPlan.due = '2023-12-01';
      }));
      expect(iso(unitDuties(t)[0]!.dueAt)).toBe('2023-11-30T15:59:59.999Z');
    });

    it('leaves an exact local date-time as it is', () => {
      const t = valid(datong((t) => {
        exclusive(t);
        t.reporting.implementationPlan.due = '2023-11-30T17:00';
      }));
      expect(iso(unitDuties(t)[0]!.dueAt)).toBe('2023-11-30T09:00:00.000Z');
    });
  });

  describe('a template stored before the reading was a parameter (no beforeDay) keeps the instants it was launched with', () => {
    it('dues the Datong reports by the end of the 26th, the plan and the summary on their own day', () => {
      expect(unitDuties(storedBeforeReadings()).map((d) => [d.key, iso(d.dueAt)])).toEqual([
        ['plan', '2023-11-30T15:59:59.999Z'],
        ['progress:2023-12', '2023-12-26T15:59:59.999Z'],
        ['progress:2024-01', '2024-01-26T15:59:59.999Z'],
        ['progress:2024-02', '2024-02-26T15:59:59.999Z'],
        ['summary', '2024-03-05T15:59:59.999Z'],
      ]);
    });

    it('but a template validated now names INCLUSIVE', () => {
      expect(valid(storedBeforeReadings()).reporting.beforeDay).toBe('INCLUSIVE');
    });
  });

  describe('EVERY', () => {
    const demoStart = Date.UTC(2024, 0, 1, 0, 0, 0); // 2024-01-01 08:00:00 in Shanghai

    it('dues a report at each 10 s step of the demo window, the last exactly at its close', () => {
      const duties = unitDuties(valid(demoTemplate(demoStart)));
      expect(duties.map((d) => [d.key, d.kind, (d.opensAt - demoStart) / 1000, (d.dueAt - demoStart) / 1000])).toEqual([
        ['plan', 'IMPLEMENTATION_PLAN', 0, 10],
        ['progress:1', 'PROGRESS_REPORT', 10, 20],
        ['progress:2', 'PROGRESS_REPORT', 20.001, 30],
        ['progress:3', 'PROGRESS_REPORT', 30.001, 40],
        ['summary', 'SUMMARY', 40, 50],
      ]);
    });

    it('drops a step that would end after the window', () => {
      const t = demoTemplate(demoStart);
      t.reporting.progressReport = { rule: 'EVERY', every: 'PT7S', from: 'SELF_INSPECTION', to: 'SPOT_CHECK' };
      const due = unitDuties(valid(t)).filter((d) => d.kind === 'PROGRESS_REPORT').map((d) => (d.dueAt - demoStart) / 1000);
      expect(due).toEqual([17, 24, 31, 38]);
    });

    it('steps calendar months on the local clock from the window start without drifting (01-31, 02-29, 03-31)', () => {
      const t = progressWindow('2024-01-31T10:00', '2024-04-15', (t) => {
        t.reporting.progressReport = { rule: 'EVERY', every: 'P1M', from: 'SELF_INSPECTION', to: 'SPOT_CHECK' };
      });
      expect(progressDue(t)).toEqual([
        ['progress:1', '2024-02-29T02:00:00.000Z'],
        ['progress:2', '2024-03-31T02:00:00.000Z'],
      ]);
    });
  });
});

describe('inspectionDuty', () => {
  const drawnAt = utc('2023-11-30T16:00:00Z'); // the spot-check phase opens: 00:00 on 1 December in Shanghai

  it('dues a drawn Datong enterprise when the spot-check phase closes (2月底): the end of 2024-02-29 local', () => {
    const d = inspectionDuty('ent-7', drawnAt, phaseWindows(datong2023Template).SPOT_CHECK.closesAt);
    expect([d.key, d.kind, iso(d.opensAt), iso(d.dueAt)]).toEqual(['inspection:ent-7', 'INSPECTION', '2023-11-30T16:00:00.000Z', '2024-02-29T15:59:59.999Z']);
    expect(d.dueAt).toBe(Date.parse('2024-02-29T23:59:59.999+08:00'));
  });

  it('follows the close where the office moved it', () => {
    const moved = Date.parse('2024-03-15T23:59:59.999+08:00');
    expect(iso(inspectionDuty('ent-7', drawnAt, moved).dueAt)).toBe('2024-03-15T15:59:59.999Z');
  });

  it('is due at the demo\'s spot-check close, 40 s after the start (30 s after the draw)', () => {
    const start = Date.UTC(2024, 0, 1);
    const d = inspectionDuty('ent-7', start + 10_000, phaseWindows(demoTemplate(start)).SPOT_CHECK.closesAt);
    expect(d.dueAt - start).toBe(40_000);
  });

  describe('for a campaign launched before (inspectionDutyAfterDraw): a fixed time after the draw, as it was launched with', () => {
    const stored = (inspectionDue: string | undefined, edit: (t: CampaignTemplate) => void = () => {}) =>
      datong((t) => {
        if (inspectionDue === undefined) delete t.spotCheck.inspectionDue;
        else t.spotCheck.inspectionDue = inspectionDue;
        edit(t);
      });

    it('gives 30 local days, due at the end of the day they land on', () => {
      const d = inspectionDutyAfterDraw('ent-7', utc('2023-12-01T02:37:00Z'), stored('P30D'));
      expect([d.key, d.kind, iso(d.opensAt), iso(d.dueAt)]).toEqual(['inspection:ent-7', 'INSPECTION', '2023-12-01T02:37:00.000Z', '2023-12-31T15:59:59.999Z']);
    });

    it('caps the due instant at the end of the spot-check phase', () => {
      expect(iso(inspectionDutyAfterDraw('ent-7', utc('2024-02-10T02:00:00Z'), stored('P30D')).dueAt)).toBe('2024-02-29T15:59:59.999Z');
    });

    it('is exact for a duration with a time part (the demo as recorded: 15 s after the draw)', () => {
      const start = Date.UTC(2024, 0, 1);
      const t = demoTemplate(start);
      t.spotCheck.inspectionDue = 'PT15S';
      expect(inspectionDutyAfterDraw('ent-7', start + 10_000, t).dueAt - start).toBe(25_000);
    });

    it('without inspectionDue, is due at the phase close', () => {
      expect(iso(inspectionDutyAfterDraw('ent-7', drawnAt, stored(undefined)).dueAt)).toBe('2024-02-29T15:59:59.999Z');
    });
  });
});

describe('dutySchedule', () => {
  const [plan, december] = unitDuties(datong2023Template) as [Duty, Duty];
  const LONG_AGO = utc('2023-01-01T00:00:00Z');

  it('reminds 3 days and 1 day ahead at 09:00 local, then falls due at the last ms of the due day', () => {
    expect(dutySchedule(plan, ['P3D', 'P1D'], LONG_AGO, SH).map((e) => [e.key, e.kind, iso(e.at)])).toEqual([
      ['plan:reminder:P3D', 'REMINDER', '2023-11-27T01:00:00.000Z'],
      ['plan:reminder:P1D', 'REMINDER', '2023-11-29T01:00:00.000Z'],
      ['plan:due', 'DUE', '2023-11-30T15:59:59.999Z'],
    ]);
  });

  it('sorts reminders by instant whatever order the offsets are listed in', () => {
    expect(dutySchedule(december, ['P1D', 'P3D'], LONG_AGO, SH).map((e) => iso(e.at))).toEqual([
      '2023-12-24T01:00:00.000Z',
      '2023-12-26T01:00:00.000Z',
      '2023-12-27T15:59:59.999Z',
    ]);
  });

  it('skips a reminder that would fall before the schedule was armed, and never skips the due event', () => {
    const armedAt = utc('2023-12-25T00:00:00Z');
    expect(dutySchedule(december, ['P3D', 'P1D'], armedAt, SH).map((e) => e.key)).toEqual(['progress:2023-12:reminder:P1D', 'progress:2023-12:due']);
    expect(dutySchedule(december, ['P3D', 'P1D'], utc('2024-01-01T00:00:00Z'), SH).map((e) => e.key)).toEqual(['progress:2023-12:due']);
  });

  it('keeps a reminder armed at exactly its instant', () => {
    expect(dutySchedule(december, ['P1D'], utc('2023-12-26T01:00:00Z'), SH)).toHaveLength(2);
  });

  it('places exact offsets exactly before the due instant (the demo: 3 s)', () => {
    const start = Date.UTC(2024, 0, 1);
    const [demoPlan] = unitDuties(demoTemplate(start)) as [Duty];
    expect(dutySchedule(demoPlan, ['PT3S'], start, SH).map((e) => [e.key, e.at - start])).toEqual([
      ['plan:reminder:PT3S', 7_000],
      ['plan:due', 10_000],
    ]);
  });

  it('sends a P0D reminder at 09:00 on the due day but drops a reminder at or after the due instant', () => {
    expect(dutySchedule(plan, ['P0D', 'PT0S'], LONG_AGO, SH).map((e) => [e.key, iso(e.at)])).toEqual([
      ['plan:reminder:P0D', '2023-11-30T01:00:00.000Z'],
      ['plan:due', '2023-11-30T15:59:59.999Z'],
    ]);
  });

  it('sends one reminder when two offsets land on the same instant', () => {
    expect(dutySchedule(plan, ['P1D', 'P1D'], LONG_AGO, SH).filter((e) => e.kind === 'REMINDER')).toHaveLength(1);
  });

  it('sends at 09:00 on the local clock across a clock change (New York, 10 March 2024)', () => {
    const due: Duty = { key: 'x', kind: 'SUMMARY', opensAt: 0, dueAt: endOfLocalDay('2024-03-11', NY), label: 'x' };
    expect(iso(due.dueAt)).toBe('2024-03-12T03:59:59.999Z');
    expect(dutySchedule(due, ['P3D', 'P1D'], LONG_AGO, NY).map((e) => iso(e.at))).toEqual([
      '2024-03-08T14:00:00.000Z', // 09:00 EST
      '2024-03-10T13:00:00.000Z', // 09:00 EDT
      '2024-03-12T03:59:59.999Z',
    ]);
  });

  it('refuses an offset that is not a duration', () => {
    expect(() => dutySchedule(plan, ['3 days'], LONG_AGO, SH)).toThrow(RangeError);
  });
});

describe('demoTemplate', () => {
  const start = Date.UTC(2024, 0, 1, 0, 0, 0); // 08:00:00 local

  it('is valid and writes its phases as local date-times with seconds', () => {
    const t = valid(demoTemplate(start));
    expect(t.phases.map((p) => [p.key, p.start, p.end])).toEqual([
      ['MOBILIZATION', '2024-01-01T08:00:00', '2024-01-01T08:00:10'],
      ['SELF_INSPECTION', '2024-01-01T08:00:10', '2024-01-01T08:00:40'],
      ['SPOT_CHECK', '2024-01-01T08:00:10', '2024-01-01T08:00:40'],
      ['SUMMARY', '2024-01-01T08:00:40', '2024-01-01T08:00:50'],
      ['SUPERVISION', '2024-01-01T08:00:00', '2024-01-01T08:00:50'],
    ]);
    expect(t.reporting).toMatchObject({ reminderOffsets: ['PT3S'], progressReport: { rule: 'EVERY', every: 'PT10S' } });
    expect(t.reporting.beforeDay).toBe('INCLUSIVE');
    expect(t.spotCheck).not.toHaveProperty('inspectionDue');
  });

  it('opens and closes its phases seconds after the start', () => {
    const w = phaseWindows(demoTemplate(start));
    const rel = Object.fromEntries(Object.entries(w).map(([k, x]) => [k, [(x.opensAt - start) / 1000, (x.closesAt - start) / 1000]]));
    expect(rel).toEqual({ MOBILIZATION: [0, 10], SELF_INSPECTION: [10, 40], SPOT_CHECK: [10, 40], SUMMARY: [40, 50], SUPERVISION: [0, 50] });
  });

  it('rounds a start with milliseconds up to the next whole second', () => {
    const w = phaseWindows(demoTemplate(start + 1));
    expect(w.MOBILIZATION.opensAt - start).toBe(1000);
  });

  it('rolls over local midnight', () => {
    const late = utc('2024-01-01T15:59:40Z'); // 23:59:40 local
    const t = valid(demoTemplate(late));
    expect(phase(t, 'SUMMARY').end).toBe('2024-01-02T00:00:30');
    expect(phaseWindows(t).SUMMARY.closesAt - late).toBe(50_000);
  });

  it('works in another zone', () => {
    const t = valid(demoTemplate(start, 'Europe/Berlin'));
    expect(phase(t, 'MOBILIZATION').start).toBe('2024-01-01T01:00:00');
    expect(unitDuties(t).map((d) => (d.dueAt - start) / 1000)).toEqual([10, 20, 30, 40, 50]);
  });

  it('gets a key per start second, so repeated runs do not collide on workflow ids', () => {
    expect(demoTemplate(start).key).not.toBe(demoTemplate(start + 1000).key);
  });
});

describe('validateTemplate', () => {
  it('fills in the Shanghai time zone when the template names none', () => {
    const t = datong() as Partial<CampaignTemplate>;
    delete t.timeZone;
    expect(valid(t).timeZone).toBe(SH);
  });

  it('fills in the INCLUSIVE reading of "X日前" when the template names none, and keeps EXCLUSIVE', () => {
    expect(valid(storedBeforeReadings()).reporting.beforeDay).toBe('INCLUSIVE');
    expect(valid(datong((t) => (t.reporting.beforeDay = 'EXCLUSIVE'))).reporting.beforeDay).toBe('EXCLUSIVE');
  });

  it('reads the plan\'s and the summary\'s dates by the reading when checking them against the phases', () => {
    // EXCLUSIVE "12月1日前" is due by the end of 30 November: inside mobilization.
    expect(valid(datong((t) => Object.assign(t.reporting, { beforeDay: 'EXCLUSIVE', implementationPlan: { due: '2023-12-01', phase: 'MOBILIZATION' } }))).reporting.implementationPlan.due).toBe('2023-12-01');
    // EXCLUSIVE "3月1日前" is due by the end of 29 February: before the summary phase starts.
    expect(fields(datong((t) => Object.assign(t.reporting, { beforeDay: 'EXCLUSIVE', summary: { due: '2024-03-01' } })))).toEqual(['reporting.summary.due']);
  });

  it('keeps inspectionDue of a stored template readable, and needs none', () => {
    expect(valid(datong((t) => (t.spotCheck.inspectionDue = 'P30D'))).spotCheck.inspectionDue).toBe('P30D');
    expect(valid(datong2023Template).spotCheck).not.toHaveProperty('inspectionDue');
  });

  it('returns a copy without unknown fields', () => {
    const t = valid({ ...datong(), sneaky: true });
    expect(t).not.toHaveProperty('sneaky');
    expect(t).toEqual(datong2023Template);
  });

  it('accepts a ratio of exactly 1 (check everybody)', () => {
    expect(valid(datong((t) => (t.spotCheck.minRatio = 1))).spotCheck.minRatio).toBe(1);
  });

  it('accepts every known industry', () => {
    expect(valid(datong((t) => (t.industries = [...INDUSTRY_CODES]))).industries).toHaveLength(16);
  });

  it('accepts valid hazard policy overrides', () => {
    const t = valid(datong((t) => (t.hazardPolicies = { MAJOR: { reminderOffsets: ['P5D'], sendTime: '08:30' } })));
    expect(t.hazardPolicies).toEqual({ MAJOR: { reminderOffsets: ['P5D'], sendTime: '08:30' } });
  });

  it('carries a case ladder override as data: the Datong plan lets its reviewers skip rungs; a rung\'s review time can be set', () => {
    expect(valid(datong2023Template).caseLadder).toEqual({ allowSkip: true });
    const t = valid(datong((t) => (t.caseLadder = { rungs: { SUMMONS: { reviewTime: 'P10D', reminderOffsets: ['P3D'] } }, sendTime: '08:30' })));
    expect(t.caseLadder).toEqual({ rungs: { SUMMONS: { reviewTime: 'P10D', reminderOffsets: ['P3D'] } }, sendTime: '08:30' });
  });

  it.each([
    ['a zero review time on a rung', (t: CampaignTemplate) => (t.caseLadder = { rungs: { SUMMONS: { reviewTime: 'P0D' } } }), 'caseLadder.rungs.SUMMONS.reviewTime'],
    ['an unknown rung', (t: CampaignTemplate) => ((t as { caseLadder: unknown }).caseLadder = { rungs: { WARNING: {} } }), 'caseLadder.rungs.WARNING'],
    ['a case ladder that is not an object', (t: CampaignTemplate) => ((t as { caseLadder: unknown }).caseLadder = 'strict'), 'caseLadder'],
    ['a ratio of 0', (t: CampaignTemplate) => (t.spotCheck.minRatio = 0), 'spotCheck.minRatio'],
    ['a ratio of 1.5', (t: CampaignTemplate) => (t.spotCheck.minRatio = 1.5), 'spotCheck.minRatio'],
    ['a ratio that is not a number', (t: CampaignTemplate) => ((t.spotCheck as { minRatio: unknown }).minRatio = '10%'), 'spotCheck.minRatio'],
    ['an unknown industry', (t: CampaignTemplate) => ((t.industries as string[])[3] = 'SPACE'), 'industries[3]'],
    ['an industry listed twice', (t: CampaignTemplate) => (t.industries[4] = 'COAL_MINE'), 'industries[4]'],
    ['an end before its start', (t: CampaignTemplate) => (t.phases[2]!.end = '2023-11-30'), 'phases[2].end'],
    ['an exact end equal to its start', (t: CampaignTemplate) => Object.assign(t.phases[0]!, { start: '2023-11-17T08:00', end: '2023-11-17T08:00:00' }), 'phases[0].end'],
    ['an unparsable date', (t: CampaignTemplate) => (t.phases[1]!.start = '2023-12-32'), 'phases[1].start'],
    ['a date-time with an offset', (t: CampaignTemplate) => (t.phases[0]!.start = '2023-11-17T00:00+08:00'), 'phases[0].start'],
    ['a bad reminder offset', (t: CampaignTemplate) => (t.reporting.reminderOffsets = ['P3D', 'P1X']), 'reporting.reminderOffsets[1]'],
    ['a bad inspection duration', (t: CampaignTemplate) => (t.spotCheck.inspectionDue = 'thirty days'), 'spotCheck.inspectionDue'],
    ['a zero inspection duration', (t: CampaignTemplate) => (t.spotCheck.inspectionDue = 'P0D'), 'spotCheck.inspectionDue'],
    ['a bad spot-check reminder', (t: CampaignTemplate) => (t.spotCheck.reminderOffsets = ['7 days']), 'spotCheck.reminderOffsets[0]'],
    ['strata without industry', (t: CampaignTemplate) => (t.spotCheck.strata = ['county']), 'spotCheck.strata'],
    ['an unknown stratum', (t: CampaignTemplate) => ((t.spotCheck as { strata: string[] }).strata = ['industry', 'town']), 'spotCheck.strata[1]'],
    ['an unknown population', (t: CampaignTemplate) => ((t.spotCheck as { population: string }).population = 'SOME'), 'spotCheck.population'],
    ['a bad time zone', (t: CampaignTemplate) => (t.timeZone = 'Mars/Olympus_Mons'), 'timeZone'],
    ['an empty name', (t: CampaignTemplate) => (t.name = ''), 'name'],
    ['a missing document number', (t: CampaignTemplate) => delete (t as Partial<CampaignTemplate>).documentNumber, 'documentNumber'],
    ['a missing phase name', (t: CampaignTemplate) => delete (t.phases[3] as Partial<CampaignTemplate['phases'][number]>).nameZh, 'phases[3].nameZh'],
    ['a key unfit for workflow ids', (t: CampaignTemplate) => (t.key = 'datong:2023'), 'key'],
    ['a version of 0', (t: CampaignTemplate) => (t.version = 0), 'version'],
    ['a bad publication date', (t: CampaignTemplate) => (t.publishedOn = '2023-11-31'), 'publishedOn'],
    ['the plan due after mobilization ends', (t: CampaignTemplate) => (t.reporting.implementationPlan.due = '2023-12-01'), 'reporting.implementationPlan.due'],
    ['the plan due before the campaign', (t: CampaignTemplate) => (t.reporting.implementationPlan.due = '2023-11-10'), 'reporting.implementationPlan.due'],
    ['the plan attached to another phase', (t: CampaignTemplate) => ((t.reporting.implementationPlan as { phase: string }).phase = 'SUMMARY'), 'reporting.implementationPlan.phase'],
    ['the summary due before the summary phase starts', (t: CampaignTemplate) => (t.reporting.summary.due = '2024-02-29'), 'reporting.summary.due'],
    ['the summary due after the campaign', (t: CampaignTemplate) => (t.reporting.summary.due = '2024-03-06'), 'reporting.summary.due'],
    ['a progress day of 32', (t: CampaignTemplate) => Object.assign(t.reporting.progressReport, { day: 32 }), 'reporting.progressReport.day'],
    ['a progress day of 0', (t: CampaignTemplate) => Object.assign(t.reporting.progressReport, { day: 0 }), 'reporting.progressReport.day'],
    ['a progress day 1 read EXCLUSIVE (the month before)', (t: CampaignTemplate) => Object.assign(t.reporting, { beforeDay: 'EXCLUSIVE', progressReport: { ...t.reporting.progressReport, day: 1 } }), 'reporting.progressReport.day'],
    ['a fractional progress day', (t: CampaignTemplate) => Object.assign(t.reporting.progressReport, { day: 27.5 }), 'reporting.progressReport.day'],
    ['an unknown reading of "X日前"', (t: CampaignTemplate) => ((t.reporting as { beforeDay: unknown }).beforeDay = 'SOMETIMES'), 'reporting.beforeDay'],
    ['an unknown progress rule', (t: CampaignTemplate) => Object.assign(t.reporting.progressReport, { rule: 'WEEKLY' }), 'reporting.progressReport.rule'],
    ['a progress window that closes before it opens', (t: CampaignTemplate) => Object.assign(t.reporting.progressReport, { from: 'SUMMARY', to: 'MOBILIZATION' }), 'reporting.progressReport.to'],
    ['a zero progress step', (t: CampaignTemplate) => (t.reporting.progressReport = { rule: 'EVERY', every: 'PT0S', from: 'SELF_INSPECTION', to: 'SPOT_CHECK' }), 'reporting.progressReport.every'],
    ['a progress step giving millions of reports', (t: CampaignTemplate) => (t.reporting.progressReport = { rule: 'EVERY', every: 'PT1S', from: 'SELF_INSPECTION', to: 'SPOT_CHECK' }), 'reporting.progressReport.every'],
    ['a bad MAJOR send time', (t: CampaignTemplate) => (t.hazardPolicies = { MAJOR: { sendTime: '25:00' } }), 'hazardPolicies.MAJOR.sendTime'],
    ['a bad MAJOR escalation step', (t: CampaignTemplate) => (t.hazardPolicies = { MAJOR: { escalationAfter: 'soon' } }), 'hazardPolicies.MAJOR.escalationAfter'],
    ['a bad GENERAL reminder', (t: CampaignTemplate) => (t.hazardPolicies = { GENERAL: { reminderOffsets: ['P3D', 'P99999D'] } }), 'hazardPolicies.GENERAL.reminderOffsets[1]'],
    ['an unknown hazard grade', (t: CampaignTemplate) => ((t as { hazardPolicies: unknown }).hazardPolicies = { CRITICAL: {} }), 'hazardPolicies.CRITICAL'],
    ['an unknown policy field', (t: CampaignTemplate) => ((t as { hazardPolicies: unknown }).hazardPolicies = { MAJOR: { escalation: 'P1D' } }), 'hazardPolicies.MAJOR.escalation'],
    ['a work item numbered twice', (t: CampaignTemplate) => (t.workLines[1]!.items[0]!.no = 7), 'workLines[1].items[0].no'],
    ['a fifth line of work', (t: CampaignTemplate) => ((t.workLines[3] as { line: number }).line = 5), 'workLines[3].line'],
  ])('refuses %s, naming exactly that field', (_what, edit, field) => {
    expect(fields(datong(edit))).toEqual([field]);
  });

  it('refuses a duplicated phase, naming the second one, and the phase it replaced as missing', () => {
    const t = datong((t) => (t.phases[3] = { ...t.phases[2]! }));
    expect(errorsOf(t)).toEqual([
      { field: 'phases[3].key', reason: 'phase SPOT_CHECK appears twice (first at phases[2])' },
      { field: 'phases', reason: expect.stringContaining('phase SUMMARY is missing') },
    ]);
  });

  it('refuses an unknown phase key, which also leaves that phase missing', () => {
    const t = datong((t) => ((t.phases[0] as { key: string }).key = 'PARTY'));
    expect(errorsOf(t)).toEqual([
      { field: 'phases[0].key', reason: "'PARTY' is not a phase: one of MOBILIZATION, SELF_INSPECTION, SPOT_CHECK, SUMMARY, SUPERVISION" },
      { field: 'phases', reason: expect.stringContaining('phase MOBILIZATION is missing') },
    ]);
  });

  it('refuses a missing phase', () => {
    const t = datong((t) => t.phases.splice(0, 1));
    expect(errorsOf(t)).toEqual([{ field: 'phases', reason: expect.stringContaining('phase MOBILIZATION is missing') }]);
  });

  it('gives reasons a person can act on', () => {
    const reason = (edit: (t: CampaignTemplate) => void) => errorsOf(datong(edit))[0]!.reason;
    expect(reason((t) => (t.spotCheck.minRatio = 0))).toBe('must be a share in (0, 1] such as 0.1 for 10%, got 0');
    expect(reason((t) => ((t.industries as string[])[3] = 'SPACE'))).toMatch(/^'SPACE' is not an industry: one of COAL_MINE, /);
    expect(reason((t) => (t.phases[2]!.end = '2023-11-30'))).toBe("'2023-11-30' is before its start '2023-12-01'");
    expect(reason((t) => (t.timeZone = 'Mars/Olympus_Mons'))).toBe("'Mars/Olympus_Mons' is not an IANA time zone such as Asia/Shanghai");
    expect(reason((t) => (t.reporting.implementationPlan.due = '2023-12-01'))).toBe(
      "'2023-12-01' is after the mobilization phase ends (2023-11-30T23:59:59)",
    );
    expect(reason((t) => (t.reporting.summary.due = '2024-03-06'))).toBe(
      "'2024-03-06' falls outside the campaign (2023-11-17T00:00:00 – 2024-03-05T23:59:59 Asia/Shanghai)",
    );
    expect(reason((t) => (t.phases[0]!.start = '2023-11-17T00:00+08:00'))).toContain("no offset: the template's timeZone Asia/Shanghai applies");
    expect(reason((t) => Object.assign(t.reporting.progressReport, { day: 32 }))).toBe(
      "must be an integer from 1 to 31 (27 = due by the end of the 27th; past a month's last day, by the end of that day), got 32",
    );
    expect(reason((t) => (t.reporting.progressReport = { rule: 'EVERY', every: 'PT1S', from: 'SELF_INSPECTION', to: 'SPOT_CHECK' }))).toBe(
      `yields more than ${MAX_PROGRESS_REPORTS} progress reports`,
    );
  });

  it('still checks the format of every instant when the time zone is bad', () => {
    const t = datong((t) => {
      t.timeZone = 'Nowhere/City';
      t.phases[1]!.end = 'soon';
    });
    expect(fields(t)).toEqual(['timeZone', 'phases[1].end']);
  });

  it('reports every problem at once', () => {
    const t = datong((t) => {
      t.spotCheck.minRatio = 0;
      (t.industries as string[])[0] = 'SPACE';
      t.reporting.summary.due = 'later';
    });
    expect(fields(t).sort()).toEqual(['industries[0]', 'reporting.summary.due', 'spotCheck.minRatio']);
  });

  it.each([[null], [42], ['template'], [[]], [undefined]])('refuses %j, which is no object, without throwing', (input: unknown) => {
    expect(fields(input)).toEqual(['template']);
  });

  it('refuses an empty object field by field, without throwing', () => {
    expect(fields({})).toEqual(
      expect.arrayContaining(['key', 'version', 'name', 'issuingBody', 'documentNumber', 'publishedOn', 'phases', 'industries', 'workLines', 'reporting', 'spotCheck']),
    );
  });

  it('does not throw on garbage inside the structure', () => {
    const garbage = { ...datong(), phases: [null, 3, { key: 'SUMMARY', start: 5 }], workLines: [{ items: [null] }], reporting: { progressReport: [] }, spotCheck: { strata: 'industry' }, hazardPolicies: [] };
    expect(() => validateTemplate(garbage)).not.toThrow();
    expect(validateTemplate(garbage).ok).toBe(false);
  });
});
