// Polling for what real servers do in their own time (a worker, a timer on the dev server).

/** Polls until `check` returns a value (not undefined) or throws its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `read` until `check` holds for its value, and returns that value. */
export function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  return eventually(async () => {
    const v = await read();
    return check(v) ? v : undefined;
  }, timeoutMs, what);
}
