// Figure 3, campaign launch: bench/campaign-launch.ts (the launch engineer's) on the stack, beside its own
// ideal (as many trivial workflows started and run on the same server).
import { benchCampaignLaunch } from '../campaign-launch';
import type { Figure } from '../report';
import type { Stack } from '../stack';

export async function launch(stack: Stack, opts: { quick: boolean }): Promise<Figure[]> {
  const enterprises = Number(process.env.BENCH_ENTERPRISES ?? (opts.quick ? 500 : 10_000));
  const units = Number(process.env.BENCH_UNITS ?? (opts.quick ? 20 : 200));
  const counties = Math.max(1, Math.round(units / 4));
  stack.say(`launch: ${enterprises} enterprises, ${units} units`);
  const r = await benchCampaignLaunch(
    { db: stack.db, client: stack.client, address: stack.temporalAddress, admin: stack.admin, post: (p, k, b) => stack.post(p, k, b), say: stack.say, until: stack.until },
    { enterprises, counties, departments: units - counties },
  );
  return [
    {
      id: 'launch',
      title: `Campaign launch, ${enterprises.toLocaleString('en-US')} enterprises / ${units} units: every obligation, inspection and self-inspection running`,
      value: r.everythingRunningMs / 1000,
      unit: 's',
      topology: stack.topology,
      ceiling: { title: `${(r.units + r.drawnInspections + r.selfInspections).toLocaleString('en-US')} trivial workflows (units + drawn inspections + self-inspections) started and run`, value: r.idealTrivialWorkflowsMs / 1000, unit: 's' },
      ratio: r.ratio,
      target: '≤ 1.25×',
      met: r.ratio <= 1.25,
      detail: r,
    },
  ];
}
