// Figures 5 and 6: with N idle open hazards (workflows waiting on far deadlines, reported through the
// API like any other), a probe of reminders spread over a few minutes: lateness = mail accepted by the
// SMTP sink minus the reminder's scheduled instant, p50/p99/max; and the worker processes' RSS
// (/proc/<pid>/status VmRSS) at that N. Full run: 10,000 open hazards; `--large`: then 100,000 too
// (seeded through the API at the intake rate: far longer than the 30-minute full run).
import { sql } from 'drizzle-orm';
import { reportBody } from '../../tests/support/fixtures';
import type { Figure } from '../report';
import { pct, type Stack } from '../stack';
import { reporters } from './intake';
import { mailWatch, started } from './reminder-burst';

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
}

/** `p` hazards whose reminders fall due one after another over `windowS` seconds. */
async function probe(stack: Stack, p: number, windowS: number, keys: { enterpriseId: string }[], rate: number): Promise<Probe> {
  const tag = `lp${Date.now().toString(36)}`;
  const first = Date.now() + 15_000 + Math.ceil((p / rate) * 1300);
  const instant = (i: number) => first + Math.floor((i * windowS * 1000) / p);
  const ids = new Map<string, number>();
  stack.say(`lateness: ${p} probe reminders due from ${((first - Date.now()) / 1000).toFixed(0)} s on, over ${windowS} s`);
  await stack.pool(p, async (i) => {
    const deadline = new Date(instant(i) + 30_000).toISOString();
    const h = await stack.post('/v1/hazards', stack.admin, { ...reportBody({ deadline, policy: { reminderOffsets: ['PT30S'], escalationAfter: 'P30D' } }), enterpriseId: keys[i % keys.length]!.enterpriseId }, { 'idempotency-key': `${tag}-${i}` });
    ids.set(h.id, instant(i));
  });
  const watch = mailWatch(stack, 'REMINDER', new Set(ids.keys()));
  await new Promise((r) => setTimeout(r, Math.max(0, instant(p - 1) - Date.now())));
  await stack.until('every probe reminder to reach the SMTP sink', async () => watch.scan().size >= p, 200);
  const late = [...watch.scan()].map(([id, at]) => at - ids.get(id)!);
  return { reminders: p, windowS, latenessMs: { p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late) } };
}

export async function lateness(stack: Stack, opts: { quick: boolean; large?: boolean; results?: Figure[] }): Promise<Figure[]> {
  const levels = opts.quick ? [1000] : opts.large ? [10_000, 100_000] : [10_000];
  const p = opts.quick ? 100 : 1000;
  const windowS = opts.quick ? 30 : 180;
  const keys = await reporters(stack, 20, `lt${Date.now().toString(36)}`);
  const rate = opts.results?.find((f) => f.id === 'intake.rate' && f.topology === stack.topology)?.value ?? 20;
  const out: Figure[] = [];
  const rss: Record<string, number[]> = { start: (await stack.workerRss()).map((b) => Math.round(b / 2 ** 20)) };
  for (const n of levels) {
    await seedIdle(stack, n, keys);
    const open = await openHazards(stack);
    const r = await probe(stack, p, windowS, keys, rate);
    const mib = (await stack.workerRss()).map((b) => Math.round(b / 2 ** 20));
    rss[`${open}`] = mib;
    out.push({
      id: `lateness.${n}`,
      title: `Reminder lateness, ${p} reminders over ${windowS} s with ${open.toLocaleString('en-US')} open hazards: p99 (p50 ${(r.latenessMs.p50 / 1000).toFixed(2)} s, max ${(r.latenessMs.max / 1000).toFixed(2)} s)`,
      value: r.latenessMs.p99 / 1000,
      unit: 's',
      topology: stack.topology,
      target: 'p99 < 1 s',
      met: r.latenessMs.p99 < 1000,
      detail: { openHazards: open, ...r },
    });
    out.push({
      id: `rss.${n}`,
      title: `Worker RSS with ${open.toLocaleString('en-US')} open hazards (per process; ${stack.topology === 'embedded' ? 'the one process' : 'worker processes'})`,
      value: Math.max(...mib),
      unit: 'MiB',
      topology: stack.topology,
      target: 'flat in open hazards',
      detail: { rssMiB: { ...rss } },
    });
  }
  if (levels.length > 1) {
    const [a, b] = levels.map((n) => out.find((f) => f.id === `rss.${n}`)!.value);
    const f = out.find((x) => x.id === `rss.${levels[1]}`)!;
    f.ratio = +(b! / a!).toFixed(2);
    f.met = f.ratio <= 1.25;
    f.ceiling = { title: `the same at ${levels[0]!.toLocaleString('en-US')} open hazards`, value: a!, unit: 'MiB' };
  }
  return out;
}
