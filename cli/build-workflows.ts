// `npm run build:workflows [file]`: the workflow bundle built ahead of the worker's start (default
// dist/workflows.js). A worker started with WORKER_WORKFLOW_BUNDLE=<file> loads it instead of bundling
// the workflows itself at every start (seconds of CPU). Build it from the same commit as the worker:
// a bundle from other code is other workflow code.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from '../worker/worker';

const out = resolve(process.argv[2] ?? 'dist/workflows.js');
const { code } = await bundleWorkflows();
await mkdir(dirname(out), { recursive: true });
await writeFile(out, code);
console.log(`wrote ${out} (${Math.round(code.length / 1024)} KiB); start the worker with WORKER_WORKFLOW_BUNDLE=${out}`);
