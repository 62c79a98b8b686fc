// Setup file of the server-backed projects: the Temporal runtime logs warnings only, so test
// output shows failures rather than webpack bundle listings and worker state changes.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier file: keep it.
}
