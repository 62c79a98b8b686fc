// The console's build: web/src → web/dist, served by the API at / (api/plugins/console.ts).
// cli/build-web.ts runs it from `npm start` and the test setup, skipped when dist is newer than the sources.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's automatic JSX runtime, without a plugin: oxc transforms the TSX.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
