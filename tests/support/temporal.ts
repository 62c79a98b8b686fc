import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../../cli/provision/temporal';
import { injected } from './injected';

/** A private time-skipping test server (about 1.5 s to start); call env.teardown() when done. */
export function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return createTimeSkippingEnv({ executable: injected('testServerExecutable') });
}

/**
 * An environment on the run's shared dev server. Use unique task
 * queues and workflow IDs per test; teardown() closes connections, not the server.
 */
export function sharedDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: injected('temporalAddress') });
}
