// Rate limits per API key: one on every write, a stricter one on the writes that send mail or
// start workflows (a runaway client must not flood mailboxes or the Temporal cluster). Keyed by a
// hash of the bearer token, so the limit follows the key across IPs and proxies; requests without
// one are keyed by the client IP (which honours trustProxy only when configured). Runs before
// auth, so a flood of unknown tokens is throttled too. Body size is Fastify's bodyLimit (server.ts).
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_LIMITS, type ApiLimits } from '../../config';
import { DomainError, ErrorCode } from '../../domain/errors';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WINDOW_MS = 60_000;

/**
 * Writes that send mail or start workflows: hazard reports and every hazard command, campaign
 * launch, phase moves, duty submissions, inspection results and supervision findings, opening and
 * deciding accountability cases, enforcement orders and their commands, gas over-limit records,
 * webhook endpoints (created, changed, deleted, a delivery replayed: their workflow is started or signalled).
 * Storing a template, declaring a self-inspection and reference data only touch the database.
 */
export function sendsMailOrStartsWorkflows(method: string, routeUrl: string | undefined): boolean {
  if (!WRITES.has(method) || !routeUrl) return false;
  // A hazard's report and commands start or drive its workflow; linking it to a work item is a ledger write.
  if (routeUrl === '/v1/hazards' || (routeUrl.startsWith('/v1/hazards/') && !routeUrl.endsWith('/work-item'))) return true;
  // Opening a case starts its workflow; a decision mails the reviewers.
  if (routeUrl === '/v1/cases' || routeUrl.startsWith('/v1/cases/')) return true;
  if (routeUrl === '/v1/campaigns') return true;
  // A reset link is mailed (the answer is the same whether or not the email has an account).
  if (routeUrl === '/v1/auth/password-reset') return true;
  // A webhook endpoint starts (and its changes, deletion and replays signal) its delivery workflow; rotating a secret is a ledger write.
  if (routeUrl.startsWith('/v1/webhook-endpoints') && !routeUrl.endsWith('/secret-rotation')) return true;
  // Enforcement: an order starts its workflow and mails; a command may mail; a gas over-limit record opens a case.
  if (routeUrl.startsWith('/v1/orders/') || /^\/v1\/enterprises\/:id\/(orders|gas-over-limit)$/.test(routeUrl)) return true;
  // Generating a circular's draft reads the ledger and mails nothing; publishing it mails every unit.
  return routeUrl.startsWith('/v1/campaigns/') && !routeUrl.endsWith('/self-inspections') && !routeUrl.endsWith('/circulars');
}

/** Who a request counts against: its API key or session cookie (hashed, never stored as sent), else its IP. */
export function limitKey(request: FastifyRequest): string {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (match) return `key:${createHash('sha256').update(match[1]!).digest('base64url').slice(0, 22)}`;
  const session = /(?:^|;\s*)hc_session=([A-Za-z0-9_-]{43})(?:;|$)/.exec(request.headers.cookie ?? '');
  return session ? `session:${createHash('sha256').update(session[1]!).digest('base64url').slice(0, 22)}` : `ip:${request.ip}`;
}

export default fp(
  async (app: FastifyInstance, opts: { limits?: Partial<ApiLimits> }) => {
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    await app.register(rateLimit, { global: false });
    const writes = app.createRateLimit({ max: limits.writesPerMinute, timeWindow: WINDOW_MS, keyGenerator: (r) => `w:${limitKey(r)}` });
    const mail = app.createRateLimit({ max: limits.mailPerMinute, timeWindow: WINDOW_MS, keyGenerator: (r) => `m:${limitKey(r)}` });

    app.addHook('onRequest', async (request, reply) => {
      if (!WRITES.has(request.method)) return;
      const checks: [typeof writes, string, number][] = [[writes, 'writes', limits.writesPerMinute]];
      if (sendsMailOrStartsWorkflows(request.method, request.routeOptions.url)) checks.push([mail, 'writes that send mail or start workflows', limits.mailPerMinute]);
      for (const [limiter, what, max] of checks) {
        const result = await limiter(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
          throw new DomainError(ErrorCode.RATE_LIMITED, `more than ${max} ${what} a minute for this API key; retry in ${Math.max(1, result.ttlInSeconds)} s`);
        }
      }
    });
  },
  { name: 'limits', dependencies: ['errors'] },
);
