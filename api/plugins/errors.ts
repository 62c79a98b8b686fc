// One error handler: domain codes become RFC 9457 problems with the fields at fault;
// schema failures name the field; 5xx details stay in the log, never in the response.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Duplex } from 'node:stream';
import { errorChain } from '../../db/errors';
import { DomainError, ErrorCode, type FieldError } from '../../domain/errors';
import { patternReason, Problem } from '../schemas/common';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ILLEGAL_TRANSITION: 409,
  EXTENSION_PENDING: 409,
  NO_EXTENSION_PENDING: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  ACCOUNT_LOCKED: 423,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Client errors Fastify raises itself, with the code the problem carries. */
const EDGE_CODES: Record<number, ErrorCode> = { 413: ErrorCode.PAYLOAD_TOO_LARGE, 415: ErrorCode.UNSUPPORTED_MEDIA_TYPE, 429: ErrorCode.RATE_LIMITED };

const problemType = (code: string) => `https://hazard-campaign.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;

export function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, code: string, detail: string, errors?: FieldError[]) {
  const body: Problem = {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: request.url,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return reply.status(status).type('application/problem+json').send(body);
}

/**
 * Fastify's clientErrorHandler: what Node's HTTP parser refuses before there is a request (a request
 * line and headers over Node's 16 KiB, a malformed request, a request that took too long to arrive)
 * is answered as problem JSON too, not Fastify's own `{"error": ...}`. There is no URL to name: the
 * problem's instance is empty.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, field, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'url', 'the request line and headers together are larger than the server takes (16 KiB): shorten the query string']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request', 'the request did not arrive in time']
        : [400, 'request', 'the request is not valid HTTP'];
  const code = ErrorCode.VALIDATION_FAILED;
  const title = TITLES[status] ?? 'Error';
  const body = JSON.stringify({ type: problemType(code), title, status, detail, instance: '', code, errors: [{ field, reason: detail }] } satisfies Problem);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

type ValidationItem = { instancePath: string; message?: string; params: Record<string, unknown>; keyword: string };

function fieldOf(context: string | undefined, v: ValidationItem): string {
  const path = v.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const extra = (v.params.missingProperty ?? v.params.additionalProperty) as string | undefined;
  const field = [path, extra].filter(Boolean).join('.');
  return context && context !== 'body' ? `${context}${field ? `.${field}` : ''}` : field || context || 'body';
}

function reasonOf(v: ValidationItem): string {
  if (v.keyword === 'additionalProperties') return 'is not a known field';
  if (v.keyword === 'required') return 'is required';
  if (v.keyword === 'enum') return `must be one of ${(v.params.allowedValues as unknown[]).join(', ')}`;
  if (v.keyword === 'pattern') return patternReason(v.params.pattern) ?? v.message ?? 'is invalid';
  return v.message ?? 'is invalid';
}

const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|connection timeout|not queryable|the database system is (starting up|shutting down|in recovery)/i;

/**
 * A backing service that is down or restarting, not a bug: connection refused or reset, SQLSTATE
 * 57P01-57P03 (shutdown, cannot connect now), class 08 (connection exception), 53300 (too many
 * connections), a pool that timed out connecting, a Temporal RPC answered UNAVAILABLE (gRPC 14).
 * Looks through wrappers (drizzle puts the driver's error in `cause`).
 */
export function isUnavailable(err: unknown): boolean {
  for (const e of errorChain(err)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_ERRNOS.has(code) || /^(57P0[123]|08...|53300)$/.test(code))) return true;
    if (code === 14 && 'metadata' in e) return true; // a gRPC status: UNAVAILABLE
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  }
  return false;
}

export default fp(
  async (app: FastifyInstance) => {
    app.addSchema(Problem);
    // A path that exists under other methods answers 405 with Allow (RFC 9110), not 404.
    const routes: { pattern: RegExp; params: number; method: string }[] = [];
    app.addHook('onRoute', (route) => {
      const source = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
      const params = (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).length;
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ pattern: new RegExp(`^${source}/?$`), params, method });
    });
    /** Methods of the path's most specific routes: /enterprises/bulk is not /enterprises/:id (static segments win, as in the router). */
    const allowedOn = (url: string) => {
      const matching = routes.filter((r) => r.pattern.test(url.split('?')[0]!));
      const fewest = Math.min(...matching.map((r) => r.params));
      return [...new Set(matching.filter((r) => r.params === fewest).map((r) => r.method))];
    };
    // onRequest, before auth and body parsing: a method the path lacks is 405 whatever else is wrong
    // (also when the router would hand GET /enterprises/bulk to GET /enterprises/:id).
    app.addHook('onRequest', async (request, reply) => {
      const allowed = allowedOn(request.url);
      if (allowed.length === 0 || allowed.includes(request.method) || (request.method === 'HEAD' && allowed.includes('GET'))) return;
      reply.header('allow', allowed.join(', '));
      return sendProblem(request, reply, 405, ErrorCode.METHOD_NOT_ALLOWED, `${request.method} is not supported here; use ${allowed.join(', ')}`);
    });
    app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 404, ErrorCode.NOT_FOUND, `no route ${request.method} ${request.url}`));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof DomainError) {
        return sendProblem(request, reply, STATUS_BY_CODE[error.code], error.code, error.message, error.errors);
      }
      if (error.validation) {
        const errors = (error.validation as ValidationItem[]).map((v) => ({ field: fieldOf(error.validationContext, v), reason: reasonOf(v) }));
        return sendProblem(request, reply, 400, ErrorCode.VALIDATION_FAILED, errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
      }
      const unavailable = isUnavailable(error);
      const status = unavailable ? 503 : error.statusCode ?? 500;
      if (status < 500) return sendProblem(request, reply, status, EDGE_CODES[status] ?? ErrorCode.VALIDATION_FAILED, error.message);
      // An outage is the operator's news, not a bug: one line, not a stack per request.
      if (unavailable) request.log.warn(`request failed: a backing service is unavailable (${(error.cause instanceof Error ? error.cause : error).message.slice(0, 200)})`);
      else request.log.error({ err: error }, 'request failed');
      return sendProblem(request, reply, status === 503 ? 503 : 500, status === 503 ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL, 'the server could not complete the request; it is logged');
    });
  },
  { name: 'errors' },
);
