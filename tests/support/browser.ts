// Real Chromium for the console's tests: Debian's `chromium` driven by playwright-core (its own
// browser download is not reachable here), installed with apt-get when missing and we are root.
// One browser per test file; each person gets their own context (cookies), as two people would.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../browser/artifacts', import.meta.url));

const which = (cmd: string): string | null => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const hasCjkFont = (): boolean => spawnSync('sh', ['-c', 'fc-list :lang=zh | grep -q .']).status === 0;

/** The path of a Chromium to drive; installs `chromium fonts-noto-cjk` with apt-get when either is missing and we are root. */
export function ensureChromium(): string {
  const found = process.env.CHROMIUM_PATH ?? which('chromium') ?? which('chromium-browser');
  if (found && hasCjkFont()) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('the browser tests need Debian\'s chromium and fonts-noto-cjk: apt-get install chromium fonts-noto-cjk (or set CHROMIUM_PATH)');
  }
  console.log('[browser] installing chromium and fonts-noto-cjk with apt-get (once)…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return which('chromium')!;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** A fresh person at the console: no cookies, zh-CN, the office screen size. */
export async function newPerson(browser: Browser, base: string, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: base, viewport, locale: 'zh-CN', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page };
}

/** Keeps a full-page screenshot as a test artifact (tests/browser/artifacts/, gitignored). */
export async function keep(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
