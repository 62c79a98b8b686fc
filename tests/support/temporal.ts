import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, testServerClasspath } from '../../cli/provision/temporal';
import { cacheDir } from '../../cli/provision/util';
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

const SOURCE = path.join(import.meta.dirname, 'TestServerAt.java');

/**
 * A private time-skipping test server whose clock starts at `initialTimeMs` (e.g. 2024-02-01, to
 * run deadlines over a past year's holidays exactly). The same Maven-built server, launched by
 * tests/support/TestServerAt.java (compiled once into the cache, about 4 s); call env.teardown().
 */
export async function timeSkippingEnvAt(initialTimeMs: number): Promise<TestWorkflowEnvironment> {
  const classpath = await testServerClasspath();
  if (!classpath) throw new Error('a test server at a chosen instant needs Java and Maven (the test server from Maven Central) on this machine');
  const source = await readFile(SOURCE, 'utf8');
  const classes = path.join(cacheDir(), 'test-server-at', createHash('sha256').update(classpath).update(source).digest('hex').slice(0, 16));
  const compiled = await access(path.join(classes, 'TestServerAt.class')).then(() => true, () => false);
  if (!compiled) {
    // Compiled beside and renamed: two test files never see half a class directory.
    const tmp = await mkdtemp(`${classes}.tmp-`).catch(async () => {
      await mkdir(path.dirname(classes), { recursive: true });
      return mkdtemp(`${classes}.tmp-`);
    });
    await promisify(execFile)('javac', ['-cp', classpath, '-d', tmp, SOURCE]);
    await rename(tmp, classes).catch(() => undefined);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'test-server-at-'));
  const launcher = path.join(dir, 'temporal-test-server-at');
  await writeFile(launcher, `#!/bin/sh\nexec java -cp "${classes}${path.delimiter}${classpath}" TestServerAt "$@" --initial-time-ms=${Math.trunc(initialTimeMs)}\n`);
  await chmod(launcher, 0o755);
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: launcher } } });
}
