// Figures 5 and 6: with N idle open hazards (workflows waiting on far deadlines, reported through the
// API like any other), a probe of reminders spread over a few minutes: lateness = mail accepted by the
// SMTP sink minus the reminder's scheduled instant, p50/p99/max; and the worker processes' RSS
// (/proc/<pid>/status VmRSS) at that N. Quick: 1,000 open hazards; full: RSS at 1,000 and 10,000 (flat:
// the ratio), the probe at 10,000; `--large`: then 100,000 too (seeded through the API at the intake
// rate: far longer than the 30-minute full run). It runs after the figures that leave hazards open, so
// its first RSS level is read at what they left when that is more (about 1,400 quick, 5,000 full).
import { sql } from 'drizzle-orm';
import { reportBody } from '../../tests/support/fixtures';
import type { Figure } from '../report';
import { paced, pct, type Stack } from '../stack';
import { startCeiling } from './ceiling';
import { reporters } from './intake';
import { FAR_REMINDER_MS, FAR_REMINDER_POLICY, mailWatch, started } from './reminder-burst';
import { legs, reminderPath, type ReminderPath } from './timeline';

async function openHazards(stack: Stack): Promise<number> {
  const r = (await stack.db.execute(sql`select count(*)::int as n from hazards where closed_at is null and state <> 'REGISTERED'`)) as unknown as { rows: { n: number }[] };
  return r.rows[0]?.n ?? 0;
}

/** Tops the open hazards up to `n` (far deadlines: they wait, idle) through the API. */
async function seedIdle(stack: Stack, n: number, keys: { secret: string }[]): Promise<void> {
  const have = await openHazards(stack);
  if (have >= n) return;
  const tag = `idle${Date.now().toString(36)}`;
  const more = n - have;
  stack.say(`lateness: ${have} open hazards; reporting ${more} more (deadline 2099) through the API`);
  await stack.pool(more, async (i) => {
    await stack.post('/v1/hazards', keys[i % keys.length]!.secret, reportBody({ deadline: '2099-06-30' }), { 'idempotency-key': `${tag}-${i}` });
    if (i % 5000 === 4999) stack.say(`lateness: ${i + 1} of ${more} idle hazards reported`);
  });
  await stack.until('every idle hazard to be waiting', async () => (await started(stack, tag)) >= more, 1000);
}

interface Probe {
  reminders: number;
  windowS: number;
  latenessMs: { p50: number; p99: number; max: number };
  /** Where the time went (bench/figures/timeline.ts), p50/p99 of each leg over every probe reminder. */
  legsMs: ReturnType<typeof legs>;
  /** The whole path of the five latest reminders and of the median one. */
  slowest: string[];
  /** Other mail the sink accepted between the first due instant and the last probe mail (other figures' hazards). */
  otherMailInWindow: number;
}

/**
 * `p` hazards whose reminders fall due one after another over `windowS` seconds, reported at `perSecond`
 * (open loop, below what the workers take): a reminder's timer is armed by the workflow task after the
 * first state, with that task's clock, so a task that queued behind a saturated worker arms it late by
 * its queueing (the `arm` leg). Reported at the intake's full concurrency, the arming tasks queued for
 * seconds (p99 arm 1.3 s at load 6-8); that is the intake figure's backlog, not the timer's lateness.
 */
async function probe(stack: Stack, p: number, windowS: number, keys: { enterpriseId: string }[], perSecond: number): Promise<Probe> {
  const tag = `lp${Date.now().toString(36)}`;
  const first = Date.now() + 15_000 + Math.ceil((p / perSecond) * 1000);
  const instant = (i: number) => first + Math.floor((i * windowS * 1000) / p);
  const ids = new Map<string, number>();
  stack.say(`lateness: ${p} probe reminders reported at ${perSecond}/s, due from ${((first - Date.now()) / 1000).toFixed(0)} s on, over ${windowS} s`);
  await paced(perSecond, (i) => i < p, async (i) => {
    const deadline = new Date(instant(i) + FAR_REMINDER_MS).toISOString();
    const h = await stack.post('/v1/hazards', stack.admin, { ...reportBody({ deadline, policy: FAR_REMINDER_POLICY }), enterpriseId: keys[i % keys.length]!.enterpriseId }, { 'idempotency-key': `${tag}-${i}` });
    ids.set(h.id, instant(i));
  });
  const watch = mailWatch(stack, 'REMINDER', new Set(ids.keys()));
  await new Promise((r) => setTimeout(r, Math.max(0, instant(p - 1) - Date.now())));
  await stack.until('every probe reminder to reach the SMTP sink', async () => watch.scan().size >= p, 200);
  const mailed = [...watch.scan()].map(([id, at]) => ({ id, at, late: at - ids.get(id)! })).sort((a, b) => b.late - a.late);
  const late = mailed.map((m) => m.late);
  const lastMail = Math.max(...mailed.map((m) => m.at));
  const otherMailInWindow = stack.sink.messages.filter((m) => {
    const at = stack.sink.receivedAt.get(m) ?? 0;
    return at >= first && at <= lastMail && !ids.has(String(m.headers.get('x-hazard-id') ?? ''));
  }).length;
  const paths = await stack.pool(mailed.length, (i) => reminderPath(stack, mailed[i]!.id, ids.get(mailed[i]!.id)!, mailed[i]!.at).catch((err: unknown): ReminderPath => ({ arm: NaN, fire: NaN, task: NaN, queue: NaN, activity: NaN, text: `${mailed[i]!.id}: ${String(err)}` })), 8);
  const slowest = [...paths.slice(0, 5), paths[Math.floor(paths.length / 2)]!].map((x) => x.text);
  const legsMs = legs(paths);
  stack.say(`lateness: legs p50/p99 ms ${JSON.stringify(legsMs)}; other mail in the window ${otherMailInWindow}`);
  for (const line of slowest) stack.say(`lateness: ${line}`);
  return { reminders: p, windowS, latenessMs: { p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late) }, legsMs, slowest, otherMailInWindow };
}

