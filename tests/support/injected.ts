import { inject, type ProvidedContext } from 'vitest';

/** inject() with a clear error when the file runs in a project without the global setup. */
export function injected<K extends keyof ProvidedContext & string>(key: K): ProvidedContext[K] {
  const value = inject(key);
  if (value === undefined) {
    throw new Error(
      `vitest did not provide "${key}": only the workflow and integration projects run ` +
        'tests/global-setup.ts (unit tests get no servers); see vitest.config.ts',
    );
  }
  return value;
}
