// Webhook delivery settings, parsed with the rest of the configuration (config/index.ts calls this
// with the same environment). Defaults are production's: public targets only, ten-second attempts,
// the three-day retry budget of domain/webhooks.ts.
import { WEBHOOK_RETRY, type WebhookRetry } from '../domain/webhooks';
import { ConfigError } from './index';

export interface WebhookConfig {
  /** WEBHOOK_ALLOW_LOOPBACK: deliver to 127/8 and ::1 (tests, a receiver on this machine). */
  allowLoopback: boolean;
  /** WEBHOOK_ALLOW_PRIVATE: deliver to private, link-local and reserved addresses too (an intranet). */
  allowPrivate: boolean;
  attemptTimeoutMs: number;
  retry: WebhookRetry;
  /** How often an idle endpoint's workflow looks for events without being woken. */
  pollIntervalMs: number;
  /** How often the API looks for settled events and wakes their endpoints (0: never; the poll alone). */
  wakeIntervalMs: number;
}

type Env = Record<string, string | undefined>;

function flag(env: Env, name: string): boolean {
  const v = (env[name] ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new ConfigError(`${name}: expected true or false, got '${v}'`);
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}: '${raw}' is not an integer in [${min}, ${max}]`);
  return n;
}

export function loadWebhookConfig(env: Env): WebhookConfig {
  return {
    allowLoopback: flag(env, 'WEBHOOK_ALLOW_LOOPBACK'),
    allowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE'),
    attemptTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    retry: {
      initialIntervalMs: int(env, 'WEBHOOK_RETRY_INITIAL_MS', WEBHOOK_RETRY.initialIntervalMs, 10, 3_600_000),
      backoffCoefficient: WEBHOOK_RETRY.backoffCoefficient,
      maximumIntervalMs: int(env, 'WEBHOOK_RETRY_MAX_MS', WEBHOOK_RETRY.maximumIntervalMs, 10, 86_400_000),
      maximumAttempts: int(env, 'WEBHOOK_RETRY_ATTEMPTS', WEBHOOK_RETRY.maximumAttempts, 1, 10_000),
    },
    pollIntervalMs: int(env, 'WEBHOOK_POLL_MS', 300_000, 100, 86_400_000),
    wakeIntervalMs: int(env, 'WEBHOOK_WAKE_MS', 1_000, 0, 3_600_000),
  };
}
