// Portal events and webhooks as pure rules: event type patterns, the feed cursor, the retry budget
// of one delivery and which network addresses a webhook may never reach (SSRF). No IO, no clock.

/** The ledger streams that become portal events (migration 0017's triggers), each `<stream>.<ledger type>`. */
export const PORTAL_STREAMS = ['hazard', 'case', 'order', 'duty'] as const;
export type PortalStream = (typeof PORTAL_STREAMS)[number];

/** An event type as a filter: exact (`hazard.CLOSED`) or a whole stream (`hazard.*`). */
export const EVENT_TYPE_PATTERN = '^(hazard|case|order|duty)\\.([A-Z][A-Z0-9_]{0,63}|\\*)$';

/** Whether a type matches any of the patterns; no patterns: every type. */
export function typeMatches(type: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('.*') ? type.startsWith(p.slice(0, -1)) : p === type));
}

/**
 * A position in the feed: (xid, seq), the writing transaction and the event's number. The feed
 * orders by it and serves only rows of transactions older than every running one, so a reader
 * that resumes after a cursor never misses a row committed later with a smaller number.
 */
export interface FeedCursor {
  xid: string;
  seq: number;
}

export const CURSOR_PATTERN = '^[0-9]{1,18}\\.[0-9]{1,18}$';

export const encodeCursor = (c: FeedCursor): string => `${c.xid}.${c.seq}`;

export function decodeCursor(raw: string): FeedCursor | null {
  const m = /^([0-9]{1,18})\.([0-9]{1,18})$/.exec(raw);
  if (!m) return null;
  const seq = Number(m[2]);
  return Number.isSafeInteger(seq) ? { xid: BigInt(m[1]!).toString(), seq } : null;
}

export const eventId = (seq: number): string => `evt_${seq}`;

/** The outbox key of the mail telling an endpoint's owner it was disabled at an event: once per disabling. */
export const webhookDisabledKey = (endpointId: string, eventSeq: number): string => `webhook:${endpointId}:disabled:${eventSeq}`;

/**
 * One delivery's retry budget: 5 s doubling to an hour, 84 attempts: a little over three days of an
 * endpoint answering errors (or nothing). When it is spent the delivery is FAILED, the endpoint is
 * disabled and its owner mailed; re-enabling it retries the same event first, so nothing is lost.
 */
export interface WebhookRetry {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

export const WEBHOOK_RETRY: WebhookRetry = { initialIntervalMs: 5_000, backoffCoefficient: 2, maximumIntervalMs: 3_600_000, maximumAttempts: 84 };

/** The sum of the waits between the attempts of a budget (what Temporal's retry policy sleeps). */
export function retryWindowMs(r: WebhookRetry): number {
  let total = 0;
  let wait = r.initialIntervalMs;
  for (let i = 1; i < r.maximumAttempts; i++) {
    total += wait;
    wait = Math.min(wait * r.backoffCoefficient, r.maximumIntervalMs);
  }
  return total;
}

/** The largest response body read from an endpoint (the rest is discarded: its content is only logged). */
export const RESPONSE_BODY_CAP_BYTES = 4096;

/** Error types of a delivery attempt; the unreachable ones cannot heal by retrying. */
export const WebhookErrorType = {
  /** The endpoint answered non-2xx, timed out or could not be reached: retried within the budget. */
  DELIVERY_FAILED: 'WEBHOOK_DELIVERY_FAILED',
  /** The URL resolves to an address the configuration forbids, or is not http(s): never retried. */
  FORBIDDEN_TARGET: 'WEBHOOK_FORBIDDEN_TARGET',
} as const;

function ipv4Parts(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const n = parts.map((p) => (/^[0-9]{1,3}$/.test(p) ? Number(p) : NaN));
  return n.every((x) => x >= 0 && x <= 255) ? n : null;
}

/** Loopback (127/8, ::1): allowed only where the configuration says so (tests, a local receiver). */
export function isLoopback(ip: string): boolean {
  const v4 = ipv4Parts(ip.replace(/^::ffff:/i, ''));
  if (v4) return v4[0] === 127;
  return ip === '::1';
}

/**
 * Addresses a webhook must not reach unless the configuration allows private targets: private
 * (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16 with the cloud
 * metadata service, fe80::/10), carrier-grade NAT (100.64/10), "this network" (0/8), multicast
 * and reserved (224/3), and the unspecified address.
 */
export function isPrivateAddress(ip: string): boolean {
  const v4 = ipv4Parts(ip.replace(/^::ffff:/i, ''));
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const s = ip.toLowerCase();
  if (s === '::' || s === '::1') return true;
  return /^f[cd]/.test(s) || /^fe[89ab]/.test(s) || /^ff/.test(s);
}

export interface TargetPolicy {
  /** 127/8 and ::1 (tests, a receiver on the same machine). */
  allowLoopback: boolean;
  /** Every private, link-local and reserved range too (an intranet deployment). */
  allowPrivate: boolean;
}

/** Why an address may not be reached, or null when it may. */
export function addressRefusal(ip: string, policy: TargetPolicy): string | null {
  if (policy.allowPrivate) return null;
  if (isLoopback(ip)) return policy.allowLoopback ? null : `${ip} is a loopback address`;
  return isPrivateAddress(ip) ? `${ip} is a private, link-local or reserved address` : null;
}

const IPV4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/;

/**
 * What the URL itself rules out (at registration and before each attempt): another scheme than
 * http(s), credentials, an address literal the policy forbids, `localhost`. Host names are checked
 * again when they are resolved, at every attempt.
 */
export function endpointUrlRefusal(raw: string, policy: TargetPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https are delivered to, not ${url.protocol}`;
  if (url.username || url.password) return 'may not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (IPV4.test(host) || host.includes(':')) return addressRefusal(host, policy);
  if ((host === 'localhost' || host.endsWith('.localhost')) && !policy.allowLoopback && !policy.allowPrivate) return `${host} is a loopback address`;
  return null;
}
