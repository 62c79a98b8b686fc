// schemathesis (the OpenAPI fuzzer, from PyPI) in a virtualenv under the cache directory, pinned,
// built once per machine under a lock like the Temporal servers; later runs reuse it.
import { execFile } from 'node:child_process';
import { access, rm, writeFile } from 'node:fs/promises';
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
    await runLogged(python, ['-m', 'venv', venvDir()], { logFile, what: 'creating the schemathesis virtualenv', log }).catch((err: unknown) => {
      throw new Error(`\`${python} -m venv\` failed (apt-get install python3-venv): ${(err as Error).message}`);
    });
    await runLogged(path.join(venvDir(), 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      logFile: `${logFile}.pip`,
      what: 'installing schemathesis',
      log,
    });
    const { stdout } = await run(bin, ['--version']);
    if (!stdout.includes(SCHEMATHESIS_VERSION)) throw new Error(`installed schemathesis reports '${stdout.trim()}', expected ${SCHEMATHESIS_VERSION}`);
    await writeFile(marker(), `${SCHEMATHESIS_VERSION}\n`);
    return bin;
  });
}
