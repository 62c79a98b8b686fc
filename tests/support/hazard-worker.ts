// A worker with the real activities: ledger on a real Postgres database, mail to a real SMTP sink.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createSmtpMailer } from '../../activities/mailer';
import type { WebhookDeliveryDeps } from '../../activities/webhook.activities';
import type { Db } from '../../db/client';
import { bundleWorkflows, createHazardWorker as createWorker } from '../../worker/worker';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Where tests/global-setup.ts wrote the run's one workflow bundle (code and source map, JSON). */
export const WORKFLOW_BUNDLE_ENV = 'HC_TEST_WORKFLOW_BUNDLE';

/** Where it wrote the same bundle's code alone, for worker processes (config WORKER_WORKFLOW_BUNDLE). */
export const WORKFLOW_CODE_ENV = 'HC_TEST_WORKFLOW_CODE';

/** Bundles the workflows (about 2 s on a quiet machine, far more under load). */
export const bundleTestWorkflows = (): Promise<WorkflowBundleWithSourceMap> => bundleWorkflows(quiet);

/** The prebuilt bundle for a worker the tests configure (processes, the e2e stack), when the run made one. */
export const prebuiltWorkflowBundle = (): Record<string, string> => (process.env[WORKFLOW_CODE_ENV] ? { WORKER_WORKFLOW_BUNDLE: process.env[WORKFLOW_CODE_ENV] } : {});

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * The workflow bundle: the one the run's global setup made, read from its file, so every test file
 * does not bundle the same code again; bundled here when run outside vitest (scripts).
 */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const file = process.env[WORKFLOW_BUNDLE_ENV];
  bundle ??= file ? readFile(file, 'utf8').then((json) => JSON.parse(json) as WorkflowBundleWithSourceMap) : bundleTestWorkflows();
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
