// Checking a campaign template that comes from outside (an API body, stored JSON): every problem
// reported with its field path, and a normalized copy returned. The template's types and the
// maths over a valid one are in campaign.ts.
import { copyCaseLadderOverride, validateCaseLadderOverride, type CaseLadderOverride } from './accountability';
import { approxDays, parseDuration } from './duration';
import type { FieldError } from './errors';
import { HAZARD_GRADES, type HazardGrade } from './hazard';
import { INDUSTRY_CODES, type Industry } from './industries';
import { MAX_POLICY_STEP_DAYS, validatePolicyOverride, type HazardPolicyOverride } from './policy';
import { validateScoringScheme, type ScoringScheme } from './scoring';
import { validateRiskMapRule, type RiskMapRule } from './risk-map';
import type { SpotCheckStratumBy } from './spot-check';
import { validateLeads } from './work-items';
import { DEFAULT_TIME_ZONE, isValidTimeZone, localDateOf, localTimeOf, parseLocalDate } from './time';
import {
  BEFORE_DAY_READINGS,
  DATE_ONLY_RE,
  MAX_PROGRESS_REPORTS,
  PHASE_KEYS,
  monthlyDayBounds,
  progressReports,
  reportingDueInstant,
  templateInstant,
  type BeforeDayReading,
  type CampaignPhase,
  type CampaignTemplate,
  type Edge,
  type PhaseKey,
  type PhaseWindow,
  type ProgressReportRule,
  type ReportingRules,
  type SpotCheckRule,
  type WorkItem,
  type WorkLine,
} from './campaign';

const TEMPLATE_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type TemplateValidation = { ok: true; template: CampaignTemplate } | { ok: false; errors: FieldError[] };

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)));
const isPhaseKey = (v: unknown): v is PhaseKey => typeof v === 'string' && (PHASE_KEYS as readonly string[]).includes(v);
const INSTANT_FORMS = 'a date YYYY-MM-DD or a local date-time YYYY-MM-DDTHH:mm[:ss]';

/**
 * Checks a template from outside (API body, stored JSON) and returns a normalized copy: known
 * fields only, timeZone defaulted to Asia/Shanghai, reporting.beforeDay to INCLUSIVE ("X日前"
 * includes day X; a copy always names its reading, so a stored template keeps it). Every
 * problem is reported with its field path (`phases[2].end`, `spotCheck.minRatio`,
 * `industries[3]`, `hazardPolicies.MAJOR.sendTime`). The plan's and the summary's dates and the
 * monthly day are read by that reading.
 * Cross-field rules: each phase ends after it starts; all five phases exactly once; the
 * implementation plan is due inside the campaign and no later than the mobilization phase's end;
 * the summary is due inside the campaign and no earlier than the summary phase's start; the
 * progress window is non-empty and yields at most MAX_PROGRESS_REPORTS reports.
 */