/** Open hazards at which the worker's RSS is read, and at which (the last, and 100,000 with --large) a probe runs. */
export function latenessSizes(opts: { quick: boolean; large?: boolean }) {
  return {
    rssAt: opts.quick ? [1000] : opts.large ? [1000, 10_000, 100_000] : [1000, 10_000],
    probeAt: opts.quick ? [1000] : opts.large ? [10_000, 100_000] : [10_000],
    reminders: opts.quick ? 100 : 1000,
    windowS: opts.quick ? 30 : 120,
  };
}

export async function lateness(stack: Stack, opts: { quick: boolean; large?: boolean; results?: Figure[] }): Promise<Figure[]> {
  const { rssAt, probeAt, reminders: p, windowS } = latenessSizes(opts);
  const keys = await reporters(stack, 20, `lt${Date.now().toString(36)}`);
  // Probe hazards are reported at half the start ceiling of this run (measured here if no figure did).
  const ceiling = opts.results?.find((f) => f.id === 'ceiling.starts' && f.topology === stack.topology)?.value ?? (await startCeiling(stack, opts.quick)).perSecond;
  const perSecond = +(ceiling / 2).toFixed(1);
  const out: Figure[] = [];
  const mibNow = async () => (await stack.workerRss()).map((b) => Math.round(b / 2 ** 20));
  const rss: Record<string, number[]> = { start: await mibNow() };
  const cache = stack.config.worker.maxCachedWorkflows;
  for (const n of rssAt) {
    await seedIdle(stack, n, keys);
    const open = await openHazards(stack);
    const mib = await mibNow();
    rss[`${open}`] = mib;
    out.push({
      id: `rss.${n}`,
      title: `Worker RSS with ${open.toLocaleString('en-US')} open hazards (per process; ${stack.topology === 'embedded' ? 'the one process' : 'worker processes'}; cache of ${cache.toLocaleString('en-US')} workflows)`,
      value: Math.max(...mib),
      unit: 'MiB',
      topology: stack.topology,
      target: 'flat in open hazards',
      detail: { openHazards: open, rssMiB: { ...rss }, maxCachedWorkflows: cache },
    });
    if (!probeAt.includes(n)) continue;
    const r = await probe(stack, p, windowS, keys, perSecond);
    out.push({
      id: `lateness.${n}`,
      title: `Reminder lateness, ${p} reminders over ${windowS} s with ${open.toLocaleString('en-US')} open hazards: p99 (p50 ${(r.latenessMs.p50 / 1000).toFixed(2)} s, max ${(r.latenessMs.max / 1000).toFixed(2)} s; legs p99: timer armed late ${r.legsMs.arm.p99} ms, server ${r.legsMs.fire.p99} ms, workflow task ${r.legsMs.task.p99} ms, activity slot ${r.legsMs.queue.p99} ms, activity to mail ${r.legsMs.activity.p99} ms)`,
      value: r.latenessMs.p99 / 1000,
      unit: 's',
      topology: stack.topology,
      target: 'p99 < 1 s',
      met: r.latenessMs.p99 < 1000,
      detail: { openHazards: open, reportedPerSecond: perSecond, ...r },
    });
  }
  // Flat: the RSS at the largest level beside the smallest (the cache's bound is in the titles).
  const [lo, hi] = [rssAt[0]!, rssAt.at(-1)!];
  if (lo === hi) return out;
  const a = out.find((f) => f.id === `rss.${lo}`)!;
  const b = out.find((f) => f.id === `rss.${hi}`)!;
  b.ratio = +(b.value / a.value).toFixed(2);
  b.met = b.ratio <= 1.25;
  b.target = '≤ 1.25× (flat in open hazards)';
  b.ceiling = { title: `the same at ${Number(a.detail?.openHazards ?? lo).toLocaleString('en-US')} open hazards`, value: a.value, unit: 'MiB' };
  return out;
}
