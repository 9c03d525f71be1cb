import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiErrorCode, isApiError } from '../errors.js';

interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> };
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** `querystring.window` from context `querystring` and instancePath `/window` (or a missing property). */
function fieldOf(context: string | undefined, issue: ValidationIssue): string {
  const path = issue.instancePath.split('/').filter(Boolean);
  const missing = (issue.params as { missingProperty?: unknown }).missingProperty;
  if (typeof missing === 'string') path.push(missing);
  return [context ?? 'request', ...path].join('.');
}

function validationBody(error: FastifyError): ErrorBody {
  const issues = (error.validation ?? []).map((issue) => ({
    field: fieldOf(error.validationContext, issue),
    problem: issue.message ?? issue.keyword,
  }));
  const first = issues[0] ?? { field: error.validationContext ?? 'request', problem: 'is invalid' };
  return {
    error: {
      code: 'API_ERR_VALIDATION',
      message: `Invalid ${first.field}: ${first.problem}`,
      details: { field: first.field, issues },
    },
  };
}

function toResponse(error: FastifyError): { status: number; body: ErrorBody } {
  if (isApiError(error)) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) body.error.details = error.details;
    return { status: error.statusCode, body };
  }
  if (error.validation) return { status: 400, body: validationBody(error) };
  // Fastify's own client errors (bad JSON body, unsupported media type, body too large) have safe messages.
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, body: { error: { code: 'API_ERR_BAD_REQUEST', message: error.message } } };
  }
  return {
    status: 500,
    body: { error: { code: 'API_ERR_INTERNAL', message: 'Internal server error.' } },
  };
}

function challenge(code: ApiErrorCode): string | undefined {
  // RFC 6750 §3: tell clients how to authenticate and why the token was refused.
  if (code === 'API_ERR_UNAUTHORIZED') return 'Bearer realm="linkwell", error="invalid_token"';
  if (code === 'API_ERR_INSUFFICIENT_SCOPE') return 'Bearer realm="linkwell", error="insufficient_scope"';
  return undefined;
}

/** Every error, including unknown routes, leaves as `{ error: { code, message, details? } }`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toResponse(error);
    if (status >= 500) request.log.error({ err: error, code: body.error.code }, 'request failed');
    else request.log.info({ code: body.error.code, reason: body.error.details }, 'request rejected');
    const header = challenge(body.error.code);
    if (header !== undefined) void reply.header('www-authenticate', header);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: {
        code: 'API_ERR_NOT_FOUND',
        message: `No route for ${request.method} ${request.url.split('?')[0]}.`,
      },
    };
    return reply.status(404).send(body);
  });
}
