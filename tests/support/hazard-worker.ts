// A worker with the real activities: ledger on a real Postgres database, mail to a real SMTP sink.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createSmtpMailer } from '../../activities/mailer';
import type { WebhookDeliveryDeps } from '../../activities/webhook.activities';
import type { Db } from '../../db/client';
import { createHazardWorker as createWorker, WORKFLOWS_PATH } from '../../worker/worker';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Where tests/global-setup.ts wrote the run's one workflow bundle (code and source map, JSON). */
export const WORKFLOW_BUNDLE_ENV = 'HC_TEST_WORKFLOW_BUNDLE';

/** Bundles the workflows (about 2 s on a quiet machine, far more under load). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * The workflow bundle: the one the run's global setup made, read from its file, so every test file
 * does not bundle the same code again; bundled here when run outside vitest (scripts).
 */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const file = process.env[WORKFLOW_BUNDLE_ENV];
  bundle ??= file ? readFile(file, 'utf8').then((json) => JSON.parse(json) as WorkflowBundleWithSourceMap) : bundleWorkflows();
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
