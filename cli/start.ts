// `npm start`: the whole system in one process on embedded defaults — Temporal dev server
// (SQLite file, web UI), PGlite (unless DATABASE_URL), the worker and the API. Data in data/.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { startApi } from '../api/server';
import { loadConfig, loadDemoConfig, type AppConfig } from '../config';
import { createDb } from '../db/client';
import { migrateHandle, runMigrations } from '../db/migrate';
import { runWorker } from '../worker/main';
import { startDevServer } from './provision/temporal';
import { buildConsole } from './build-web';
import { DEMO_ROLES, demoEmail, loadDemoCity, newDemoSecrets, type DemoSecrets } from './demo-city';
import type { RunningApi } from '../api/server';
import type { DbHandle } from '../db/client';

const say = (line: string) => console.log(`[start] ${line}`);

/** What the start brought up, stopped in reverse order: on Ctrl-C, and when a later step fails. */
class Started {
  private readonly stops: { name: string; stop: () => Promise<void> }[] = [];

  add(name: string, stop: () => Promise<void>): void {
    this.stops.push({ name, stop });
  }

  async stopAll(): Promise<void> {
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        console.error(`[start] stopping the ${name} failed`, err);
      }
    }
  }
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await started.stopAll();
  process.exit(code);
}

async function main(started: Started): Promise<void> {
  // From the first step on: Ctrl-C or SIGTERM while starting stops what had started too.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void shutdown(0));
  // `npm start -- --demo`: the demo city, in its own data dir (config/index.ts: loadDemoConfig).
  const demo = process.argv.slice(2).includes('--demo');
  const config = demo ? loadDemoConfig() : loadConfig();
  await mkdir(config.dataDir, { recursive: true });
  Runtime.install({ shutdownSignals: [] });

  let uiUrl: string | undefined;
  if (!config.temporal.external) {
    say('starting the Temporal dev server (first run may build it, which takes minutes)…');
    const dev = await startDevServer({ dbFilename: join(config.dataDir, 'temporal.db'), port: config.temporal.port, ui: true, uiPort: config.temporal.uiPort });
    started.add('Temporal dev server', () => dev.stop());
    config.temporal.address = dev.address;
    uiUrl = dev.uiUrl;
  }

  say(config.databaseUrl.startsWith('pglite:') ? `opening embedded PGlite in ${relative(process.cwd(), config.databaseUrl.slice(7))}…` : 'connecting to Postgres…');
  if (!config.databaseUrl.startsWith('pglite:')) await runMigrations(config.databaseUrl);
  const db = await createDb(config.databaseUrl);
  started.add('database', () => db.close());
  if (db.kind === 'pglite') await migrateHandle(db);

  // The console is served from web/dist: built here when a source is newer (seconds), else left as is.
  await buildConsole(say);

  const stop = new AbortController();
  const worker = runWorker(config, db, stop.signal);
  // Handled from the start: a worker that fails while the API starts must not crash past the clean-up.
  worker.catch(() => undefined);
  started.add('worker', async () => {
    stop.abort();
    await worker.catch(() => undefined);
  });
  const api = await startApi(config, db);
  started.add('API', () => api.close());

  const keyFile = join(config.dataDir, 'admin-key.txt');
  if (api.generatedAdminKey) {
    await writeFile(keyFile, `${api.generatedAdminKey}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
  }
  const storedKey = config.bootstrapAdminKey ? null : await readFile(keyFile, 'utf8').catch(() => null);
  const base = `http://${config.host}:${config.port}`;
  say(`console    ${base}/  (sign in as a person: see README, "The console")`);
  say(`API        ${base}  (health: ${base}/health)`);
  say(`API docs   ${base}/docs  (OpenAPI: ${base}/docs/json)`);
  say(`Temporal   ${config.temporal.address}${uiUrl ? `  UI: ${uiUrl}` : ''}`);
  say(
    api.bootstrapKeyRevoked
      ? 'admin key  BOOTSTRAP_ADMIN_KEY was revoked and stays revoked: use another admin key, or configure a new one'
      : config.bootstrapAdminKey
        ? 'admin key  the value of BOOTSTRAP_ADMIN_KEY'
        : storedKey
          ? `admin key  ${relative(process.cwd(), keyFile)}${api.generatedAdminKey ? ` (new: ${api.generatedAdminKey})` : ''}`
          : 'admin key  generated at the first start and printed then; set BOOTSTRAP_ADMIN_KEY to choose one',
  );
  say(`mail       ${config.smtpUrl ?? `written as .eml files to ${relative(process.cwd(), join(config.dataDir, 'mail'))}/`}`);
  for (const t of api.templates) say(`template   ${t.key} v${t.version} built in, ready to launch${t.outcome === 'conflict' ? ' (stored earlier with other content: kept as stored; README: Built-in templates)' : ''}`);
  if (demo) await startDemo(config, db, api);
  say(`Ctrl-C stops everything; data stays in ${relative(process.cwd(), config.dataDir) || '.'}/ for the next start.`);

  worker.catch((err: unknown) => {
    console.error('worker stopped unexpectedly', err);
    void shutdown(1);
  });
}

/**
 * Loads the demo city (idempotent) and prints how to sign in. Its loader key and the accounts' first
 * passwords are kept in the demo's data dir (demo-accounts.json, mode 600), made at the first run.
 */
async function startDemo(config: AppConfig, db: DbHandle, api: RunningApi): Promise<void> {
  const file = join(config.dataDir, 'demo-accounts.json');
  const stored = await readFile(file, 'utf8').then((t) => JSON.parse(t) as DemoSecrets, () => null);
  const secrets = stored ?? newDemoSecrets();
  if (!stored) await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  say('loading the demo city (counties, departments, a few hundred enterprises, accounts, a campaign)…');
  const load = await loadDemoCity(api.fastify, db.db, secrets);
  say(`demo city  units ${load.units.created} new, ${load.units.existing} there; enterprises ${load.enterprises.created} new, ${load.enterprises.unchanged} unchanged`);
  say(
    load.campaign.launched
      ? `demo city  campaign launched (phases of minutes; the first opens in about 30 s), ${load.hazards} hazards reported: watch the console, ${relative(process.cwd(), join(config.dataDir, 'mail'))}/ and the Temporal UI`
      : `demo city  campaign there already (${load.campaign.id}); delete ${relative(process.cwd(), config.dataDir)}/ to watch a new one from the start`,
  );
  say(`sign in at http://${config.host}:${config.port}/ as (first passwords; ${relative(process.cwd(), file)}):`);
  for (const role of DEMO_ROLES) say(`  ${role.padEnd(10)} ${demoEmail(role).padEnd(46)} ${secrets.passwords[role]}`);
}

const started = new Started();
main(started).catch((err: unknown) => {
  console.error(err);
  // Whatever did start (the dev server above all: a child process) must not outlive a failed start.
  say('start failed; stopping what had started…');
  void shutdown(1);
});
