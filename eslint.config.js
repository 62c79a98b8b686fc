// @ts-check
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

export default defineConfig(
  { ignores: ['node_modules/', 'data/', 'bench/results/', 'coverage/', 'web/dist/', 'tests/browser/artifacts/', 'client/schema.d.ts'] },
  {
    files: ['**/*.ts', 'web/src/**/*.tsx'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A dropped promise in an activity or route handler is a silently lost failure.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Workflow code is replayed inside Temporal's deterministic sandbox: no I/O, no
    // clients, no host APIs. Activities are reachable only through proxyActivities,
    // so importing their types is fine but importing their code is not.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not deterministic; use an activity.' })),
            { name: 'pg', message: 'Database access belongs in activities.' },
            { name: 'nodemailer', message: 'Sending mail belongs in activities.' },
            { name: '@temporalio/client', message: 'Use @temporalio/workflow APIs inside workflows.' },
            { name: '@temporalio/worker', message: 'Use @temporalio/workflow APIs inside workflows.' },
            { name: '@temporalio/activity', message: 'Use @temporalio/workflow APIs inside workflows.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'Node built-ins are not deterministic; use an activity.' },
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: 'Database access belongs in activities.' },
            { regex: '^(\\.\\.?/)+db([./-]|$)', message: 'Database access belongs in activities.' },
            {
              regex: '^(\\.\\.?/)+activities([./-]|$)',
              allowTypeImports: true,
              message: 'Call activities through proxyActivities; only `import type` is allowed.',
            },
          ],
        },
      ],
    },
  },
);
