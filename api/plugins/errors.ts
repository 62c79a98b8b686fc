// One error handler: domain codes become RFC 9457 problems with the fields at fault;
// schema failures name the field; 5xx details stay in the log, never in the response.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, ErrorCode, type FieldError } from '../../domain/errors';
import { Problem } from '../schemas/common';

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
};

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, code: string, detail: string, errors?: FieldError[]) {
  const body: Problem = {
    type: `https://hazard-campaign.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: request.url,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return reply.status(status).type('application/problem+json').send(body);
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
  return v.message ?? 'is invalid';
}

export default fp(
  async (app: FastifyInstance) => {
    app.addSchema(Problem);
    app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 404, ErrorCode.NOT_FOUND, `no route ${request.method} ${request.url}`));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof DomainError) {
        return sendProblem(request, reply, STATUS_BY_CODE[error.code], error.code, error.message, error.errors);
      }
      if (error.validation) {
        const errors = (error.validation as ValidationItem[]).map((v) => ({ field: fieldOf(error.validationContext, v), reason: reasonOf(v) }));
        return sendProblem(request, reply, 400, ErrorCode.VALIDATION_FAILED, errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
      }
      const status = error.statusCode ?? 500;
      if (status < 500) return sendProblem(request, reply, status, ErrorCode.VALIDATION_FAILED, error.message);
      request.log.error({ err: error }, 'request failed');
      return sendProblem(request, reply, status === 503 ? 503 : 500, status === 503 ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL, 'the server could not complete the request; it is logged');
    });
  },
  { name: 'errors' },
);
