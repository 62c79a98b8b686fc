// The hazard-campaign worker: the workflow bundle plus activities built from their dependencies.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { DEFAULT_WORKER, type WorkerTuning } from '../config';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

type BundleLogger = NonNullable<Parameters<typeof bundleWorkflowCode>[0]['logger']>;
/** The workflows bundled as a worker loads them (cli/build-workflows.ts, the tests' one bundle per run). */
export function bundleWorkflows(logger?: BundleLogger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...(logger ? { logger } : {}) });
}

export interface HazardWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A bundle in memory (tests: the run's one bundle); otherwise the file of `tuning.workflowBundlePath`, or WORKFLOWS_PATH bundled at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Cache and slots (config WORKER_*); DEFAULT_WORKER when not given. */
  tuning?: WorkerTuning;
}

/**
 * The webhook task queue's worker: only the POST to portals' endpoints, so a slow or dead endpoint
 * holds its own slots, never one a hazard's activity needs (services/webhook.service.ts names the queue).
 */
export function createWebhookDeliveryWorker(o: Omit<HazardWorkerOptions, 'workflowBundle'>): Promise<Worker> {
  const { deliverWebhookEvent } = createActivities(o.deps);
  return Worker.create({ connection: o.connection, namespace: o.namespace, taskQueue: o.taskQueue, activities: { deliverWebhookEvent }, maxConcurrentActivityTaskExecutions: 200 });
}

/**
 * The hazard worker. Its memory is bounded by the workflow cache (`maxCachedWorkflows`: idle hazards
 * beyond it are evicted and replayed from their history when a timer or command wakes them), not by
 * the number of open hazards. Workflows share one V8 context per thread (the SDK's `reuseV8Context`, on
 * by default since 1.9): a cached workflow holds its own state, not a copy of the bundle.
 */
export function createHazardWorker(o: HazardWorkerOptions): Promise<Worker> {
  const t = o.tuning ?? DEFAULT_WORKER;
  return Worker.create({
    maxCachedWorkflows: t.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: t.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: t.activitySlots,
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : t.workflowBundlePath ? { workflowBundle: { codePath: t.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(o.deps),
  });
}
