// The ceilings' workflows: what the product's workflows would cost if they did nothing else.
import { proxySinks, sleep, type Sinks } from '@temporalio/workflow';

export interface BenchSinks extends Sinks {
  bench: {
    /** Tells the bench process (not replayed) that a workflow of run `tag` reached `what`. */
    reached(tag: string, what: 'armed' | 'done'): void;
  };
}

const { bench } = proxySinks<BenchSinks>();

// The ideal for the launch figure: a workflow that does nothing, started as often as the campaign starts obligations.
export async function benchNoopWorkflow(): Promise<number> {
  return 1;
}

/** Starts-per-second ceiling: does nothing but say it ran. */
export async function benchTrivialWorkflow(tag: string): Promise<void> {
  bench.reached(tag, 'done');
}

/** Timer ceiling: a bare timer due at `dueAtMs`, then done (the reminder's timer without its mail). */
export async function benchTimerWorkflow(tag: string, dueAtMs: number): Promise<void> {
  bench.reached(tag, 'armed');
  await sleep(Math.max(1, dueAtMs - Date.now()));
  bench.reached(tag, 'done');
}
