// `npm start`: the whole system in one process on embedded defaults — Temporal dev server
// (SQLite file, web UI), PGlite (unless DATABASE_URL), the worker and the API. Data in data/.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { startApi } from '../api/server';
import { loadConfig } from '../config';
import { createDb } from '../db/client';
import { migrateHandle, runMigrations } from '../db/migrate';
import { runWorker } from '../worker/main';
import { startDevServer } from './provision/temporal';

const say = (line: string) => console.log(`[start] ${line}`);

async function main(): Promise<void> {
  const config = loadConfig();
  await mkdir(config.dataDir, { recursive: true });
  Runtime.install({ shutdownSignals: [] });

  let stopTemporal = async () => undefined as void;
  let uiUrl: string | undefined;
  if (!config.temporal.external) {
    say('starting the Temporal dev server (first run may build it, which takes minutes)…');
    const dev = await startDevServer({ dbFilename: join(config.dataDir, 'temporal.db'), port: config.temporal.port, ui: true, uiPort: config.temporal.uiPort });
    config.temporal.address = dev.address;
    uiUrl = dev.uiUrl;
    stopTemporal = () => dev.stop();
  }

  say(config.databaseUrl.startsWith('pglite:') ? `opening embedded PGlite in ${relative(process.cwd(), config.databaseUrl.slice(7))}…` : 'connecting to Postgres…');
  if (!config.databaseUrl.startsWith('pglite:')) await runMigrations(config.databaseUrl);
  const db = await createDb(config.databaseUrl);
  if (db.kind === 'pglite') await migrateHandle(db);

  const stop = new AbortController();
  const worker = runWorker(config, db, stop.signal);
  const api = await startApi(config, db);

  const keyFile = join(config.dataDir, 'admin-key.txt');
  if (api.generatedAdminKey) {
    await writeFile(keyFile, `${api.generatedAdminKey}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
  }
  const storedKey = config.bootstrapAdminKey ? null : await readFile(keyFile, 'utf8').catch(() => null);
  const base = `http://${config.host}:${config.port}`;
  say(`API        ${base}  (health: ${base}/health)`);
  say(`API docs   ${base}/docs  (OpenAPI: ${base}/docs/json)`);
  say(`Temporal   ${config.temporal.address}${uiUrl ? `  UI: ${uiUrl}` : ''}`);
  say(
    config.bootstrapAdminKey
      ? 'admin key  the value of BOOTSTRAP_ADMIN_KEY'
      : storedKey
        ? `admin key  ${relative(process.cwd(), keyFile)}${api.generatedAdminKey ? ` (new: ${api.generatedAdminKey})` : ''}`
        : 'admin key  generated at the first start and printed then; set BOOTSTRAP_ADMIN_KEY to choose one',
  );
  say(`mail       ${config.smtpUrl ?? `written as .eml files to ${relative(process.cwd(), join(config.dataDir, 'mail'))}/`}`);
  say(`Ctrl-C stops everything; data stays in ${relative(process.cwd(), config.dataDir) || '.'}/ for the next start.`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await api.close();
    stop.abort();
    await worker;
    await db.close();
    await stopTemporal();
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void shutdown());
  worker.catch((err: unknown) => {
    console.error('worker stopped unexpectedly', err);
    void shutdown();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
