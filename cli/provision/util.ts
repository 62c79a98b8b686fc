import { spawn } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
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

export async function findGo(): Promise<string | undefined> {
  return findOnPath('go', ['/usr/local/go/bin']);
}

/** PIDs of running `go install <module>@...` processes (every `go install` when `module` is omitted). */
export async function runningGoInstalls(module?: string): Promise<number[]> {
  const pids: number[] = [];
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.includes('install') && args.some((a) => (module ? a.startsWith(`${module}@`) : /^[\w.-]+\.[\w.-]+\/\S*@/.test(a)))) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

export interface GoInstall {
  /** Packages of one module at one version, built by one `go install`, e.g. `go.temporal.io/server/cmd/server`. */
  packages: string[];
  version: string;
  /** Where each package's binary (named after its last path element) ends up, in `packages` order. */
  targets: string[];
  /** What is built, for progress lines ("the Temporal CLI v1.5.1"). */
  what: string;
  /** How long a cold build takes and what it leaves behind, for the first progress line. */
  cost: string;
  logFile: string;
  /** Runs after the build with the built binaries in place, still under the lock (e.g. copying module files). */
  after?: () => Promise<void>;
  log: Log;
}

/**
 * `go install` of pinned packages from the Go module proxy into the cache, once per machine:
 * under one lock for every Go build here (they share the Go caches and the CPU), after any
 * `go install` already running (started by hand or by an older checkout), into a side
 * directory renamed into place so a killed build never leaves a truncated binary.
 * Undefined when Go is missing.
 */
export async function goInstallIntoCache(build: GoInstall): Promise<string[] | undefined> {
  const go = await findGo();
  if (!go) return undefined;
  const { log, targets } = build;
  const bin = path.join(cacheDir(), 'bin');
  const built = async () => (await Promise.all(targets.map(isExecutable))).every(Boolean);
  return withLock(path.join(bin, '.go-install.lock'), `building ${build.what}`, log, async () => {
    for (const pid of await runningGoInstalls()) await waitForExit(pid, 'a running go install', log);
    if (!(await built())) {
      const partial = path.join(bin, `.partial-${process.pid}`);
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      log(`building ${build.what} with ${go} into ${path.dirname(targets[0]!)} (${build.cost}; output in ${build.logFile})`);
      try {
        await runLogged(go, ['install', ...build.packages.map((p) => `${p}@${build.version}`)], {
          env: { ...process.env, GOBIN: partial },
          logFile: build.logFile,
          what: `building ${build.what}`,
          log,
        });
        for (const [i, pkg] of build.packages.entries()) {
          await mkdir(path.dirname(targets[i]!), { recursive: true });
          await rename(path.join(partial, path.basename(pkg)), targets[i]!);
        }
      } finally {
        await rm(partial, { recursive: true, force: true });
      }
    }
    await build.after?.();
    return targets;
  });
}
