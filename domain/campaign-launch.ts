// What a launch may do with a stored template: refuse one whose deadlines are already behind it,
// and move one (a plan written for past years, the Datong plan's 2023-2024) to a later start.
import { PHASE_KEYS, phaseWindows, unitDuties, type CampaignTemplate } from './campaign';
import { validateTemplate } from './campaign-template';
import type { FieldError } from './errors';
import { addToLocalDate, parseLocalDate } from './time';

const DAY_MS = 86_400_000;

/** The local date a phase instant (a date, or a local date-time) falls on. */
const dateOf = (instant: string) => instant.slice(0, 10);

function dayNumber(date: string): number {
  const d = parseLocalDate(date);
  if (!d) throw new RangeError(`invalid local date: ${date}`);
  return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
}

/**
 * The template with every phase date and the plan's and the summary's due dates moved alike, so
 * that its earliest phase starts on `startOn` (a local date in the template's zone): by the whole
 * years that fit first, a month's end staying one (2024-02-29 + 3 years = 2027-02-28, the plan's
 * 2月底), then by the days left. Started on the same day of another year, a plan keeps its calendar
 * (11月30日前 stays the 30th of November). Times of day stay; the monthly report keeps its day of
 * the month (每月27日前 is still the 27th); publishedOn stays (it dates the document, not the
 * campaign). Validate the result: a move can land a local time in a clock change.
 */
export function shiftTemplate(t: CampaignTemplate, startOn: string): CampaignTemplate {
  const first = t.phases.map((p) => dateOf(p.start)).reduce((a, b) => (b < a ? b : a));
  let years = Number(startOn.slice(0, 4)) - Number(first.slice(0, 4));
  if (addToLocalDate(first, { years }) > startOn) years -= 1;
  const days = dayNumber(startOn) - dayNumber(addToLocalDate(first, { years }));
  const move = (instant: string) => `${addToLocalDate(addToLocalDate(dateOf(instant), { years }), { days })}${instant.slice(10)}`;
  return {
    ...t,
    phases: t.phases.map((p) => ({ ...p, start: move(p.start), end: move(p.end) })),
    reporting: { ...t.reporting, implementationPlan: { ...t.reporting.implementationPlan, due: move(t.reporting.implementationPlan.due) }, summary: { due: move(t.reporting.summary.due) } },
  };
}

/**
 * The first deadline of a campaign run on this template that is already past at `now` (a phase
 * closing, a unit duty due), or null when none is. Launched, such a campaign would close the phase
 * at once and mark the duty missed (mailing every unit and opening cases over work nobody could
 * have done): a launch refuses it.
 */
export function firstPastDeadline(t: CampaignTemplate, now: number): { what: string; at: number } | null {
  const windows = phaseWindows(t);
  const deadlines = [...PHASE_KEYS.map((k) => ({ what: `phase ${k} closes`, at: windows[k].closesAt })), ...unitDuties(t).map((d) => ({ what: `duty '${d.key}' is due`, at: d.dueAt }))];
  const past = deadlines.filter((d) => d.at <= now).sort((a, b) => a.at - b.at);
  return past[0] ?? null;
}

/**
 * The template a launch at `now` runs: the stored one, or that one moved to start on `startOn`.
 * Refused, naming `startOn` (or `templateVersion` without it), when a move cannot be written or
 * when a phase would close or a duty fall due before `now`. A moved template keeps the stored
 * one's fields as they are (one stored without `reporting.beforeDay` keeps its old reading).
 */
export function templateToLaunch(stored: CampaignTemplate, startOn: string | undefined, now: number): { ok: true; template: CampaignTemplate } | { ok: false; errors: FieldError[] } {
  const field = startOn === undefined ? 'templateVersion' : 'startOn';
  const refuse = (reason: string) => ({ ok: false as const, errors: [{ field, reason }] });
  let template = stored;
  if (startOn !== undefined) {
    try {
      template = shiftTemplate(stored, startOn);
    } catch (err) {
      // A date the calendar maths cannot write (a year before 100).
      return refuse(`cannot move ${stored.key} v${stored.version} to start on ${startOn}: ${(err as Error).message}`);
    }
    const checked = validateTemplate(template);
    if (!checked.ok) return { ok: false, errors: checked.errors.map((e) => ({ field, reason: `moved to start on ${startOn}, ${e.field} ${e.reason}` })) };
  }
  const past = firstPastDeadline(template, now);
  if (!past) return { ok: true, template };
  const remedy = startOn === undefined ? 'give startOn, a local date from which to run it' : 'start it later';
  return refuse(`${template.key} v${template.version}: ${past.what} at ${new Date(past.at).toISOString()}, already past; ${remedy}`);
}
