import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, type ApiErrorCode, isApiError, titleOf } from '../errors.js';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, toProblem } from './problem.js';

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** `querystring.window` from context `querystring` and instancePath `/window` (or a missing property). */
function fieldOf(context: string | undefined, issue: ValidationIssue): string {
  const path = issue.instancePath.split('/').filter(Boolean);
  const missing = (issue.params as { missingProperty?: unknown }).missingProperty;
  if (typeof missing === 'string') path.push(missing);
  return [context ?? 'request', ...path].join('.');
}

function problem(code: ApiErrorCode, detail: string, extensions?: Record<string, unknown>, status?: number) {
  return toProblem(code, status ?? API_ERRORS[code].status, titleOf(code), detail, extensions);
}

function validationProblem(error: FastifyError): ProblemDetails {
  const issues = (error.validation ?? []).map((issue) => ({
    field: fieldOf(error.validationContext, issue),
    problem: issue.message ?? issue.keyword,
  }));
  const first = issues[0] ?? { field: error.validationContext ?? 'request', problem: 'is invalid' };
  return problem('API_ERR_VALIDATION', `Invalid ${first.field}: ${first.problem}`, {
    field: first.field,
    issues,
  });
}

function toResponse(error: FastifyError): ProblemDetails {
  if (isApiError(error)) return problem(error.code, error.detail, error.details, error.statusCode);
  if (error.validation) return validationProblem(error);
  const status = error.statusCode ?? 500;
  if (status === 429) return problem('API_ERR_RATE_LIMITED', error.message);
  // Fastify's own client errors (bad JSON body, unsupported media type, body too large) have safe messages.
  if (status >= 400 && status < 500) return problem('API_ERR_BAD_REQUEST', error.message, undefined, status);
  return problem('API_ERR_INTERNAL', 'Internal server error.');
}

function challenge(code: string, required: unknown): string | undefined {
  // RFC 6750 §3: tell clients how to authenticate and why the token was refused (§3.1: with the scope needed).
  if (code === 'API_ERR_UNAUTHORIZED') return 'Bearer realm="linkwell", error="invalid_token"';
  if (code === 'API_ERR_INSUFFICIENT_SCOPE') {
    const scope = typeof required === 'string' ? `, scope="${required}"` : '';
    return `Bearer realm="linkwell", error="insufficient_scope"${scope}`;
  }
  return undefined;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: ProblemDetails) {
  body.instance = request.url.split('?')[0];
  const header = challenge(body.code, (body as { required?: unknown }).required);
  if (header !== undefined) void reply.header('www-authenticate', header);
  return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Every error, including unknown routes, leaves as RFC 9457 problem details with a `code`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = toResponse(error);
    if (body.status >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
    else request.log.info({ code: body.code, reason: body.reason }, 'request rejected');
    return sendProblem(request, reply, body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      problem('API_ERR_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}
