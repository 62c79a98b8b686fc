// `npm run bench`: every figure of issue 13 beside its ceiling (same run, same server), written to
// bench/results/<stamp>.md and .json. Never part of `npm test`.
//   npm run bench                          full run (under 30 minutes on 2 cores; sizes in SIZES)
//   npm run bench -- --quick               smaller sizes (under 5 minutes)
//   npm run bench -- --only intake,ceiling figures by name (see FIGURES); `--only webhooks`: bench/webhooks.ts
//   npm run bench -- --topology dev|postgres|both
//   npm run bench -- --large               lateness and worker RSS also at 100,000 open hazards (long)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { load1, machine, writeReport, type Figure } from './report';
import { clock, ROOT, startStack, type Stack, type Topology } from './stack';

export interface FigureOptions {
  quick: boolean;
  large: boolean;
  /** Figures already measured in this run (any topology), e.g. the dev intake beside the embedded one. */
  results: Figure[];
}

type FigureFn = (stack: Stack, opts: FigureOptions) => Promise<Figure[]>;

/** In run order. `on`: 'each' runs on every selected topology, 'first' on the first only, 'embedded' on the embedded start. */
const FIGURES: { name: string; file: string; fn: string; on: 'each' | 'first' | 'embedded' }[] = [
  { name: 'ceiling', file: 'ceiling', fn: 'ceiling', on: 'each' },
  { name: 'intake', file: 'intake', fn: 'intake', on: 'each' },
  { name: 'launch', file: 'launch', fn: 'launch', on: 'each' },
  { name: 'reminder-burst', file: 'reminder-burst', fn: 'reminderBurst', on: 'each' },
  // After the figures that leave hazards open (quick: about 1,400, no seeding; full: about 5,000 of its
  // 10,000): seeding through the API takes about 20 hazards/s (10,000: over 8 minutes on 2 cores).
  { name: 'lateness', file: 'lateness', fn: 'lateness', on: 'first' },
  { name: 'ledger-reads', file: 'ledger-reads', fn: 'ledgerReads', on: 'first' },
  { name: 'poller', file: 'poller', fn: 'poller', on: 'first' },
  { name: 'embedded', file: 'embedded', fn: 'embedded', on: 'embedded' },
];

/**
 * The sizes of each mode, for the report header and the README (the figures read the same numbers:
 * ceiling.ts burstSize, lateness.ts latenessSizes, intake.ts, ledger-reads.ts, poller.ts). The issue's
 * sizes where they fit in 30 minutes on 2 cores; the reminder burst (10,000) and the 100,000-open-hazard
 * lateness only with --large.
 */
const SIZES = {
  quick: 'trivial starts 300; burst and bare timers 500; intake 15 s at 16 in flight + 15 s paced at 0.7× the start ceiling; lateness 100 reminders over 30 s at the open hazards the figures before left (at least 1,000; RSS there); ledger 50,000 rows, 30 requests per query; poller 300 reports, the lateness probe, the burst; embedded 10 + 10 s (300 trivial starts); launch 500 enterprises / 20 units',
  full: 'trivial starts 2,000; burst and bare timers 2,000 (the issue: 10,000, with --large); intake 60 s at 16 in flight + 30 s paced at 0.7× the start ceiling; lateness 1,000 reminders over 120 s at 10,000 open hazards, RSS at the open hazards the figures before left and at 10,000; ledger 1,000,000 rows; poller 1,000 reports, the lateness probe, the burst; embedded 30 + 30 s (300 trivial starts); launch as its title says',
  large: 'as full, with burst and bare timers 10,000, and lateness and RSS at 100,000 open hazards too (seeded through the API: hours)',
};

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice(argv[i]!.indexOf('=') + 1) : argv[i + 1];
};
const only = value('only')?.split(',').map((s) => s.trim()).filter(Boolean);

if (only?.includes('webhooks')) {
  // The webhook delivery latency has its own report (bench/results/webhooks-<stamp>.md).
  await import('./webhooks');
  process.exit(0);
}

const quick = flag('quick');
const large = flag('large');
const topologyArg = value('topology') ?? process.env.BENCH_TOPOLOGY ?? 'dev';
if (!['dev', 'postgres', 'both'].includes(topologyArg)) {
  console.error(`--topology: dev, postgres or both, not '${topologyArg}'`);
  process.exit(2);
}
const unknown = only?.filter((n) => !FIGURES.some((f) => f.name === n));
if (unknown?.length) {
  console.error(`--only: unknown figure(s) ${unknown.join(', ')}; known: ${FIGURES.map((f) => f.name).join(', ')}, webhooks`);
  process.exit(2);
}
const topologies: Topology[] = topologyArg === 'both' ? ['dev', 'postgres'] : [topologyArg as Topology];
const selected = FIGURES.filter((f) => !only || only.includes(f.name));

