import type { TestProject } from 'vitest/node';
import { createDatabase, startPostgres } from '../cli/provision/postgres';
import {
  resolveDevServerExecutable,
  resolveTestServerExecutable,
  startDevServer,
  type EphemeralServerExecutable,
} from '../cli/provision/temporal';
import { defaultLog } from '../cli/provision/util';
import { buildConsole } from '../cli/build-web';
import { runMigrations } from '../db/migrate';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleTestWorkflows, WORKFLOW_BUNDLE_ENV, WORKFLOW_CODE_ENV } from './support/hazard-worker';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's Postgres cluster. */
    databaseUrl: string;
    /** Migrated database to clone with CREATE DATABASE ... TEMPLATE (see tests/support/database.ts). */
    templateDatabase: string;
    /** host:port of the run's shared in-memory Temporal dev server. */
    temporalAddress: string;
    devServerExecutable: EphemeralServerExecutable;
    testServerExecutable: EphemeralServerExecutable;
  }
}

const TEMPLATE_DATABASE = 'hc_template';

interface Services {
  values: {
    databaseUrl: string;
    templateDatabase: string;
    temporalAddress: string;
    devServerExecutable: EphemeralServerExecutable;
    testServerExecutable: EphemeralServerExecutable;
  };
  stop(): Promise<void>;
}

async function startServices(): Promise<Services> {
  const started = Date.now();
  // In parallel: on a cold machine the Go build and the Maven fetch overlap.
  // The console too (tests/browser and every API the e2e stack starts serve it): seconds, or nothing when up to date.
  // The workflows too, once for the run: each test file's worker reads the bundle from its file
  // (tests/support/hazard-worker.ts) instead of bundling the same code again (seconds per file).
  const bundleDir = await mkdtemp(path.join(tmpdir(), 'hc-bundle-'));
  const [devServerExecutable, testServerExecutable] = await Promise.all([
    resolveDevServerExecutable(),
    resolveTestServerExecutable(),
    buildConsole(defaultLog),
    bundleTestWorkflows().then(async (bundle) => {
      const file = path.join(bundleDir, 'workflows.json');
      const code = path.join(bundleDir, 'workflows.js');
      await Promise.all([writeFile(file, JSON.stringify(bundle)), writeFile(code, bundle.code)]);
      // Test files run in forks of this process, which inherit its environment.
      process.env[WORKFLOW_BUNDLE_ENV] = file;
      process.env[WORKFLOW_CODE_ENV] = code;
    }),
  ]);
  const stops: (() => Promise<void>)[] = [() => rm(bundleDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };
  try {
    const postgres = await startPostgres();
    stops.push(() => postgres.stop());
    await runMigrations(await createDatabase(postgres.url, TEMPLATE_DATABASE));
    const devServer = await startDevServer({ executable: devServerExecutable });
    stops.push(() => devServer.stop());
    defaultLog(`dev server ready at ${devServer.address}; test services up in ${Date.now() - started} ms`);
    return {
      values: {
        databaseUrl: postgres.url,
        templateDatabase: TEMPLATE_DATABASE,
        temporalAddress: devServer.address,
        devServerExecutable,
        testServerExecutable,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// Each project loads this file through its own module runner, so module state is not
// shared between projects; the main process's globalThis is. Both server projects then
// use one Postgres and one dev server, stopped when the last project tears down.
const SHARED = Symbol.for('hazard-campaign.test-services');
type Shared = { services: Promise<Services>; users: number };
const registry = globalThis as typeof globalThis & { [SHARED]?: Shared };

/** Runs in the main vitest process for each project that has files to run (not `unit`). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (registry[SHARED] ??= { services: startServices(), users: 0 });
  shared.users++;
  let services: Services;
  try {
    services = await shared.services;
  } catch (err) {
    delete registry[SHARED];
    throw err;
  }
  for (const [key, value] of Object.entries(services.values)) {
    project.provide(key as keyof Services['values'], value);
  }
  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    await services.stop();
  };
}
