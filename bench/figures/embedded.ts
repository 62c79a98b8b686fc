// The embedded default (`npm start`: PGlite, the worker and the API in one process beside the dev
// server): intake at the same concurrency as on 'dev', beside this run's 'dev' intake, with what
// limits it: the event-loop utilisation and CPU of the one process while it takes reports (PGlite
// runs its queries on that thread, one at a time) against the start ceiling of the same server.
import { performance } from 'node:perf_hooks';
import type { Figure } from '../report';
import type { Stack } from '../stack';
import { startCeiling } from './ceiling';
import { intakeFigures, measureIntake, pacedRate } from './intake';

export async function embedded(stack: Stack, opts: { quick: boolean; results?: Figure[] }): Promise<Figure[]> {
  // 300 trivial starts in either mode (the quick size): a ratio's denominator, not a figure of its own.
  const ceiling = await startCeiling(stack, true);
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const seconds = Number(process.env.BENCH_EMBEDDED_SECONDS ?? (opts.quick ? 10 : 30));
  const r = await measureIntake(stack, seconds);
  const wallMs = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const limits = {
    eventLoopUtilisation: +elu.utilization.toFixed(2),
    processCpuCores: +((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2),
    note: 'one process: API, activities and PGlite (single connection, queries run on the main thread one at a time); workflow code on the SDK worker threads',
  };
  // The first-state target at 0.7x this server's start ceiling, measured after (outside the ELU/CPU window).
  const paced = await measureIntake(stack, seconds, { perSecond: pacedRate(ceiling.perSecond) });
  const figures = intakeFigures(stack, r, ceiling.perSecond, 'embedded.intake', paced);
  const dev = opts.results?.find((f) => f.id === 'intake.rate' && f.topology === 'dev');
  figures.push({
    id: 'embedded.vs-dev',
    title: 'Embedded default (`npm start`) intake beside the same on dev server + real Postgres',
    value: r.perSecond,
    unit: '/s',
    topology: 'embedded',
    ...(dev ? { ceiling: { title: 'dev: intake with real Postgres, same run', value: dev.value, unit: '/s' }, ratio: +(r.perSecond / dev.value).toFixed(2) } : {}),
    detail: { limits },
  });
  figures[0]!.detail = { ...figures[0]!.detail, limits };
  return figures;
}
