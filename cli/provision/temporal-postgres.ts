// The production topology's Temporal server as plain processes, no Docker: the server and its SQL
// schema tool built from the Go module proxy once per machine (the version docker-compose.yml pins),
// configured like the temporalio/server image (its env-templated config/docker.yaml and the same
// variables) and run against a PostgreSQL cluster (cli/provision/postgres.ts or any superuser URL).
// Used by the bench's 'postgres' topology and tests/e2e/temporal-postgres.e2e.test.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { dropDatabase } from './postgres';
import { cacheDir, defaultLog, findGo, goInstallIntoCache, isExecutable, runLogged, type Log } from './util';

/** The server the Temporal CLI v1.5.1 embeds (the dev server's), so both topologies run one server version. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** temporalio/admin-tools tags before 1.30 also name the tctl and CLI they carry. */
export const TEMPORAL_ADMIN_TOOLS_TAG = `${TEMPORAL_SERVER_VERSION}-tctl-1.18.4-cli-1.5.0`;
/** The web UI the CLI v1.5.1 serves (its go.mod requires github.com/temporalio/ui-server/v2 v2.42.1). */
export const TEMPORAL_UI_VERSION = '2.42.1';
const SERVER_MODULE = 'go.temporal.io/server';

const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/temporal/', import.meta.url));
/** The server's dynamic config, the one docker-compose.yml mounts. */
export const DYNAMIC_CONFIG_FILE = path.join(DEPLOY_DIR, 'dynamicconfig.yaml');
/** The `temporal-sql-tool` steps, the ones docker-compose.yml's temporal-admin-tools job runs. */
export const SCHEMA_SCRIPT = path.join(DEPLOY_DIR, 'setup-postgres.sh');

/** Namespaces are created with the retention of docker-compose.yml's create-namespace job. */
const RETENTION = '72 hours';

/** Laid out like the image's TEMPORAL_HOME (/etc/temporal): bin/, config/docker.yaml, schema/postgresql/v12/. */
export function temporalServerHome(): string {
  return path.join(cacheDir(), `temporal-server-v${TEMPORAL_SERVER_VERSION}`);
}

interface ServerBuild {
  home: string;
  server: string;
  sqlTool: string;
  schemaDir: string;
}

function layout(home = temporalServerHome()): ServerBuild {
  return {
    home,
    server: path.join(home, 'bin', 'temporal-server'),
    sqlTool: path.join(home, 'bin', 'temporal-sql-tool'),
    schemaDir: path.join(home, 'schema', 'postgresql', 'v12'),
  };
}

const COMPLETE_MARKER = '.complete';

/** Whether the server is built and its config and schema copied: starting it then takes seconds, not minutes. */
export async function temporalServerBuilt(): Promise<boolean> {
  const b = layout();
  const marker = await stat(path.join(b.home, COMPLETE_MARKER)).then(() => true, () => false);
  return marker && (await isExecutable(b.server)) && (await isExecutable(b.sqlTool));
}

/**
 * Copies what the server reads besides its binary from the Go module (config template, SQL schema)
 * into the home, so a `go clean -modcache` later does not break it. Written afresh (not the module
 * cache's read-only modes), into a side directory renamed into place.
 */
