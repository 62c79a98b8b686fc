import { spawn } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export type Log = (line: string) => void;

/** Progress goes to stderr so commands that print machine-readable output on stdout stay clean. */
export const defaultLog: Log = (line) => console.error(`[provision] ${line}`);

/** Lives outside the clone so that every checkout on the machine shares one set of built servers. */
export function cacheDir(): string {
  return process.env.HAZARD_CACHE_DIR ?? path.join(homedir(), '.cache', 'hazard-campaign');
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function findOnPath(name: string, extraDirs: string[] = []): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitForExit(pid: number, what: string, log: Log): Promise<void> {
  const started = Date.now();
  let nextReport = 0;
  while (isAlive(pid)) {
    const elapsed = Math.round((Date.now() - started) / 1000);
    if (elapsed >= nextReport) {
      log(`waiting for ${what} (pid ${pid}, ${elapsed} s so far)`);
      nextReport = elapsed + 30;
    }
    await delay(1000);
  }
}

/**
 * Cross-process mutex based on an exclusively created file holding the owner's PID.
 * A lock whose owner is gone is taken over, so a killed build never blocks later runs.
 */
export async function withLock<T>(lockFile: string, what: string, log: Log, fn: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  let reported = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    const ageMs = await stat(lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
    // An empty lock file younger than a few seconds is an owner that has not written its PID yet.
    const stale = owner > 0 ? !isAlive(owner) : ageMs > 5000;
    if (stale) {
      log(`removing stale lock ${lockFile}`);
      await rm(lockFile, { force: true });
      continue;
    }
    if (!reported) {
      log(`another process (pid ${owner || '?'}) is ${what}; waiting for it`);
      reported = true;
    }
    await delay(1000);
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/**
 * Runs a long command with its output captured in `logFile` (a Go build prints
 * hundreds of "downloading" lines) and a heartbeat so a silent wait doesn't look hung.
 */
export async function runLogged(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; what: string; log: Log },
): Promise<void> {
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const out = createWriteStream(opts.logFile);
  await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  const started = Date.now();
  const heartbeat = setInterval(() => {
    opts.log(`still ${opts.what} (${Math.round((Date.now() - started) / 1000)} s)`);
  }, 30_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', out, out] });
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) {
      const tail = (await readFile(opts.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-20).join('\n');
      throw new Error(`${command} ${args.join(' ')} exited with ${code}; see ${opts.logFile}:\n${tail}`);
    }
    opts.log(`done ${opts.what} in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    clearInterval(heartbeat);
    out.end();
  }
}
