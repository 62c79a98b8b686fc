// Figure 2, intake: hazards reported through the API (auth, validation, ledger row, workflow start) at a
// fixed concurrency for a fixed time, beside the trivial-workflow start ceiling of the same server;
// then until every workflow has taken its first step (its first state on the ledger), and per hazard
// the share that did so within 2 s of its report (ledger clock on both ends: hazards.created_at, the
// first hazard_events row the workflow wrote).
import { sql } from 'drizzle-orm';
import { creditCode, reportBody } from '../../tests/support/fixtures';
import type { Figure } from '../report';
import { paced, pct, type Stack } from '../stack';
import { startCeiling } from './ceiling';
import { firstStateLegs, firstStatePath } from './timeline';

export interface IntakeResult {
  hazards: number;
  seconds: number;
  perSecond: number;
  /** Closed loop: reports in flight; null when paced. */
  concurrency: number | null;
  /** Open loop: the rate reports were sent at; null at fixed concurrency. */
  pacedPerSecond: number | null;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  allFirstStateAfterLastReportMs: number;
  firstStateWithin2s: number;
  firstStateMs: { p50: number; p99: number; max: number };
  /** Where the time to the first state went (paced phase): from the workflow histories. */
  firstStateLegsMs?: ReturnType<typeof firstStateLegs>;
}

/** Units, enterprises and their keys for a figure's reports (through the API, as a deployment would have them). */
export async function reporters(stack: Stack, n: number, tag: string): Promise<{ enterpriseId: string; secret: string }[]> {
  const county = `${tag}-county`;
  const dept = `${tag}-dept`;
  await stack.post('/v1/units', stack.admin, { kind: 'COUNTY', code: county, name: `基准县${tag}`, email: `${county}@bench.test` });
  await stack.post('/v1/units', stack.admin, { kind: 'DEPARTMENT', code: dept, name: `基准局${tag}`, email: `${dept}@bench.test` });
  return stack.pool(n, async (i) => {
    const e = await stack.post('/v1/enterprises', stack.admin, { name: `企业${tag}${i}`, creditCode: creditCode(), industry: 'CONSTRUCTION', countyCode: county, departmentCode: dept, principal: { name: '负责人', email: `p${i}@${tag}.bench.test` } });
    const key = await stack.post<{ secret: string }>('/v1/api-keys', stack.admin, { name: `${tag} e${i}`, role: 'enterprise', scope: e.id });
    return { enterpriseId: e.id, secret: key.secret };
  });
}

/** How reports are sent: `concurrency` in flight (closed loop), or `perSecond` on a fixed schedule (open loop). */
export type Pace = { concurrency: number } | { perSecond: number };

/** Sends reports for `seconds` at `pace`; the hazard ids and each report's latency. */
async function report(stack: Stack, keys: { secret: string }[], tag: string, seconds: number, pace: Pace): Promise<{ ids: string[]; latencies: number[]; ms: number }> {
  const ids: string[] = [];
  const latencies: number[] = [];
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  let i = 0;
  let lastProgress = t0;
  const one = async (k: number) => {
    const t = performance.now();
    const h = await stack.post('/v1/hazards', keys[k % keys.length]!.secret, reportBody({ deadline: '2099-06-30' }), { 'idempotency-key': `${tag}-${k}` });
    latencies.push(performance.now() - t);
    ids.push(h.id);
    if (Date.now() - lastProgress > 10_000) {
      lastProgress = Date.now();
      stack.say(`intake: ${ids.length} reported`);
    }
  };
  if ('concurrency' in pace) {
    await Promise.all(Array.from({ length: pace.concurrency }, async () => {
      while (Date.now() < end) await one(i++);
    }));
  } else {
    await paced(pace.perSecond, (k, start) => start + (k * 1000) / pace.perSecond < end, one);
  }
  return { ids, latencies, ms: Date.now() - t0 };
}