async function copyModuleFiles(home: string, log: Log): Promise<void> {
  if (await stat(path.join(home, COMPLETE_MARKER)).then(() => true, () => false)) return;
  const go = await findGo();
  if (!go) throw new Error('Go is needed to locate the Temporal server module');
  const { stdout } = await promisify(execFile)(go, ['mod', 'download', '-json', `${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`], { cwd: home });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download gave no directory for ${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`);
  for (const sub of [path.join('config', 'docker.yaml'), path.join('schema', 'postgresql', 'v12')]) {
    const source = path.join(moduleDir, sub);
    const target = path.join(home, sub);
    const side = `${target}.partial-${process.pid}`;
    await rm(side, { recursive: true, force: true });
    if ((await stat(source)).isDirectory()) {
      for (const entry of await readdir(source, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const rel = path.relative(source, path.join(entry.parentPath, entry.name));
        await mkdir(path.dirname(path.join(side, rel)), { recursive: true });
        await writeFile(path.join(side, rel), await readFile(path.join(source, rel)));
      }
    } else {
      await mkdir(path.dirname(side), { recursive: true });
      await writeFile(side, await readFile(source));
    }
    await rm(target, { recursive: true, force: true });
    await rename(side, target);
  }
  await writeFile(path.join(home, COMPLETE_MARKER), `${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}\n`);
  log(`copied the server's config template and PostgreSQL schema into ${home}`);
}

let provisioned: Promise<ServerBuild> | undefined;

/**
 * The Temporal server and `temporal-sql-tool` at TEMPORAL_SERVER_VERSION, built into
 * <cache>/temporal-server-v<version> with `go install` on first use (about 2 minutes when the
 * Temporal CLI was built before: they share the Go caches). Memoized per process.
 */
export function provisionTemporalServer(log: Log = defaultLog): Promise<ServerBuild> {
  provisioned ??= (async () => {
    const b = layout();
    if (await temporalServerBuilt()) return b;
    await mkdir(b.home, { recursive: true });
    const built = await goInstallIntoCache({
      packages: [`${SERVER_MODULE}/cmd/server`, `${SERVER_MODULE}/cmd/tools/sql`],
      version: `v${TEMPORAL_SERVER_VERSION}`,
      // `go install` names the binaries after their packages (server, sql); the image calls them so.
      targets: [b.server, b.sqlTool],
      what: `the Temporal server v${TEMPORAL_SERVER_VERSION} and temporal-sql-tool`,
      cost: 'about 2 minutes with the Go caches the Temporal CLI build left, about 5 cold',
      logFile: path.join(cacheDir(), 'temporal-server-build.log'),
      after: () => copyModuleFiles(b.home, log),
      log,
    });
    if (!built) {
      throw new Error(
        `The Temporal server on PostgreSQL needs Go >= 1.25 on PATH (to build ${SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}); ` +
          'or run docker-compose.yml.',
      );
    }
    return b;
  })();
  provisioned.catch(() => (provisioned = undefined));
  return provisioned;
}

export interface TemporalDatabases {
  temporal: string;
  visibility: string;
}

/** Ports of the four services; the frontend's gRPC port is the address clients dial. */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

function parsePostgresUrl(url: string): PostgresTarget {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

/**
 * The variables the server's config/docker.yaml reads: the temporalio/server image's contract, which
 * docker-compose.yml's `temporal` service sets too (tests/unit/compose.test.ts holds them equal,
 * except what differs per run: host, ports, database names).
 */
export function temporalServerEnv(pg: PostgresTarget, databases: TemporalDatabases, ports: TemporalPorts): Record<string, string> {
  return {
    DB: 'postgres12',
    POSTGRES_SEEDS: pg.host,
    DB_PORT: String(pg.port),
    // config/docker.yaml reads the visibility store's port from here or POSTGRES_PORT, not DB_PORT
    // (the image's dockerize template falls back to DB_PORT): set for both.
    VISIBILITY_DB_PORT: String(pg.port),
    POSTGRES_USER: pg.user,
    POSTGRES_PWD: pg.password,
    DBNAME: databases.temporal,
    VISIBILITY_DBNAME: databases.visibility,
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    LOG_LEVEL: 'warn',
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

/** A port free now on 127.0.0.1 below 32768: the membership table stores ports as smallint (a kernel-chosen one fails). */
async function lowFreePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.unref();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

async function freePorts(): Promise<TemporalPorts> {
  const taken = new Set<number>();
  const next = () => lowFreePort(taken);
  return {
    frontend: await next(),
    frontendHttp: await next(),
    frontendMembership: await next(),
    history: await next(),
    historyMembership: await next(),
    matching: await next(),
    matchingMembership: await next(),
    worker: await next(),
    workerMembership: await next(),
  };
}

export interface TemporalOnPostgresOptions {
  /** A superuser (or CREATEDB) URL of the cluster, e.g. PostgresHandle.url. */
  postgresUrl: string;
  /** Where the server's and the schema tool's logs go; a temp dir (removed by stop) when omitted. */
  dir?: string;
  /** Start again after kill() on the same databases and ports: a server restart, workflows continue. */
  reuse?: Pick<TemporalOnPostgres, 'databases' | 'ports'>;
  /** Registered at start; `default` when omitted. */
  namespace?: string;
  log?: Log;
}

export interface TemporalOnPostgres {
  /** host:port of the frontend gRPC service. */
  address: string;
  version: string;
  databases: TemporalDatabases;
  ports: TemporalPorts;
  pid: number;
  /** SIGKILL: an outage (the databases stay; its temp dir goes); start again with `reuse` to restart on the same data. */
  kill(): Promise<void>;
  /** Stops the server, drops the databases this start created, removes its temp dir. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForChildExit(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(escalate);
      resolve();
    });
    child.kill(signal);
  });
}

const tail = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');

/** Until the frontend answers gRPC health checks as SERVING; fails when the process exits first. */
async function waitUntilServing(address: string, child: ChildProcess, logFile: string): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited(child)) throw new Error(`the Temporal server exited during startup (${child.exitCode ?? child.signalCode}); ${logFile}:\n${await tail(logFile)}`);
    const connection = await Connection.connect({ address, connectTimeout: 1000 }).catch(() => undefined);
    if (connection) {
      const serving = await connection.healthService
        .check({ service: 'temporal.api.workflowservice.v1.WorkflowService' })
        .then((r) => r.status === 1, () => false);
      if (serving) return connection;
      await connection.close();
    }
    if (Date.now() > deadline) throw new Error(`the Temporal server at ${address} did not serve within 60 s; ${logFile}:\n${await tail(logFile)}`);
    await delay(200);
  }
}

/** Registers the namespace (kept when it exists: a restart) and waits until the frontend resolves it. */
async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    // Goes through the frontend's namespace registry (refreshed every 2 s, read through on a miss).
    const ok = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: 'hazard-campaign-probe' } }).then(() => true, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} was registered but is not served within 30 s`);
    await delay(200);
  }
}

/**
 * Starts the Temporal server on PostgreSQL: fresh `temporal_<id>` and `temporal_visibility_<id>`
 * databases set up by deploy/temporal/setup-postgres.sh (the compose's schema job), the server with
 * the image's config template and variables on free ports, healthy, with the namespace registered.
 */
export async function startTemporalOnPostgres(opts: TemporalOnPostgresOptions): Promise<TemporalOnPostgres> {
  const log = opts.log ?? defaultLog;
  const namespace = opts.namespace ?? 'default';
  const build = await provisionTemporalServer(log);
  const started = Date.now();
  const ownDir = !opts.dir;
  const dir = opts.dir ?? (await mkdtemp(path.join(tmpdir(), 'hc-temporal-')));
  await mkdir(dir, { recursive: true });
  const pg = parsePostgresUrl(opts.postgresUrl);
  const id = randomBytes(4).toString('hex');
  const databases = opts.reuse?.databases ?? { temporal: `temporal_${id}`, visibility: `temporal_visibility_${id}` };
  const ownDatabases = !opts.reuse;
  const cleanUp = async () => {
    if (ownDatabases) {
      for (const name of [databases.temporal, databases.visibility]) {
        await dropDatabase(opts.postgresUrl, name).catch((err: unknown) => log(`could not drop ${name}: ${String(err)}`));
      }
    }
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    // The schema job runs with a placeholder port set: it reads only the database variables.
    const schemaEnv = temporalServerEnv(pg, databases, await freePorts());
    await runLogged('sh', [SCHEMA_SCRIPT], {
      env: { PATH: `${path.dirname(build.sqlTool)}${path.delimiter}${process.env.PATH ?? ''}`, SCHEMA_DIR: build.schemaDir, ...schemaEnv },
      logFile: path.join(dir, `temporal-schema-${id}.log`),
      what: `setting up the Temporal schema in ${databases.temporal} and ${databases.visibility}`,
      log,
    });

    // A port chosen free can be taken before the server binds it: retry with others, unless reusing.
    for (let attempt = 1; ; attempt++) {
      const ports = opts.reuse?.ports ?? (await freePorts());
      const address = `127.0.0.1:${ports.frontend}`;
      const logFile = path.join(dir, `temporal-server-${id}-${attempt}.log`);
      const out = createWriteStream(logFile, { flags: 'a' });
      await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
      const child = spawn(build.server, ['start'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TEMPORAL_ROOT: build.home,
          TEMPORAL_CONFIG_DIR: 'config',
          TEMPORAL_ENVIRONMENT: 'docker',
          ...temporalServerEnv(pg, databases, ports),
        },
        stdio: ['ignore', out, out],
      });
      out.close();
      // If this process dies without stop(), don't leave a server behind.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      const forget = () => process.removeListener('exit', killOnExit);
      let connection: Connection;
      try {
        connection = await waitUntilServing(address, child, logFile);
      } catch (err) {
        forget();
        await waitForChildExit(child, 'SIGKILL', 0);
        if (!opts.reuse && attempt < 3 && /address already in use/i.test(String(err))) continue;
        throw err;
      }
      let version = TEMPORAL_SERVER_VERSION;
      try {
        await ensureNamespace(connection, namespace);
        version = (await connection.workflowService.getSystemInfo({})).serverVersion || version;
      } catch (err) {
        forget();
        await waitForChildExit(child, 'SIGKILL', 0);
        throw err;
      } finally {
        await connection.close();
      }
      log(`Temporal server ${version} on PostgreSQL (${databases.temporal}) serving at ${address} in ${Date.now() - started} ms`);
      return {
        address,
        version,
        databases,
        ports,
        pid: child.pid!,
        kill: async () => {
          forget();
          await waitForChildExit(child, 'SIGKILL', 0);
          if (ownDir) await rm(dir, { recursive: true, force: true });
        },
        stop: async () => {
          forget();
          await waitForChildExit(child, 'SIGTERM', 15_000);
          await cleanUp();
        },
      };
    }
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
