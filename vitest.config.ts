import { defineConfig } from 'vitest/config';

// Server-backed tests share one Postgres cluster and one Temporal dev server per run,
// so they run one file at a time, each in its own process (a stuck native Temporal
// worker then can't leak into the next file). Unit tests get no global setup at all:
// vitest only runs a project's globalSetup when that project has files to run.
const serverTimeouts = { testTimeout: 120_000, hookTimeout: 180_000 };

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'workflow',
          include: ['tests/workflow/**/*.test.ts', 'tests/replay/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          setupFiles: ['tests/support/quiet-runtime.ts'],
          pool: 'forks',
          fileParallelism: false,
          ...serverTimeouts,
          // Two cores: running this group alongside integration makes timing-sensitive tests flaky.
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/db/**/*.test.ts', 'tests/api/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          setupFiles: ['tests/support/quiet-runtime.ts'],
          pool: 'forks',
          fileParallelism: false,
          ...serverTimeouts,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          // The console in real Chromium against the e2e stack (tests/support/browser.ts): one browser per file.
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          setupFiles: ['tests/support/quiet-runtime.ts'],
          pool: 'forks',
          fileParallelism: false,
          ...serverTimeouts,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
