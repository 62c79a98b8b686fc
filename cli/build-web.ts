// Builds the console (web/ → web/dist) with Vite, unless the build is newer than every source file.
// `npm start` and the test setup call it, so the README's two commands need no separate build step.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../web', import.meta.url));
const DIST_INDEX = join(WEB_DIR, 'dist', 'index.html');
/** What the build reads: the sources, the page, the build config, and the installed versions. */
const INPUTS = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json', '../package-lock.json'];

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => null);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** True when web/dist is missing or older than a source. */
export async function consoleBuildStale(): Promise<boolean> {
  const built = await stat(DIST_INDEX).catch(() => null);
  if (!built) return true;
  let newest = 0;
  for (const input of INPUTS) newest = Math.max(newest, await newestMtime(join(WEB_DIR, input)));
  return newest > built.mtimeMs;
}

/** Builds the console when stale; says what it did. */
export async function buildConsole(log: (line: string) => void = () => undefined): Promise<'built' | 'up-to-date'> {
  if (!(await consoleBuildStale())) return 'up-to-date';
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
  log(`built the console into ${join(WEB_DIR, 'dist')} in ${Date.now() - started} ms`);
  return 'built';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildConsole(console.log);
}
