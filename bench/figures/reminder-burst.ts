// Figure 4, reminder burst: N hazards whose reminders fall due at one instant (reminders go out at a
// fixed local hour: the daily case), from the instant until the last reminder mail is accepted by the
// SMTP sink, beside N bare timers due at one instant on the same server in the same run.
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { reportBody } from '../../tests/support/fixtures';
import type { Figure } from '../report';
import type { Stack } from '../stack';
import { burstSize, startCeiling, timerCeiling } from './ceiling';
import { reporters } from './intake';

/** Mail of `kind` for the hazards in `ids` as it reaches the sink: count and the last arrival, read incrementally. */
export function mailWatch(stack: Stack, kind: string, ids: Set<string>) {
  let seen = 0;
  const at = new Map<string, number>();
  const scan = () => {
    const msgs = stack.sink.messages;
    for (; seen < msgs.length; seen++) {
      const m: ParsedMail = msgs[seen]!;
      const id = String(m.headers.get('x-hazard-id') ?? '');
      if (m.headers.get('x-notification-kind') === kind && ids.has(id) && !at.has(id)) at.set(id, stack.sink.receivedAt.get(m) ?? Date.now());
    }
    return at;
  };
  return { scan };
}

/** A reminder 720 hours (30 days) before the deadline: a figure's hazards fall overdue long after the run. */
export const FAR_REMINDER_MS = 720 * 3600_000;
export const FAR_REMINDER_POLICY = { reminderOffsets: ['PT720H'], escalationAfter: 'P30D' };

/** Open hazards whose workflow has taken its first step, among `ids`. */
export async function started(stack: Stack, tag: string): Promise<number> {
  const r = (await stack.db.execute(sql`select count(*)::int as n from hazards where idempotency_key like ${`${tag}-%`} and state <> 'REGISTERED'`)) as unknown as { rows: { n: number }[] };
  return r.rows[0]?.n ?? 0;
}

export async function reminderBurst(stack: Stack, opts: { quick: boolean; large?: boolean; results?: Figure[] }): Promise<Figure[]> {
  const n = burstSize(opts);
  const timers = await timerCeiling(stack, n, opts.quick);
  const tag = `rb${Date.now().toString(36)}`;
  const keys = await reporters(stack, 20, tag);
  // Far enough ahead that every burst workflow waits before the instant (checked). The API takes reports
  // faster than new hazards reach their first state (the full run of 05:00 took 67/s through the API, but
  // only 1,026 of 2,000 had started 59 s later): the lead is sized on a third of the start ceiling, about
  // the rate at which the worker takes new hazards to their first step.
  const rate = (await startCeiling(stack, opts.quick)).perSecond / 3;
  const dueAt = Date.now() + 20_000 + Math.ceil((n / rate) * 1300);
  // The deadline a month after the reminder: the burst's overdue steps stay out of the figures that follow.
  const deadline = new Date(dueAt + FAR_REMINDER_MS).toISOString();
  stack.say(`reminder burst: reporting ${n} hazards whose reminders fall due in ${((dueAt - Date.now()) / 1000).toFixed(0)} s`);
  const ids = new Set<string>();
  // A policy is the office's to set (an enterprise setting one is refused): the office reports the burst.
  await stack.pool(n, async (i) => {
    const h = await stack.post('/v1/hazards', stack.admin, { ...reportBody({ deadline, policy: FAR_REMINDER_POLICY }), enterpriseId: keys[i % keys.length]!.enterpriseId }, { 'idempotency-key': `${tag}-${i}` });
    ids.add(h.id);
    if (i % 1000 === 999) stack.say(`reminder burst: ${i + 1} reported`);
  });
  await stack.until('burst workflows to start', async () => (await started(stack, tag)) >= n || Date.now() >= dueAt, 500);
  const waiting = await started(stack, tag);
  if (waiting < n) throw new Error(`only ${waiting} of ${n} burst workflows had started at the instant: lower BENCH_BURST`);
  stack.say(`reminder burst: all ${n} waiting; reminders due in ${((dueAt - Date.now()) / 1000).toFixed(1)} s`);
  await new Promise((r) => setTimeout(r, dueAt - Date.now()));
  const watch = mailWatch(stack, 'REMINDER', ids);
  let last = Date.now();
  await stack.until('every reminder to reach the SMTP sink', async () => {
    const got = watch.scan().size;
    if (Date.now() - last > 10_000) {
      last = Date.now();
      stack.say(`reminder burst: ${got} of ${n} mailed`);
    }
    return got >= n;
  }, 100);
  const lastMail = Math.max(...watch.scan().values());
  const ms = lastMail - dueAt;
  const ratio = +(ms / timers.ms).toFixed(2);
  return [
    {
      id: 'reminder-burst',
      title: `Reminder burst: ${n.toLocaleString('en-US')} reminders due at one instant, the last accepted by the SMTP sink`,
      value: ms / 1000,
      unit: 's',
      topology: stack.topology,
      ceiling: { title: `${n.toLocaleString('en-US')} bare timers due at one instant, all fired`, value: timers.ms / 1000, unit: 's' },
      ratio,
      target: '≤ 1.25×',
      met: ratio <= 1.25,
      detail: { reminders: n, drainMs: ms, mailsPerSecond: +(n / (ms / 1000)).toFixed(1), bareTimers: timers },
    },
  ];
}