/** Reports for `seconds` at `pace` (default: the stack's concurrency), then waits for every workflow's first state. */
export async function measureIntake(stack: Stack, seconds: number, pace: Pace = { concurrency: stack.concurrency }): Promise<IntakeResult> {
  const tag = `in${Date.now().toString(36)}`;
  const keys = await reporters(stack, 50, tag);
  stack.say(`intake: reporting through the API for ${seconds} s, ${'concurrency' in pace ? `${pace.concurrency} at a time` : `${pace.perSecond}/s`}`);
  const { ids, latencies, ms } = await report(stack, keys, tag, seconds, pace);
  stack.say(`intake: ${ids.length} reported in ${ms} ms; waiting until every workflow has taken its first step`);
  // The first state a workflow writes (RECTIFYING, or REPORTED_TO_REGULATOR for a major hazard).
  const firstStates = async () =>
    (await stack.db.execute(sql`
      select extract(epoch from (min(e.recorded_at) - h.created_at)) * 1000 as ms
      from hazards h join hazard_events e on e.hazard_id = h.id and e.to_state <> 'REGISTERED'
      where h.idempotency_key like ${`${tag}-%`}
      group by h.id, h.created_at`)) as unknown as { rows: { ms: string }[] };
  const settleMs = await stack.until('every reported workflow to take its first step', async () => (await firstStates()).rows.length >= ids.length, 250);
  const first = (await firstStates()).rows.map((r) => Number(r.ms));
  const legsOf = async () => firstStateLegs(await stack.pool(ids.length, (k) => firstStatePath(stack, ids[k]!), 8));
  const firstStateLegsMs = 'perSecond' in pace ? await legsOf() : undefined;
  if (firstStateLegsMs) stack.say(`intake: first-state legs ${JSON.stringify(firstStateLegsMs)}`);
  return {
    hazards: ids.length,
    seconds: +(ms / 1000).toFixed(1),
    perSecond: +(ids.length / (ms / 1000)).toFixed(1),
    concurrency: 'concurrency' in pace ? pace.concurrency : null,
    pacedPerSecond: 'perSecond' in pace ? pace.perSecond : null,
    latencyMs: { p50: +pct(latencies, 50).toFixed(0), p95: +pct(latencies, 95).toFixed(0), p99: +pct(latencies, 99).toFixed(0), max: +Math.max(...latencies).toFixed(0) },
    allFirstStateAfterLastReportMs: settleMs,
    firstStateWithin2s: +(first.filter((x) => x <= 2000).length / first.length).toFixed(3),
    firstStateMs: { p50: +pct(first, 50).toFixed(0), p99: +pct(first, 99).toFixed(0), max: +Math.max(...first).toFixed(0) },
    ...(firstStateLegsMs ? { firstStateLegsMs } : {}),
  };
}

/**
 * The intake figures for a result at fixed concurrency (`closed`): the rate beside the start ceiling, and
 * (no target: the concurrency outruns the workers, so first states trail by the backlog) the first
 * states; and for a result paced at 0.7x the ceiling (`paced`), the target: every first state within 2 s.
 */
export function intakeFigures(stack: Stack, r: IntakeResult, ceilingPerSecond: number, id = 'intake', paced?: IntakeResult): Figure[] {
  const ratio = +(r.perSecond / ceilingPerSecond).toFixed(2);
  const firstStates = (x: IntakeResult) => `all after ${(x.allFirstStateAfterLastReportMs / 1000).toFixed(1)} s past the last report; p50/p99 ${(x.firstStateMs.p50 / 1000).toFixed(1)}/${(x.firstStateMs.p99 / 1000).toFixed(1)} s`;
  const out: Figure[] = [
    {
      id: `${id}.rate`,
      title: `Intake: hazards reported through the API, ${r.seconds} s at ${r.concurrency ?? '?'} in flight (p50/p95/p99 ${r.latencyMs.p50}/${r.latencyMs.p95}/${r.latencyMs.p99} ms)`,
      value: r.perSecond,
      unit: '/s',
      topology: stack.topology,
      ceiling: { title: 'trivial workflows started and run', value: ceilingPerSecond, unit: '/s' },
      ratio,
      target: '≥ 0.7×',
      met: ratio >= 0.7,
      detail: { ...r },
    },
    {
      id: `${id}.first-state`,
      title: `Intake at ${r.concurrency ?? '?'} in flight: share of hazards on their first state within 2 s of the report (${firstStates(r)})`,
      value: +(r.firstStateWithin2s * 100).toFixed(1),
      unit: '%',
      topology: stack.topology,
    },
  ];
  if (paced) {
    out.push({
      id: `${id}.first-state-paced`,
      title: `Intake paced at ${paced.pacedPerSecond}/s (0.7× the start ceiling) for ${paced.seconds} s, ${paced.hazards} reports (p50/p99 ${paced.latencyMs.p50}/${paced.latencyMs.p99} ms): share on their first state within 2 s of the report (${firstStates(paced)}${paced.firstStateLegsMs ? `; p50 legs: workflow task queued ${paced.firstStateLegsMs.taskQueue.p50} ms, ran ${paced.firstStateLegsMs.taskRun.p50} ms, ledger activity queued ${paced.firstStateLegsMs.activityQueue.p50} ms, ran ${paced.firstStateLegsMs.activityRun.p50} ms` : ''})`,
      value: +(paced.firstStateWithin2s * 100).toFixed(1),
      unit: '%',
      topology: stack.topology,
      target: '100 % within 2 s',
      met: paced.firstStateWithin2s >= 1,
      detail: { ...paced },
    });
  }
  return out;
}

/** The rate the target asks first states to keep up with: 0.7x the start ceiling of the same run. */
export const pacedRate = (ceilingPerSecond: number): number => +(0.7 * ceilingPerSecond).toFixed(1);

export async function intake(stack: Stack, opts: { quick: boolean }): Promise<Figure[]> {
  const ceiling = await startCeiling(stack, opts.quick);
  const seconds = Number(process.env.BENCH_INTAKE_SECONDS ?? (opts.quick ? 15 : 60));
  const r = await measureIntake(stack, seconds);
  // Paced: 15 s quick, 30 s full (its first states keep up or not within seconds; the full run's time is short).
  const paced = await measureIntake(stack, Number(process.env.BENCH_INTAKE_PACED_SECONDS ?? (opts.quick ? 15 : 30)), { perSecond: pacedRate(ceiling.perSecond) });
  return intakeFigures(stack, r, ceiling.perSecond, 'intake', paced);
}
