// `npm run bench:readme [-- <results .json>]`: puts the figures table of a report (the newest
// bench/results/*.json by default) into the README between the bench:table markers.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { table, type Figure, type RunInfo } from './report';
import { ROOT } from './stack';

const dir = join(ROOT, 'bench/results');
const file = process.argv[2] ?? join(dir, (await readdir(dir)).filter((f) => /^\d{4}-.*\.json$/.test(f)).sort().at(-1)!);
const { run, figures } = JSON.parse(await readFile(file, 'utf8')) as { run: RunInfo; figures: Figure[] };
const readme = join(ROOT, 'README.md');
const text = await readFile(readme, 'utf8');
const open = '<!-- bench:table -->';
const close = '<!-- /bench:table -->';
const [a, b] = [text.indexOf(open), text.indexOf(close)];
if (a < 0 || b < a) throw new Error(`README.md has no ${open} … ${close} section`);
const rel = relative(ROOT, resolve(file));
const sizes = run.sizes ? ` Sizes: ${run.sizes}.` : '';
const body = `${open}\nFrom \`${rel.replace(/\.json$/, '.md')}\` (\`${run.command}\`, ${run.durationS} s, load average ${run.load?.start ?? '?'} → ${run.load?.end ?? '?'}).${sizes}\n\n${table(figures)}\n${close}`;
await writeFile(readme, text.slice(0, a) + body + text.slice(b + close.length));
console.log(`README.md: table from ${rel}`);
