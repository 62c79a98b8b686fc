// `npm start` (tsx cli/start.ts) as a user runs it, with its own Temporal dev server: a start that
// fails after the dev server is up, and one stopped by SIGTERM, leave no server behind them; a
// start offers the built-in Datong template.
// Real processes on a temp DATA_DIR, a fresh Postgres database, free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getFreePort } from '../../cli/provision/free-port';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { injected } from '../support/injected';

/** PIDs of Temporal processes whose command line has `--port <port>`. */
async function temporalOnPort(port: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.some((a) => a.includes('temporal')) && args.some((a, i) => a === String(port) && /port/.test(args[i - 1] ?? ''))) pids.push(Number(entry));
  }
  return pids;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  temporalPort: number;
}

async function startProcess(dataDir: string, db: FreshDatabase, apiPort: number): Promise<Run> {
  const temporalPort = await getFreePort();
  const uiPort = await getFreePort();
  const exe = injected('devServerExecutable');
  // node itself, as `npm start` runs it: the tsx CLI wrapper relays a signal only if its child
  // acknowledges within 30 ms, and SIGKILLs it otherwise (seen on a loaded machine).
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_ADDRESS: '',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_ADMIN_KEY: `start-test-${randomBytes(8).toString('hex')}`,
      ...(exe.type === 'existing-path' ? { TEMPORAL_CLI_PATH: exe.path } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited, temporalPort };
}

async function waitFor(run: Run, pattern: RegExp, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(run.output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}: ${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `body` with a temp data folder and a fresh database; kills any Temporal server left on the run's port. */
async function withStart(body: (dataDir: string, db: FreshDatabase, track: (run: Run) => void) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hc-start-'));
  const db = await freshDatabase();
  const runs: Run[] = [];
  try {
    await body(dataDir, db, (run) => runs.push(run));
  } finally {
    for (const run of runs) {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      for (const pid of await temporalOnPort(run.temporalPort)) process.kill(pid, 'SIGKILL');
    }
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('npm start', () => {
  it('stops the Temporal dev server it started when a later step fails (the API port is taken), and exits 1', async () => {
    await withStart(async (dataDir, db, track) => {
      const blocker: Server = createServer();
      const apiPort = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
      try {
        const run = await startProcess(dataDir, db, apiPort);
        track(run);
        expect(await run.exited, run.output()).toBe(1);
        // The dev server had started (the database step comes after it); the API's listen failed.
        expect(run.output()).toMatch(/connecting to Postgres/);
        expect(run.output()).toMatch(/EADDRINUSE/);
        expect(run.output()).toMatch(/stopping what had started/);
        expect(await temporalOnPort(run.temporalPort), run.output()).toEqual([]);
        expect(await listening(run.temporalPort)).toBe(false);
      } finally {
        blocker.close();
      }
    });
  });

  it('stops everything it started on SIGTERM, and exits 0', async () => {
    await withStart(async (dataDir, db, track) => {
      const apiPort = await getFreePort();
      const run = await startProcess(dataDir, db, apiPort);
      track(run);
      await waitFor(run, /Ctrl-C stops everything/, 90_000);
      expect(await listening(run.temporalPort)).toBe(true);
      // The embedded start goes through startApi, which stores the built-in templates.
      expect(run.output()).toMatch(/template\s+datong-2023 v1 built in, ready to launch\n/);
      // …and serves the console at / (built by the start, or already up to date).
      expect(run.output()).toContain(`console    http://127.0.0.1:${apiPort}/`);
      const page = await fetch(`http://127.0.0.1:${apiPort}/`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<div id="app">');
      run.child.kill('SIGTERM');
      expect(await run.exited, run.output()).toBe(0);
      expect(await temporalOnPort(run.temporalPort), run.output()).toEqual([]);
      expect(await listening(run.temporalPort)).toBe(false);
    });
  });
});
