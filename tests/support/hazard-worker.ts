// A worker with the real activities: ledger on a real Postgres database, mail to a real SMTP sink.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import type { Db } from '../../db/client';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file (about 2 s). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  return bundle;
}

export const OFFICE_EMAIL = 'office@safety.test';

export async function createHazardWorker(opts: { connection: NativeConnection; namespace?: string; taskQueue: string; db: Db; smtpUrl: string }): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({
      db: opts.db,
      mailer: createSmtpMailer(opts.smtpUrl),
      mail: { from: 'hazard-campaign <noreply@safety.test>', officeEmails: [OFFICE_EMAIL], publicUrl: 'http://api.test' },
    }),
  });
}
