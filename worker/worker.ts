// The hazard-campaign worker: the workflow bundle plus activities built from their dependencies.
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface HazardWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Prebuilt bundle (tests bundle once per file); otherwise the worker bundles WORKFLOWS_PATH at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/**
 * The webhook task queue's worker: only the POST to portals' endpoints, so a slow or dead endpoint
 * holds its own slots, never one a hazard's activity needs (services/webhook.service.ts names the queue).
 */
export function createWebhookDeliveryWorker(o: Omit<HazardWorkerOptions, 'workflowBundle'>): Promise<Worker> {
  const { deliverWebhookEvent } = createActivities(o.deps);
  return Worker.create({ connection: o.connection, namespace: o.namespace, taskQueue: o.taskQueue, activities: { deliverWebhookEvent }, maxConcurrentActivityTaskExecutions: 200 });
}

export function createHazardWorker(o: HazardWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(o.deps),
  });
}
