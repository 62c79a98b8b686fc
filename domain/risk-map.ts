// The four-colour risk map (四色图: red, orange, yellow, blue). The rule is template data: per level,
// worst first, conditions on an enterprise's figures from the ledger, any of which puts it there;
// an enterprise meeting none is blue. Pure: the figures come in, a level and its reasons go out.
import type { FieldError } from './errors';

export const RISK_LEVELS = ['RED', 'ORANGE', 'YELLOW', 'BLUE'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type RuledLevel = Exclude<RiskLevel, 'BLUE'>;

/** An enterprise's figures, now: its open hazards (not closed, not withdrawn) and its enforcement state. */
export const RISK_METRICS = ['OPEN_MAJOR', 'OPEN_GENERAL', 'OVERDUE', 'ESCALATED', 'SUSPENDED'] as const;
export type RiskMetric = (typeof RISK_METRICS)[number];
export type RiskMetrics = Record<RiskMetric, number>;

const METRIC_TEXT: Record<RiskMetric, { zh: string; en: string }> = {
  OPEN_MAJOR: { zh: '未销号重大事故隐患', en: 'open major hazards' },
  OPEN_GENERAL: { zh: '未销号一般隐患', en: 'open general hazards' },
  OVERDUE: { zh: '逾期未整改隐患', en: 'open hazards past their deadline' },
  ESCALATED: { zh: '已提请问责的未销号隐患', en: 'open hazards escalated for accountability' },
  SUSPENDED: { zh: '停产整顿中', en: 'under a suspension order (停产整顿)' },
};

export interface RiskCondition {
  metric: RiskMetric;
  /** The level applies when the figure is at least this (≥ 1). */
  atLeast: number;
}

export interface RiskLevelRule {
  level: RuledLevel;
  /** Any one met puts the enterprise at this level. */
  anyOf: RiskCondition[];
}

export interface RiskMapRule {
  /** Worst level first, each level at most once; an enterprise meeting none is BLUE. */
  levels: RiskLevelRule[];
}

/** The default (the Datong and demo templates carry it): the example, red for an open major or an overdue hazard. */
export function defaultRiskMapRule(): RiskMapRule {
  return {
    levels: [
      { level: 'RED', anyOf: [{ metric: 'OPEN_MAJOR', atLeast: 1 }, { metric: 'OVERDUE', atLeast: 1 }, { metric: 'SUSPENDED', atLeast: 1 }] },
      { level: 'ORANGE', anyOf: [{ metric: 'OPEN_GENERAL', atLeast: 3 }] },
      { level: 'YELLOW', anyOf: [{ metric: 'OPEN_GENERAL', atLeast: 1 }] },
    ],
  };
}

export interface RiskReason {
  metric: RiskMetric;
  value: number;
  atLeast: number;
  /** e.g. "未销号重大事故隐患 2 项（≥ 1）". */
  textZh: string;
  textEn: string;
}

export interface RiskAssessment {
  level: RiskLevel;
  /** Every condition of its level that the enterprise meets; empty for BLUE. */
  reasons: RiskReason[];
}

export function assessRisk(metrics: RiskMetrics, rule: RiskMapRule): RiskAssessment {
  for (const l of rule.levels) {
    const met = l.anyOf.filter((c) => metrics[c.metric] >= c.atLeast);
    if (met.length > 0) {
      return {
        level: l.level,
        reasons: met.map((c) => {
          const value = metrics[c.metric];
          const t = METRIC_TEXT[c.metric];
          return c.metric === 'SUSPENDED'
            ? { metric: c.metric, value, atLeast: c.atLeast, textZh: t.zh, textEn: t.en }
            : { metric: c.metric, value, atLeast: c.atLeast, textZh: `${t.zh} ${value} 项（≥ ${c.atLeast}）`, textEn: `${value} ${t.en} (≥ ${c.atLeast})` };
        }),
      };
    }
  }
  return { level: 'BLUE', reasons: [] };
}

/** The worse of two levels (RED is the worst). */
export const worseLevel = (a: RiskLevel, b: RiskLevel): RiskLevel => (RISK_LEVELS.indexOf(a) <= RISK_LEVELS.indexOf(b) ? a : b);

export interface RiskCell {
  countyCode: string;
  industry: string;
  /** The worst level of its enterprises: the cell's colour. */
  level: RiskLevel;
  counts: Record<RiskLevel, number>;
  total: number;
}

const zeroCounts = (): Record<RiskLevel, number> => ({ RED: 0, ORANGE: 0, YELLOW: 0, BLUE: 0 });

/** Counts per county × industry, coloured by the worst level, sorted by county then industry. */
export function riskCells(entries: { countyCode: string; industry: string; level: RiskLevel }[]): { cells: RiskCell[]; totals: Record<RiskLevel, number> } {
  const cells = new Map<string, RiskCell>();
  const totals = zeroCounts();
  for (const e of entries) {
    const key = `${e.countyCode}\u0000${e.industry}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { countyCode: e.countyCode, industry: e.industry, level: 'BLUE', counts: zeroCounts(), total: 0 };
      cells.set(key, cell);
    }
    cell.counts[e.level] += 1;
    cell.total += 1;
    cell.level = worseLevel(cell.level, e.level);
    totals[e.level] += 1;
  }
  const sorted = [...cells.values()].sort((a, b) => (a.countyCode < b.countyCode ? -1 : a.countyCode > b.countyCode ? 1 : a.industry < b.industry ? -1 : a.industry > b.industry ? 1 : 0));
  return { cells: sorted, totals };
}

/** What the schema cannot check: levels worst first, each once, conditions on known figures, thresholds ≥ 1. */
export function validateRiskMapRule(rule: RiskMapRule, path = 'riskMap'): FieldError[] {
  const errors: FieldError[] = [];
  let last = -1;
  const seen = new Set<string>();
  rule.levels.forEach((l, i) => {
    const at = `${path}.levels[${i}]`;
    const rank = RISK_LEVELS.indexOf(l.level);
    if (rank < 0 || (l.level as RiskLevel) === 'BLUE') errors.push({ field: `${at}.level`, reason: `'${String(l.level)}' is not a ruled level: RED, ORANGE or YELLOW (BLUE is what meets none)` });
    else if (seen.has(l.level)) errors.push({ field: `${at}.level`, reason: `${l.level} is ruled twice` });
    else if (rank < last) errors.push({ field: `${at}.level`, reason: `levels go worst first (RED, ORANGE, YELLOW): ${l.level} comes after ${RISK_LEVELS[last]}` });
    seen.add(l.level);
    last = Math.max(last, rank);
    if (l.anyOf.length === 0) errors.push({ field: `${at}.anyOf`, reason: 'lists at least one condition' });
    l.anyOf.forEach((c, j) => {
      if (!(RISK_METRICS as readonly string[]).includes(c.metric)) errors.push({ field: `${at}.anyOf[${j}].metric`, reason: `'${String(c.metric)}' is not a figure: ${RISK_METRICS.join(', ')}` });
      if (!(Number.isInteger(c.atLeast) && c.atLeast >= 1)) errors.push({ field: `${at}.anyOf[${j}].atLeast`, reason: 'must be a whole number ≥ 1' });
    });
  });
  return errors;
}