export function validateTemplate(t: unknown): TemplateValidation {
  const errors: FieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field, reason });
  if (!isRecord(t)) return { ok: false, errors: [{ field: 'template', reason: 'a campaign template must be a JSON object' }] };

  const text = (obj: Rec, name: string, path: string): string => {
    const v = obj[name];
    if (typeof v !== 'string' || v.trim() === '') {
      err(path, v === undefined ? 'is required: a non-empty string' : `must be a non-empty string, got ${show(v)}`);
      return '';
    }
    return v;
  };
  const record = (obj: Rec, name: string, path: string): Rec | null => {
    const v = obj[name];
    if (isRecord(v)) return v;
    err(path, v === undefined ? 'is required: an object' : `must be an object, got ${show(v)}`);
    return null;
  };
  const duration = (v: unknown, path: string, example: string, positive: boolean): string => {
    const d = typeof v === 'string' ? parseDuration(v) : null;
    if (!d) err(path, `${show(v)} is not an ISO-8601 duration such as ${example}`);
    else if (!(approxDays(d) <= MAX_POLICY_STEP_DAYS)) err(path, `${show(v)} is longer than five years`);
    else if (positive && !(approxDays(d) > 0)) err(path, `${show(v)} must be longer than zero`);
    return typeof v === 'string' ? v : '';
  };
  const offsets = (obj: Rec, name: string, path: string): string[] => {
    const v = obj[name];
    if (!Array.isArray(v)) {
      err(`${path}.${name}`, `must be a list of ISO-8601 durations such as ["P3D", "P1D"] or ["PT3S"], got ${show(v)}`);
      return [];
    }
    v.forEach((o, i) => {
      if (typeof o !== 'string') err(`${path}.${name}[${i}]`, `${show(o)} is not an ISO-8601 duration such as P3D or PT30S`);
    });
    const list = v.filter((o): o is string => typeof o === 'string');
    if (list.length === v.length) errors.push(...validatePolicyOverride({ reminderOffsets: list }, path));
    return list;
  };

  // Identity
  const key = text(t, 'key', 'key');
  if (key && !TEMPLATE_KEY_RE.test(key)) err('key', `'${key}' must be 1-64 letters, digits, '.', '_' or '-' (it goes into workflow ids)`);
  const version = t.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) err('version', `must be a positive integer, got ${show(version)}`);
  const name = text(t, 'name', 'name');
  const issuingBody = text(t, 'issuingBody', 'issuingBody');
  const documentNumber = text(t, 'documentNumber', 'documentNumber');
  const publishedOn = text(t, 'publishedOn', 'publishedOn');
  if (publishedOn && !(DATE_ONLY_RE.test(publishedOn) && parseLocalDate(publishedOn))) err('publishedOn', `'${publishedOn}' is not a date YYYY-MM-DD`);

  let timeZone = DEFAULT_TIME_ZONE;
  let zoneOk = true;
  if (t.timeZone !== undefined) {
    if (typeof t.timeZone !== 'string' || t.timeZone === '' || !isValidTimeZone(t.timeZone)) {
      err('timeZone', `${show(t.timeZone)} is not an IANA time zone such as Asia/Shanghai`);
      zoneOk = false;
    } else timeZone = t.timeZone;
  }
  // With a bad zone, instants are still read (in UTC) to report their format, but not compared.
  const tz = zoneOk ? timeZone : 'UTC';
  const instant = (obj: Rec, name: string, path: string, edge: Edge, read = (v: string) => templateInstant(v, tz, edge)): { text: string; at: number | null } => {
    const v = text(obj, name, path);
    if (!v) return { text: v, at: null };
    const at = read(v);
    if (at === null) {
      const hint = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(v) && v.includes('T') ? ` (no offset: the template's timeZone ${timeZone} applies)` : '';
      err(path, `'${v}' is not ${INSTANT_FORMS}${hint}`);
    }
    return { text: v, at };
  };
  const local = (ms: number) => `${localDateOf(ms, tz)}T${localTimeOf(ms, tz)}`;

  // Phases
  const phases: CampaignPhase[] = [];
  const windows: Partial<Record<PhaseKey, PhaseWindow>> = {};
  if (!Array.isArray(t.phases)) {
    err('phases', `is required: a list of the five phases ${PHASE_KEYS.join(', ')}`);
  } else {
    const seenAt = new Map<PhaseKey, number>();
    t.phases.forEach((p: unknown, i) => {
      const path = `phases[${i}]`;
      if (!isRecord(p)) return err(path, `must be an object, got ${show(p)}`);
      let phaseKey: PhaseKey | null = null;
      if (!isPhaseKey(p.key)) err(`${path}.key`, `${show(p.key)} is not a phase: one of ${PHASE_KEYS.join(', ')}`);
      else if (seenAt.has(p.key)) err(`${path}.key`, `phase ${p.key} appears twice (first at phases[${seenAt.get(p.key)}])`);
      else {
        phaseKey = p.key;
        seenAt.set(p.key, i);
      }
      const nameZh = text(p, 'nameZh', `${path}.nameZh`);
      const nameEn = text(p, 'nameEn', `${path}.nameEn`);
      const start = instant(p, 'start', `${path}.start`, 'start');
      const end = instant(p, 'end', `${path}.end`, 'end');
      if (start.at !== null && end.at !== null && end.at <= start.at) {
        err(`${path}.end`, `'${end.text}' is ${end.at < start.at ? 'before' : 'not after'} its start '${start.text}'`);
      } else if (phaseKey && start.at !== null && end.at !== null) {
        windows[phaseKey] = { opensAt: start.at, closesAt: end.at };
      }
      if (phaseKey) phases.push({ key: phaseKey, nameZh, nameEn, start: start.text, end: end.text });
    });
    for (const k of PHASE_KEYS) if (!seenAt.has(k)) err('phases', `phase ${k} is missing: a campaign has each of ${PHASE_KEYS.join(', ')} exactly once`);
  }
  const allWindows = PHASE_KEYS.every((k) => windows[k]) ? (windows as Record<PhaseKey, PhaseWindow>) : null;
  const campaign = allWindows && {
    opensAt: Math.min(...PHASE_KEYS.map((k) => allWindows[k].opensAt)),
    closesAt: Math.max(...PHASE_KEYS.map((k) => allWindows[k].closesAt)),
  };
  const campaignText = campaign ? `${local(campaign.opensAt)} – ${local(campaign.closesAt)} ${tz}` : '';

  // Scope
  const industries: Industry[] = [];
  if (!Array.isArray(t.industries) || t.industries.length === 0) {
    err('industries', `is required: a non-empty list of industry codes (${INDUSTRY_CODES.join(', ')})`);
  } else {
    t.industries.forEach((c: unknown, i) => {
      if (typeof c !== 'string' || !(INDUSTRY_CODES as string[]).includes(c)) {
        err(`industries[${i}]`, `${show(c)} is not an industry: one of ${INDUSTRY_CODES.join(', ')}`);
      } else if (industries.includes(c as Industry)) err(`industries[${i}]`, `'${c}' is listed twice`);
      else industries.push(c as Industry);
    });
  }

  // Work items
  const workLines: WorkLine[] = [];
  if (!Array.isArray(t.workLines)) {
    err('workLines', 'is required: a list of lines of work (1-4) with their numbered items');
  } else {
    const itemAt = new Map<number, string>();
    t.workLines.forEach((l: unknown, i) => {
      const path = `workLines[${i}]`;
      if (!isRecord(l)) return err(path, `must be an object, got ${show(l)}`);
      const line = l.line;
      if (line !== 1 && line !== 2 && line !== 3 && line !== 4) err(`${path}.line`, `must be 1, 2, 3 or 4, got ${show(line)}`);
      else if (workLines.some((w) => w.line === line)) err(`${path}.line`, `line ${line} appears twice`);
      const nameZh = text(l, 'nameZh', `${path}.nameZh`);
      const nameEn = text(l, 'nameEn', `${path}.nameEn`);
      const items: WorkItem[] = [];
      if (!Array.isArray(l.items) || l.items.length === 0) err(`${path}.items`, 'is required: a non-empty list of { no, textZh }');
      else {
        l.items.forEach((it: unknown, j) => {
          const ipath = `${path}.items[${j}]`;
          if (!isRecord(it)) return err(ipath, `must be an object, got ${show(it)}`);
          const no = it.no;
          if (typeof no !== 'number' || !Number.isSafeInteger(no) || no < 1) err(`${ipath}.no`, `must be a positive integer, got ${show(no)}`);
          else if (itemAt.has(no)) err(`${ipath}.no`, `item ${no} is numbered twice (first at ${itemAt.get(no)})`);
          else itemAt.set(no, ipath);
          const item: WorkItem = { no: no as number, textZh: text(it, 'textZh', `${ipath}.textZh`) };
          const applies = it.selfInspection;
          if (applies === 'ALL') item.selfInspection = 'ALL';
          else if (Array.isArray(applies) && applies.length > 0 && applies.every((c) => typeof c === 'string' && (INDUSTRY_CODES as string[]).includes(c))) item.selfInspection = [...new Set(applies as Industry[])];
          else if (applies !== undefined) err(`${ipath}.selfInspection`, `must be ALL or a non-empty list of industry codes (${INDUSTRY_CODES.join(', ')}), got ${show(applies)}`);
          if (it.leads !== undefined) {
            const leads = validateLeads(it.leads, `${ipath}.leads`);
            if (Array.isArray(leads)) errors.push(...leads);
            else item.leads = leads;
          }
          items.push(item);
        });
      }
      if (line === 1 || line === 2 || line === 3 || line === 4) workLines.push({ line, nameZh, nameEn, items });
    });
  }

  // Reporting duties
  let reporting: ReportingRules | null = null;
  const rep = record(t, 'reporting', 'reporting');
  if (rep) {
    let beforeDay: BeforeDayReading = 'INCLUSIVE';
    if (rep.beforeDay !== undefined) {
      if ((BEFORE_DAY_READINGS as readonly unknown[]).includes(rep.beforeDay)) beforeDay = rep.beforeDay as BeforeDayReading;
      else err('reporting.beforeDay', `must be 'INCLUSIVE' ("X日前" = by the end of day X) or 'EXCLUSIVE' (by the end of day X - 1), got ${show(rep.beforeDay)}`);
    }
    const dueInstant = (obj: Rec, path: string) => instant(obj, 'due', path, 'end', (v) => reportingDueInstant(v, tz, beforeDay));
    const plan = record(rep, 'implementationPlan', 'reporting.implementationPlan');
    const planDue = plan ? dueInstant(plan, 'reporting.implementationPlan.due') : null;
    if (plan && plan.phase !== 'MOBILIZATION') err('reporting.implementationPlan.phase', `must be 'MOBILIZATION', got ${show(plan.phase)}`);

    const pr = record(rep, 'progressReport', 'reporting.progressReport');
    let progress: ProgressReportRule | null = null;
    if (pr) {
      const from = pr.from;
      const to = pr.to;
      if (!isPhaseKey(from)) err('reporting.progressReport.from', `${show(from)} is not a phase: one of ${PHASE_KEYS.join(', ')}`);
      if (!isPhaseKey(to)) err('reporting.progressReport.to', `${show(to)} is not a phase: one of ${PHASE_KEYS.join(', ')}`);
      if (pr.rule === 'MONTHLY_BEFORE_DAY') {
        const day = pr.day;
        const { min, max } = monthlyDayBounds(beforeDay);
        if (typeof day !== 'number' || !Number.isInteger(day) || day < min || day > max) {
          const meaning = beforeDay === 'INCLUSIVE' ? '27 = due by the end of the 27th' : '27 = due by the end of the 26th';
          err('reporting.progressReport.day', `must be an integer from ${min} to ${max} (${meaning}; past a month's last day, by the end of that day), got ${show(day)}`);
        } else if (isPhaseKey(from) && isPhaseKey(to)) progress = { rule: 'MONTHLY_BEFORE_DAY', day, from, to };
      } else if (pr.rule === 'EVERY') {
        const before = errors.length;
        const every = duration(pr.every, 'reporting.progressReport.every', 'P1M or PT10S', true);
        if (errors.length === before && isPhaseKey(from) && isPhaseKey(to)) progress = { rule: 'EVERY', every, from, to };
      } else {
        err('reporting.progressReport.rule', `must be 'MONTHLY_BEFORE_DAY' or 'EVERY', got ${show(pr.rule)}`);
      }
      if (allWindows && isPhaseKey(from) && isPhaseKey(to) && allWindows[from].opensAt > allWindows[to].closesAt) {
        err('reporting.progressReport.to', `phase ${to} closes before phase ${from} opens: the reporting window is empty`);
      }
    }

    const sum = record(rep, 'summary', 'reporting.summary');
    const summaryDue = sum ? dueInstant(sum, 'reporting.summary.due') : null;
    const reminderOffsets = offsets(rep, 'reminderOffsets', 'reporting');

    if (zoneOk && campaign && allWindows) {
      if (planDue?.at != null) {
        if (planDue.at < campaign.opensAt || planDue.at > campaign.closesAt) {
          err('reporting.implementationPlan.due', `'${planDue.text}' falls outside the campaign (${campaignText})`);
        } else if (planDue.at > allWindows.MOBILIZATION.closesAt) {
          err('reporting.implementationPlan.due', `'${planDue.text}' is after the mobilization phase ends (${local(allWindows.MOBILIZATION.closesAt)})`);
        }
      }
      if (summaryDue?.at != null) {
        if (summaryDue.at < allWindows.SUMMARY.opensAt) {
          err('reporting.summary.due', `'${summaryDue.text}' is before the summary phase starts (${local(allWindows.SUMMARY.opensAt)})`);
        } else if (summaryDue.at > campaign.closesAt) {
          err('reporting.summary.due', `'${summaryDue.text}' falls outside the campaign (${campaignText})`);
        }
      }
    }
    if (plan && planDue && pr && progress && sum && summaryDue) {
      reporting = { implementationPlan: { due: planDue.text, phase: 'MOBILIZATION' }, progressReport: progress, summary: { due: summaryDue.text }, reminderOffsets, beforeDay };
    }
  }

  // Spot check
  let spotCheck: SpotCheckRule | null = null;
  const sc = record(t, 'spotCheck', 'spotCheck');
  if (sc) {
    const ratio = sc.minRatio;
    if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0 || ratio > 1) {
      err('spotCheck.minRatio', `must be a share in (0, 1] such as 0.1 for 10%, got ${show(ratio)}`);
    }
    const strata: SpotCheckStratumBy[] = [];
    if (!Array.isArray(sc.strata)) err('spotCheck.strata', `must be a list such as ["industry"] or ["industry", "county"], got ${show(sc.strata)}`);
    else {
      sc.strata.forEach((s: unknown, i) => {
        if (s !== 'industry' && s !== 'county') err(`spotCheck.strata[${i}]`, `${show(s)} is not a stratum: 'industry' or 'county'`);
        else if (strata.includes(s)) err(`spotCheck.strata[${i}]`, `'${s}' is listed twice`);
        else strata.push(s);
      });
      if (!sc.strata.includes('industry')) err('spotCheck.strata', "must include 'industry': the share is drawn in every industry");
    }
    const population = sc.population;
    if (population !== 'COUNTY_SUPERVISED' && population !== 'ALL') err('spotCheck.population', `must be 'COUNTY_SUPERVISED' or 'ALL', got ${show(population)}`);
    // Optional and unused since inspections are due at the phase's close; still checked where given.
    const inspectionDue = sc.inspectionDue === undefined ? undefined : duration(sc.inspectionDue, 'spotCheck.inspectionDue', 'P30D', true);
    const reminderOffsets = offsets(sc, 'reminderOffsets', 'spotCheck');
    if (population === 'COUNTY_SUPERVISED' || population === 'ALL') {
      spotCheck = { minRatio: ratio as number, strata, population, reminderOffsets };
      if (inspectionDue !== undefined) spotCheck.inspectionDue = inspectionDue;
    }
  }

  // Hazard policy overrides for hazards found in this campaign
  let hazardPolicies: CampaignTemplate['hazardPolicies'];
  if (t.hazardPolicies !== undefined) {
    if (!isRecord(t.hazardPolicies)) err('hazardPolicies', `must be an object with GENERAL and/or MAJOR, got ${show(t.hazardPolicies)}`);
    else {
      hazardPolicies = {};
      for (const [grade, o] of Object.entries(t.hazardPolicies)) {
        const path = `hazardPolicies.${grade}`;
        if (!(HAZARD_GRADES as readonly string[]).includes(grade)) {
          err(path, `'${grade}' is not a hazard grade: ${HAZARD_GRADES.join(' or ')}`);
          continue;
        }
        if (o === undefined) continue;
        if (!isRecord(o)) {
          err(path, `must be an object with reminderOffsets, escalationAfter and/or sendTime, got ${show(o)}`);
          continue;
        }
        const override: HazardPolicyOverride = {};
        let shapeOk = true;
        for (const [field, v] of Object.entries(o)) {
          if (v === undefined) continue;
          if (field === 'reminderOffsets' && Array.isArray(v) && v.every((x) => typeof x === 'string')) override.reminderOffsets = [...v];
          else if ((field === 'escalationAfter' || field === 'sendTime') && typeof v === 'string') override[field] = v;
          else {
            shapeOk = false;
            err(
              `${path}.${field}`,
              ['reminderOffsets', 'escalationAfter', 'sendTime'].includes(field)
                ? `${show(v)} has the wrong type (reminderOffsets: a list of durations; escalationAfter: a duration; sendTime: HH:mm)`
                : `'${field}' is not a policy field: reminderOffsets, escalationAfter or sendTime`,
            );
          }
        }
        // A hazard's policy may count working days (P3WD): its workflow carries the calendar.
        if (shapeOk) errors.push(...validatePolicyOverride(override, path, { workingDays: true }));
        hazardPolicies[grade as HazardGrade] = override;
      }
    }
  }

  // The accountability ladder of the campaign's cases
  let caseLadder: CaseLadderOverride | undefined;
  if (t.caseLadder !== undefined) {
    const ladderErrors = validateCaseLadderOverride(t.caseLadder, 'caseLadder');
    errors.push(...ladderErrors);
    if (ladderErrors.length === 0) caseLadder = copyCaseLadderOverride(t.caseLadder as CaseLadderOverride);
  }

  // Scoring and ranking (打分排队)
  let scoring: ScoringScheme | undefined;
  if (t.scoring !== undefined) {
    const checked = validateScoringScheme(t.scoring, 'scoring');
    errors.push(...checked.errors);
    if (checked.scheme) scoring = checked.scheme;
  }

  // The four-colour risk map (四色图): shapes first (stored JSON is not schema-checked), then the rule.
  let riskMap: RiskMapRule | undefined;
  if (t.riskMap !== undefined) {
    const rm = t.riskMap;
    const levels = isRecord(rm) && Array.isArray(rm.levels) ? (rm.levels as unknown[]) : null;
    if (!levels) err('riskMap', `must be an object with a list of levels, got ${show(rm)}`);
    else if (!levels.every((l) => isRecord(l) && typeof l.level === 'string' && Array.isArray(l.anyOf) && (l.anyOf as unknown[]).every((c) => isRecord(c) && typeof c.metric === 'string' && typeof c.atLeast === 'number'))) {
      err('riskMap.levels', 'each level is { level, anyOf: [{ metric, atLeast }] }');
    } else {
      const copy: RiskMapRule = { levels: (levels as RiskMapRule['levels']).map((l) => ({ level: l.level, anyOf: l.anyOf.map((c) => ({ metric: c.metric, atLeast: c.atLeast })) })) };
      const rmErrors = validateRiskMapRule(copy, 'riskMap');
      errors.push(...rmErrors);
      if (rmErrors.length === 0) riskMap = copy;
    }
  }

  // Only a valid template is worth counting progress reports for (a PT1S step over months would be millions).
  if (errors.length === 0 && reporting && spotCheck && allWindows) {
    const candidate = buildTemplate();
    try {
      const n = progressReports(candidate, allWindows, MAX_PROGRESS_REPORTS).length;
      if (n > MAX_PROGRESS_REPORTS) {
        err(`reporting.progressReport.${reporting.progressReport.rule === 'EVERY' ? 'every' : 'rule'}`, `yields more than ${MAX_PROGRESS_REPORTS} progress reports`);
      }
    } catch (e) {
      err('reporting.progressReport', `cannot be scheduled: ${(e as Error).message}`);
    }
    if (errors.length === 0) return { ok: true, template: candidate };
  }
  if (errors.length === 0) err('template', 'is incomplete'); // unreachable: every missing part reports its own error
  return { ok: false, errors };

  function buildTemplate(): CampaignTemplate {
    const out: CampaignTemplate = {
      key,
      version: version as number,
      name,
      issuingBody,
      documentNumber,
      publishedOn,
      timeZone,
      phases,
      industries,
      workLines,
      reporting: reporting!,
      spotCheck: spotCheck!,
    };
    if (hazardPolicies) out.hazardPolicies = hazardPolicies;
    if (caseLadder) out.caseLadder = caseLadder;
    if (scoring) out.scoring = scoring;
    if (riskMap) out.riskMap = riskMap;
    return out;
  }
}

