// The bench's one report: every figure beside its ceiling (same run, same server), the machine it ran
// on and the topology of every figure; written as bench/results/<stamp>.md and .json.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { TEMPORAL_CLI_VERSION } from '../cli/provision/temporal';
import { ROOT } from './stack';

export interface Figure {
  id: string;
  title: string;
  value: number;
  unit: string;
  topology: string;
  ceiling?: { title: string; value: number; unit: string };
  /** value / ceiling.value (or as the figure defines it: see its target). */
  ratio?: number;
  target?: string;
  met?: boolean;
  detail?: Record<string, unknown>;
}

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  temporalCli: string;
  packages: Record<string, string>;
  servers: Record<string, Record<string, string>>;
  commit: string;
}

export async function machine(servers: Record<string, Record<string, string>>): Promise<Machine> {
  const pkg = async (name: string) => ((JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version);
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  return {
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    cpuModel: cpus()[0]?.model ?? '?',
    node: process.version,
    temporalCli: TEMPORAL_CLI_VERSION,
    packages: { '@temporalio/worker': await pkg('@temporalio/worker'), pg: await pkg('pg'), '@electric-sql/pglite': await pkg('@electric-sql/pglite') },
    servers,
    commit,
  };
}

const fmt = (v: number, unit: string) => `${Number.isFinite(v) ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : +v.toFixed(2)) : '—'} ${unit}`;

/** The figures table (also what the README's performance section shows). */
export function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ceiling = f.ceiling ? `${fmt(f.ceiling.value, f.ceiling.unit)} (${f.ceiling.title})` : '';
    const met = f.met === undefined ? '' : f.met ? 'met' : '**missed**';
    return `| ${f.title} | ${f.topology} | ${fmt(f.value, f.unit)} | ${ceiling} | ${f.ratio ?? ''} | ${f.target ?? ''} | ${met} |`;
  });
  return ['| figure | topology | value | ceiling (same run, same server) | ratio | target | |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export interface RunInfo {
  stamp: string;
  command: string;
  quick: boolean;
  durationS: number;
  /** 1-minute load average at the start and at the end: the machine is shared, figures move with it. */
  load: { start: number; end: number };
  topologies: Record<string, string>;
  /** The sizes of this mode (quick, full, large), in a line. */
  sizes?: string;
  /** Wall time of each figure and stack start. */
  figureSeconds?: Record<string, number>;
  notes: string[];
  errors: string[];
}

export const load1 = () => +loadavg()[0]!.toFixed(1);

export async function writeReport(run: RunInfo, m: Machine, figures: Figure[], prefix = ''): Promise<{ md: string; mdPath: string; jsonPath: string }> {
  const dir = join(ROOT, 'bench/results');
  await mkdir(dir, { recursive: true });
  const details = figures
    .filter((f) => f.detail && Object.keys(f.detail).length)
    .map((f) => `- **${f.title}** (${f.topology}): \`${JSON.stringify(f.detail)}\``)
    .join('\n');
  const md = `# Benchmark ${run.stamp}${run.quick ? ' (quick)' : ''}

\`${run.command}\` — ${run.durationS} s. Commit ${m.commit}. Load average (1 min) ${run.load.start} at the start, ${run.load.end} at the end (${m.cores} cores).

${run.sizes ? `Sizes: ${run.sizes}.

` : ''}${run.figureSeconds ? `Time per figure: ${Object.entries(run.figureSeconds).map(([k, v]) => `${k} ${v} s`).join(', ')}.

` : ''}Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, Temporal CLI ${m.temporalCli}, ${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')}.

Topologies:
${Object.entries(run.topologies).map(([k, v]) => `- **${k}**: ${v}${m.servers[k] ? ` (${Object.entries(m.servers[k]).map(([a, b]) => `${a} ${b}`).join(', ')})` : ''}`).join('\n')}

${table(figures)}
${run.errors.length ? `\nFailed:\n${run.errors.map((e) => `- ${e}`).join('\n')}\n` : ''}${run.notes.length ? `\nNotes:\n${run.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
Details:
${details}
`;
  const base = join(dir, `${prefix}${run.stamp}`);
  await writeFile(`${base}.json`, JSON.stringify({ run, machine: m, figures }, null, 2) + '\n');
  await writeFile(`${base}.md`, md);
  return { md, mdPath: `${base}.md`, jsonPath: `${base}.json` };
}
