import { createServer } from 'node:net';

/**
 * Asks the kernel for an unused TCP port on `host`. The port is released before
 * returning, so a caller that binds later can still lose a race to another process;
 * callers that spawn servers should retry on "address in use".
 */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
