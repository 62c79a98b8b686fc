// The one place that reads process.env: parsed and validated once at start, then passed on.
// (Reading env vars ad hoc is how `Boolean('false') === true` bugs happen.)
import { join, resolve } from 'node:path';
import { loadWebhookConfig, type WebhookConfig } from './webhooks';

export interface AppConfig {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  /** `postgres://…`, or `pglite:<dir>` for the embedded database. */
  databaseUrl: string;
  /** `external`: TEMPORAL_ADDRESS was given, so the embedded start uses that server instead of its own. */
  temporal: { address: string; external: boolean; namespace: string; taskQueue: string; uiPort: number; port: number };
  /** Unset: mail is written as .eml files under <dataDir>/mail. */
  smtpUrl: string | null;
  mailFrom: string;
  officeEmails: string[];
  bootstrapAdminKey: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Seconds between reconciliation passes (ledger rows whose workflow never started). */
  reconcileIntervalSeconds: number;
  /** How long the API waits for a command (a workflow update) before answering 503. */
  commandTimeoutSeconds: number;
  limits: ApiLimits;
  /** Fastify's trustProxy: false (default), true (any proxy), or comma-separated proxy addresses/CIDRs. */
  trustProxy: boolean | string;
  /** Webhook delivery (config/webhooks.ts). */
  webhooks: WebhookConfig;
  /** People's sign-in (the console): lockout and session lifetimes. */
  auth: AuthSettings;
  /** The hazard worker's cache and slots (worker/worker.ts). */
  worker: WorkerTuning;
}

/**
 * The hazard worker's memory bound and concurrency. A cached workflow costs about 0.35 MiB of the worker's
 * RSS (measured by the bench: 375 MiB empty, 760 MiB with 1,100 cached hazards); a workflow evicted from the
 * cache is replayed from its history at its next timer or command (a hazard's history is tens of events).
 * The SDK's own default sizes the cache from the heap limit (about 2,300 on a 4 GiB heap: 1.2-1.5 GiB RSS).
 */
export interface WorkerTuning {
  /** Workflows kept in the worker's cache (sticky execution); 0 disables the cache. */
  maxCachedWorkflows: number;
  /** Workflow tasks run at once (never more than the cache holds, unless the cache is off). */
  workflowTaskSlots: number;
  /** Activities run at once (most are a query or two on the worker's pool of 40 connections, or one mail). */
  activitySlots: number;
  /**
   * A workflow bundle built ahead (`npm run build:workflows`), so the worker starts without bundling
   * the workflows itself (seconds of CPU at every start); null: bundled at start.
   */
  workflowBundlePath?: string | null;
}

export const DEFAULT_WORKER: WorkerTuning = { maxCachedWorkflows: 1000, workflowTaskSlots: 40, activitySlots: 100 };

function workerTuningOf(env: Env): WorkerTuning {
  const t: WorkerTuning = {
    maxCachedWorkflows: int(env, 'WORKER_MAX_CACHED_WORKFLOWS', DEFAULT_WORKER.maxCachedWorkflows, 0, 1_000_000),
    workflowTaskSlots: int(env, 'WORKER_WORKFLOW_TASK_SLOTS', DEFAULT_WORKER.workflowTaskSlots, 2, 10_000),
    activitySlots: int(env, 'WORKER_ACTIVITY_SLOTS', DEFAULT_WORKER.activitySlots, 1, 10_000),
    workflowBundlePath: env.WORKER_WORKFLOW_BUNDLE?.trim() || null,
  };
  if (t.maxCachedWorkflows === 1) throw new ConfigError('WORKER_MAX_CACHED_WORKFLOWS: 0 (no cache) or at least 2');
  if (t.maxCachedWorkflows > 0 && t.workflowTaskSlots > t.maxCachedWorkflows) {
    throw new ConfigError(`WORKER_WORKFLOW_TASK_SLOTS: ${t.workflowTaskSlots} is more than WORKER_MAX_CACHED_WORKFLOWS (${t.maxCachedWorkflows}); a workflow task needs its workflow in the cache`);
  }
  return t;
}

/** Sign-in by people: lockout after repeated failures, session timeouts, reset links. */
export interface AuthSettings {
  /** Consecutive failed sign-ins that lock an account. */
  lockoutThreshold: number;
  /** How long a locked account stays locked. */
  lockoutSeconds: number;
  /** A session unused this long is over. */
  sessionIdleSeconds: number;
  /** A session is over this long after sign-in, however active. */
  sessionAbsoluteSeconds: number;
  /** How long a mailed password reset link works. */
  resetTokenSeconds: number;
  /** The session cookie carries `Secure` (PUBLIC_URL is https). */
  secureCookie: boolean;
}

export const DEFAULT_AUTH: AuthSettings = { lockoutThreshold: 5, lockoutSeconds: 900, sessionIdleSeconds: 3600, sessionAbsoluteSeconds: 43_200, resetTokenSeconds: 1800, secureCookie: false };

/** Per API key (hash of the bearer token; the client IP when there is none), per minute. */
export interface ApiLimits {
  /** POST/PUT/PATCH/DELETE requests. */
  writesPerMinute: number;
  /** Writes that send mail or start workflows (hazard reports and commands, campaign launches and submissions). */
  mailPerMinute: number;
  /** Largest JSON body, in bytes (the roster import has its own, larger limit). */
  bodyLimitBytes: number;
}

