// Figure 1, the ceilings every other figure is set beside (same run, same server): trivial workflows
// started and run per second, and N bare timers due at one instant, all fired. The ceilings' worker runs
// in the bench process (bench/noop.workflows.ts) on its own task queue of the stack's server; its
// workflows tell the bench when they ran through a sink (not replayed), so no polling of the server.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Figure } from '../report';
import type { Stack } from '../stack';

interface Tally {
  armed: number;
  done: number;
  lastDone: number;
}

interface NoopWorker {
  taskQueue: string;
  tally(tag: string): Tally;
}

const memo = new WeakMap<Stack, Map<string, Promise<unknown>>>();

/** What `make` measures (or starts) once per stack and key: the ceilings are shared by the figures of a run. */
function once<T>(stack: Stack, key: string, make: () => Promise<T>): Promise<T> {
  let byKey = memo.get(stack);
  if (!byKey) memo.set(stack, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, make());
  return byKey.get(key) as Promise<T>;
}

/** One ceilings worker per stack, stopped with it. */
function noopWorker(stack: Stack): Promise<NoopWorker> {
  return once(stack, 'worker', async () => {
    const tallies = new Map<string, Tally>();
    const tally = (tag: string) => {
      let t = tallies.get(tag);
      if (!t) tallies.set(tag, (t = { armed: 0, done: 0, lastDone: 0 }));
      return t;
    };
    const taskQueue = `bench-ceiling-${randomUUID().slice(0, 8)}`;
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    const worker = await Worker.create({
      connection,
      namespace: stack.config.temporal.namespace,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../noop.workflows.ts', import.meta.url)),
      sinks: {
        bench: {
          reached: {
            fn: (_info, tag: string, what: 'armed' | 'done') => {
              const t = tally(tag);
              if (what === 'armed') t.armed++;
              else {
                t.done++;
                t.lastDone = Date.now();
              }
            },
            callDuringReplay: false,
          },
        },
      },
    });
    const running = worker.run();
    stack.onStop(async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    });
    return { taskQueue, tally };
  });
}

export interface StartCeiling {
  n: number;
  ms: number;
  perSecond: number;
  concurrency: number;
}

/** Trivial workflows started (client.workflow.start, `concurrency` in flight) and run: n / (first start → last run). Memoized per stack. */
export function startCeiling(stack: Stack, quick: boolean): Promise<StartCeiling> {
  return once(stack, 'starts', async () => {
    const n = quick ? 300 : 2000;
    const w = await noopWorker(stack);
    // Warm the worker (bundle, first task) outside the measurement.
    await stack.client.workflow.execute('benchNoopWorkflow', { taskQueue: w.taskQueue, workflowId: `warm-${randomUUID()}` });
    const tag = `trivial-${randomUUID().slice(0, 8)}`;
    stack.say(`ceiling: starting ${n} trivial workflows, ${stack.concurrency} at a time`);
    const t0 = Date.now();
    await stack.pool(n, (i) => stack.client.workflow.start('benchTrivialWorkflow', { taskQueue: w.taskQueue, workflowId: `${tag}-${i}`, args: [tag] }));
    await stack.until('trivial workflows to run', async () => w.tally(tag).done >= n, 50);
    const ms = w.tally(tag).lastDone - t0;
    return { n, ms, perSecond: +(n / (ms / 1000)).toFixed(1), concurrency: stack.concurrency };
  });
}

export interface TimerCeiling {
  n: number;
  /** From the instant until the last of the n workflows ran past its timer. */
  ms: number;
  perSecond: number;
  setupMs: number;
}

/** n workflows, each a bare timer due at one instant: time from the instant until all fired and ran on. Memoized per stack and n. */
export function timerCeiling(stack: Stack, n: number, quick: boolean): Promise<TimerCeiling> {
  return once(stack, `timers:${n}`, async () => {
    const w = await noopWorker(stack);
    const starts = await startCeiling(stack, quick);
    const tag = `timer-${randomUUID().slice(0, 8)}`;
    // Far enough ahead that all n are waiting at the instant (checked below).
    const dueAt = Date.now() + 5_000 + Math.ceil((n / starts.perSecond) * 1500);
    stack.say(`ceiling: ${n} bare timers due in ${((dueAt - Date.now()) / 1000).toFixed(0)} s`);
    const t0 = Date.now();
    await stack.pool(n, (i) => stack.client.workflow.start('benchTimerWorkflow', { taskQueue: w.taskQueue, workflowId: `${tag}-${i}`, args: [tag, dueAt] }));
    await stack.until('bare-timer workflows to wait', async () => w.tally(tag).armed >= n || Date.now() >= dueAt, 50);
    const setupMs = Date.now() - t0;
    if (w.tally(tag).armed < n) throw new Error(`only ${w.tally(tag).armed} of ${n} bare timers were set at the instant`);
    await new Promise((r) => setTimeout(r, dueAt - Date.now()));
    await stack.until('bare timers to fire', async () => w.tally(tag).done >= n, 50);
    const ms = w.tally(tag).lastDone - dueAt;
    return { n, ms, perSecond: +(n / (ms / 1000)).toFixed(1), setupMs };
  });
}

/**
 * Reminders (and bare timers beside them) due at one instant: 500 quick, 2,000 full (10,000 took the dev
 * server's SQLite many minutes to set up and fire, past the full run's 30 minutes on 2 cores), the
 * issue's 10,000 with --large; BENCH_BURST overrides.
 */
export function burstSize(opts: { quick: boolean; large?: boolean }): number {
  return Number(process.env.BENCH_BURST ?? (opts.quick ? 500 : opts.large ? 10_000 : 2_000));
}

/** Figure 1: `npm run bench -- --only ceiling`. */
export async function ceiling(stack: Stack, opts: { quick: boolean; large?: boolean }): Promise<Figure[]> {
  const s = await startCeiling(stack, opts.quick);
  const n = burstSize(opts);
  const t = await timerCeiling(stack, n, opts.quick);
  return [
    { id: 'ceiling.starts', title: 'Ceiling: trivial workflows started and run', value: s.perSecond, unit: '/s', topology: stack.topology, detail: { ...s } },
    { id: 'ceiling.timers', title: `Ceiling: ${n.toLocaleString('en-US')} bare timers due at one instant, all fired`, value: t.ms / 1000, unit: 's', topology: stack.topology, detail: { ...t } },
  ];
}