Runtime.install({ logger: new DefaultLogger((process.env.BENCH_LOG_LEVEL ?? 'WARN') as 'WARN') });
// One bound on every wait of the run: a server that stops answering (seen: the dev server's SQLite
// interrupted under a load average of 30) fails the figure instead of hanging the run.
// A bound on hangs, not the target: three and two times the targets (5 and 30 minutes), as a shared
// machine under load (10-13 seen) takes twice as long (a quick run: 608 s); --large (hours) has none.
const c = clock('bench', Number(process.env.BENCH_LIMIT_SECONDS ?? (quick ? 900 : large ? 6 * 3600 : 3600)) * 1000);
const startedAt = Date.now();
const loadAtStart = load1();
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const figures: Figure[] = [];
const errors: string[] = [];
const notes: string[] = [];
const described: Record<string, string> = {};
const servers: Record<string, Record<string, string>> = {};
/** Wall time of each figure (and of each stack's start), to see where a run's time goes. */
const figureSeconds: Record<string, number> = {};
const since = (t0: number) => Math.round((Date.now() - t0) / 1000);

function runInfo() {
  return {
    stamp,
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    quick,
    durationS: Math.round((Date.now() - startedAt) / 1000),
    sizes: quick ? SIZES.quick : large ? SIZES.large : SIZES.full,
    figureSeconds,
    load: { start: loadAtStart, end: load1() },
    topologies: described,
    notes,
    errors,
  };
}

async function load(f: (typeof FIGURES)[number]): Promise<FigureFn | undefined> {
  const file = join(ROOT, 'bench/figures', `${f.file}.ts`);
  if (!existsSync(file)) {
    notes.push(`${f.name}: bench/figures/${f.file}.ts is not there yet; not measured`);
    return undefined;
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, FigureFn>;
  if (typeof mod[f.fn] !== 'function') throw new Error(`bench/figures/${f.file}.ts exports no ${f.fn}()`);
  return mod[f.fn];
}

async function runOn(topology: Topology, which: typeof FIGURES): Promise<void> {
  if (which.length === 0) return;
  c.say(`starting the '${topology}' stack for ${which.map((f) => f.name).join(', ')}`);
  let stack: Stack;
  const t0 = Date.now();
  try {
    stack = await startStack({ topology, clock: c });
    figureSeconds[`stack (${topology})`] = since(t0);
  } catch (err) {
    errors.push(`${topology} stack: ${err instanceof Error ? err.message : String(err)}`);
    c.say(`the '${topology}' stack failed to start: ${String(err)}`);
    return;
  }
  described[topology] = stack.describe;
  servers[topology] = stack.versions;
  try {
    for (const f of which) {
      try {
        const fn = await load(f);
        if (!fn) continue;
        c.say(`— ${f.name} (${topology})`);
        const t1 = Date.now();
        const got = await fn(stack, { quick, large, results: figures }).finally(() => (figureSeconds[`${f.name} (${topology})`] = since(t1)));
        for (const g of got) c.say(`${g.title} [${g.topology}]: ${g.value} ${g.unit}${g.ratio !== undefined ? `, ratio ${g.ratio}` : ''}${g.met !== undefined ? (g.met ? ' (target met)' : ' (target missed)') : ''}`);
        figures.push(...got);
        // Written after every figure: a run stopped part-way still leaves what it measured.
        await writeReport({ ...runInfo(), notes: [...notes, 'partial: written while the run was still going'] }, await machine(servers), figures);
      } catch (err) {
        errors.push(`${f.name} (${topology}): ${err instanceof Error ? err.message : String(err)}`);
        c.say(`${f.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    c.say(`stopping the '${topology}' stack`);
    await stack.stop();
  }
}

c.say(`${quick ? 'quick' : 'full'} run; topology ${topologyArg}; figures ${selected.map((f) => f.name).join(', ')}`);
for (const [i, t] of topologies.entries()) await runOn(t, selected.filter((f) => f.on === 'each' || (f.on === 'first' && i === 0)));
await runOn('embedded', selected.filter((f) => f.on === 'embedded'));

const out = await writeReport(runInfo(), await machine(servers), figures);
console.log(out.md);
c.say(`wrote ${out.mdPath} and .json`);
process.exit(errors.length ? 1 : 0);
