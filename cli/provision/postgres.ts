import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { getFreePort } from './free-port';
import { defaultLog, findOnPath, isExecutable, type Log } from './util';

export interface PostgresHandle {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
  /**
   * Stops the server (fast shutdown: sessions are ended) but keeps its data directory, so
   * `resume` starts it again on the same data and port: an outage, for fault tests. Only for a
   * cluster started here (not DATABASE_URL).
   */
  halt(): Promise<void>;
  resume(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

async function findPgBinDir(): Promise<string | undefined> {
  // Debian keeps server binaries (initdb, postgres) off PATH, one directory per major version.
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[]))
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (await isExecutable(path.join(dir, 'postgres'))) return dir;
  }
  const onPath = await findOnPath('postgres');
  return onPath && (await isExecutable(path.join(path.dirname(onPath), 'initdb'))) ? path.dirname(onPath) : undefined;
}

function installPostgres(log: Log): void {
  log('PostgreSQL not found; running apt-get update && apt-get install -y postgresql');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'postgresql']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status})`);
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (initdb refuses root)');
  }
  return { uid, gid };
}

/** initdb and postgres refuse to run as root, so as root they run as the `postgres` user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return isRoot()
    ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]]
    : [command, args];
}

function runToCompletion(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = asPostgres(command, args);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during startup:\n${output()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s: ${String(err)}`);
    }
    await delay(50);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // SIGINT is postgres' "fast shutdown": it ends sessions and exits without waiting for clients.
    const escalate = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(escalate);
      resolve();
    });
    child.kill('SIGINT');
  });
}

interface Postmaster {
  running(): boolean;
  stop(): Promise<void>;
}

/** Starts `postgres` on an initialized data directory and waits until it accepts connections. */
async function launchPostmaster(binDir: string, dir: string, port: number, url: string): Promise<Postmaster> {
  const [cmd, argv] = asPostgres(path.join(binDir, 'postgres'), [
    '-D', dir, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
  ]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // If the test process dies without teardown, don't leave a postmaster behind.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
  };
  try {
    await waitUntilReady(url, child, () => output);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return { running: () => child.exitCode === null && child.signalCode === null, stop };
}

/**
 * A throwaway PostgreSQL cluster for tests and local runs (or DATABASE_URL when set).
 * Runs as a child process rather than via pg_ctl: a daemonized postmaster left zombies.
 */
export async function startPostgres(log: Log = defaultLog): Promise<PostgresHandle> {
  if (process.env.DATABASE_URL) {
    const notHere = async () => {
      throw new Error('DATABASE_URL names a server not started here: it cannot be halted or resumed');
    };
    return { url: process.env.DATABASE_URL, stop: async () => undefined, halt: notHere, resume: notHere };
  }
  const started = Date.now();
  let binDir = await findPgBinDir();
  if (!binDir && isRoot()) {
    installPostgres(log);
    binDir = await findPgBinDir();
  }
  if (!binDir) {
    throw new Error(
      'PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH). ' +
        'Install PostgreSQL (e.g. `apt-get install postgresql`) or set DATABASE_URL.',
    );
  }

  const dir = await mkdtemp(path.join(tmpdir(), 'hc-pg-'));
  try {
    if (isRoot()) {
      const { uid, gid } = postgresUser();
      await chown(dir, uid, gid);
    }
    const init = await runToCompletion(path.join(binDir, 'initdb'), [
      '-D', dir, '-U', 'postgres', '--auth=trust', '--locale=C.UTF-8', '--no-sync',
    ]);
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);

    // The port is free when chosen but may be taken before postgres binds; retry a few times.
    for (let attempt = 1; ; attempt++) {
      const port = await getFreePort();
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      let server: Postmaster;
      try {
        server = await launchPostmaster(binDir, dir, port, url);
      } catch (err) {
        if (attempt < 3 && /could not (bind|create listen)|already in use/i.test(String(err))) continue;
        throw err;
      }
      log(`postgres ready at ${url} in ${Date.now() - started} ms`);
      const pgBin = binDir;
      return {
        url,
        stop: async () => {
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        },
        halt: () => server.stop(),
        resume: async () => {
          if (server.running()) return;
          server = await launchPostmaster(pgBin, dir, port, url);
        },
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE (copying `template` if given) and return the new database's URL. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const sql = `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`;
  await adminQuery(adminUrl, sql);
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
}