export const DEFAULT_LIMITS: ApiLimits = { writesPerMinute: 600, mailPerMinute: 120, bodyLimitBytes: 1_048_576 };

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = 65535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}: '${raw}' is not an integer in [${min}, ${max}]`);
  return n;
}

function trustProxyOf(raw: string | undefined): AppConfig['trustProxy'] {
  const v = (raw ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (!/^[0-9A-Fa-f.:/, ]+$/.test(v) || !/[.:]/.test(v)) throw new ConfigError(`TRUST_PROXY: expected true, false or proxy addresses (CIDRs), got '${v}'`);
  return v;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * `npm start -- --demo`: the demo city in its own data dir (DEMO_DATA_DIR, default `data/demo`) on
 * the embedded PGlite and Temporal dev server, mail as files, whatever DATA_DIR, DATABASE_URL,
 * TEMPORAL_ADDRESS and SMTP_URL say: a demo never touches a real deployment's data. Only
 * DEMO_USE_CONFIGURED=true loads it where the configuration points.
 */
export function loadDemoConfig(env: Env = process.env): AppConfig {
  if (env.DEMO_USE_CONFIGURED === 'true') return loadConfig(env);
  return loadConfig({ ...env, DATA_DIR: env.DEMO_DATA_DIR || join('data', 'demo'), DATABASE_URL: '', TEMPORAL_ADDRESS: '', SMTP_URL: '', BOOTSTRAP_ADMIN_KEY: '' });
}

export function loadConfig(env: Env = process.env): AppConfig {
  const port = int(env, 'PORT', 3000);
  const host = env.HOST || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR || 'data');
  const databaseUrl = env.DATABASE_URL || `pglite:${resolve(dataDir, 'pglite')}`;
  if (!/^(postgres(ql)?:\/\/|pglite:)/.test(databaseUrl)) throw new ConfigError(`DATABASE_URL: expected postgres://… or pglite:<dir>, got '${databaseUrl}'`);
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError(`SMTP_URL: expected smtp://host:port, got '${smtpUrl}'`);
  const logLevel = (env.LOG_LEVEL || 'info') as AppConfig['logLevel'];
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL: one of ${LEVELS.join(', ')}`);
  const bootstrapAdminKey = env.BOOTSTRAP_ADMIN_KEY || null;
  if (bootstrapAdminKey !== null && bootstrapAdminKey.length < 16) throw new ConfigError('BOOTSTRAP_ADMIN_KEY: at least 16 characters');
  const publicUrl = (env.PUBLIC_URL || `http://${host}:${port}`).replace(/\/$/, '');
  return {
    host,
    port,
    publicUrl,
    dataDir,
    databaseUrl,
    temporal: {
      address: env.TEMPORAL_ADDRESS || `127.0.0.1:${int(env, 'TEMPORAL_PORT', 7233)}`,
      external: Boolean(env.TEMPORAL_ADDRESS),
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'hazard-campaign',
      port: int(env, 'TEMPORAL_PORT', 7233),
      uiPort: int(env, 'TEMPORAL_UI_PORT', 8233),
    },
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'hazard-campaign <noreply@hazard-campaign.local>',
    officeEmails: (env.OFFICE_EMAILS || 'office@hazard-campaign.local')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    bootstrapAdminKey,
    logLevel,
    reconcileIntervalSeconds: int(env, 'RECONCILE_INTERVAL_SECONDS', 60, 0, 86_400),
    commandTimeoutSeconds: int(env, 'COMMAND_TIMEOUT_SECONDS', 10, 1, 300),
    limits: {
      writesPerMinute: int(env, 'RATE_LIMIT_WRITES_PER_MINUTE', DEFAULT_LIMITS.writesPerMinute, 1, 1_000_000),
      mailPerMinute: int(env, 'RATE_LIMIT_MAIL_PER_MINUTE', DEFAULT_LIMITS.mailPerMinute, 1, 1_000_000),
      bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', DEFAULT_LIMITS.bodyLimitBytes, 1024, 100 * 1_048_576),
    },
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    webhooks: loadWebhookConfig(env),
    auth: {
      lockoutThreshold: int(env, 'AUTH_LOCKOUT_THRESHOLD', DEFAULT_AUTH.lockoutThreshold, 1, 1000),
      lockoutSeconds: int(env, 'AUTH_LOCKOUT_SECONDS', DEFAULT_AUTH.lockoutSeconds, 1, 86_400 * 30),
      sessionIdleSeconds: int(env, 'SESSION_IDLE_SECONDS', DEFAULT_AUTH.sessionIdleSeconds, 60, 86_400 * 30),
      sessionAbsoluteSeconds: int(env, 'SESSION_ABSOLUTE_SECONDS', DEFAULT_AUTH.sessionAbsoluteSeconds, 60, 86_400 * 90),
      resetTokenSeconds: int(env, 'PASSWORD_RESET_TTL_SECONDS', DEFAULT_AUTH.resetTokenSeconds, 60, 86_400),
      secureCookie: publicUrl.startsWith('https://'),
    },
    worker: workerTuningOf(env),
  };
}
