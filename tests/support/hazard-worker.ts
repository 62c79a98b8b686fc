// A worker with the real activities: ledger on a real Postgres database, mail to a real SMTP sink.
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createSmtpMailer } from '../../activities/mailer';
import type { WebhookDeliveryDeps } from '../../activities/webhook.activities';
import type { Db } from '../../db/client';
import { createHazardWorker as createWorker, WORKFLOWS_PATH } from '../../worker/worker';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file (about 2 s). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  return bundle;
}

export const OFFICE_EMAIL = 'office@safety.test';
export const mailSettings = { from: 'hazard-campaign <noreply@safety.test>', officeEmails: [OFFICE_EMAIL], publicUrl: 'http://api.test' };

/** `webhooks`: where deliveries may go (loopback for a receiver in the test); private targets refused when absent. */
export async function createHazardWorker(opts: { connection: NativeConnection; client: Client; taskQueue: string; db: Db; smtpUrl: string; webhooks?: WebhookDeliveryDeps }): Promise<Worker> {
  return createWorker({
    connection: opts.connection,
    namespace: 'default',
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    deps: { db: opts.db, mailer: createSmtpMailer(opts.smtpUrl), mail: mailSettings, temporal: { client: opts.client, taskQueue: opts.taskQueue }, webhooks: opts.webhooks },
  });
}
