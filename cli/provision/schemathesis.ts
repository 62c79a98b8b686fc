// schemathesis (the OpenAPI fuzzer, from PyPI) in a virtualenv under the cache directory, pinned,
// built once per machine under a lock like the Temporal servers; later runs reuse it.
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, defaultLog, findOnPath, isExecutable, runLogged, withLock, type Log } from './util';

export const SCHEMATHESIS_VERSION = '4.32.5';

const run = promisify(execFile);
const venvDir = () => path.join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
/** Written last: a venv without it is a killed install, rebuilt from scratch. */
const marker = () => path.join(venvDir(), '.installed');

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Path of the pinned `schemathesis` executable, installing it from PyPI into the cache on first use. */
export async function resolveSchemathesis(log: Log = defaultLog): Promise<string> {
  const bin = path.join(venvDir(), 'bin', 'schemathesis');
  if ((await exists(marker())) && (await isExecutable(bin))) return bin;
  const python = (await findOnPath('python3')) ?? (await findOnPath('python'));
  if (!python) throw new Error('schemathesis needs Python 3.10+ with pip and venv (apt-get install python3 python3-venv python3-pip); none found on PATH');
  await run(python, ['-m', 'pip', '--version']).catch((err: unknown) => {
    throw new Error(`schemathesis is installed with pip, and \`${python} -m pip\` fails (apt-get install python3-pip): ${(err as Error).message}`);
  });
  return withLock(path.join(cacheDir(), '.schemathesis.lock'), 'installing schemathesis', log, async () => {
    if ((await exists(marker())) && (await isExecutable(bin))) return bin;
    await rm(venvDir(), { recursive: true, force: true });
    const logFile = path.join(cacheDir(), 'schemathesis-install.log');
    log(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venvDir()} (once per machine; output in ${logFile})`);
    const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`];
    const venv = await runLogged(python, ['-m', 'venv', venvDir()], { logFile, what: 'creating the schemathesis virtualenv', log }).then(
      () => true,
      (err: unknown) => {
        log(`\`${python} -m venv\` failed (${(err as Error).message.split('\n')[0]}); installing into a plain folder instead`);
        return false;
      },
    );
    if (venv) {
      await runLogged(path.join(venvDir(), 'bin', 'python'), pipArgs, { logFile: `${logFile}.pip`, what: 'installing schemathesis', log });
    } else {
      // No venv module (Debian without python3-venv): pip --target and a launcher that sets PYTHONPATH.
      const site = path.join(venvDir(), 'site');
      await rm(venvDir(), { recursive: true, force: true });
      await mkdir(path.dirname(bin), { recursive: true });
      await runLogged(python, [...pipArgs, '--target', site], { logFile: `${logFile}.pip`, what: 'installing schemathesis', log });
      const launcher = `#!/bin/sh\nPYTHONPATH="${site}" exec "${python}" -c 'import sys; sys.argv[0] = "schemathesis"; from schemathesis.cli import schemathesis; sys.exit(schemathesis())' "$@"\n`;
      await writeFile(bin, launcher);
      await chmod(bin, 0o755);
    }
    const { stdout } = await run(bin, ['--version']);
    if (!stdout.includes(SCHEMATHESIS_VERSION)) throw new Error(`installed schemathesis reports '${stdout.trim()}', expected ${SCHEMATHESIS_VERSION}`);
    await writeFile(marker(), `${SCHEMATHESIS_VERSION}\n`);
    return bin;
  });
}
