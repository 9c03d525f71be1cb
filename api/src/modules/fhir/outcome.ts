import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, type ApiErrorCode, isApiError } from '../../errors.js';

/** FHIR's media type (http.html#mime-type); every /fhir/R4 answer, success or error, carries it. */
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** Where our error codes live as FHIR codings (docs/errors.md is their definition). */
export const ERROR_CODE_SYSTEM = 'https://linkwell.dev/fhir/CodeSystem/error';

/** IssueType (hl7.org/fhir/R4/valueset-issue-type.html) for an HTTP status. */
function issueType(status: number): string {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status === 502 || status === 503) return 'transient';
  if (status >= 500) return 'exception';
  return 'invalid';
}

/** An OperationOutcome (hl7.org/fhir/R4/operationoutcome.html) for one coded error. */
export function operationOutcome(code: string, status: number, diagnostics: string) {
  return {
    resourceType: 'OperationOutcome' as const,
    issue: [
      {
        severity: status >= 500 ? 'fatal' : 'error',
        code: issueType(status),
        details: { coding: [{ system: ERROR_CODE_SYSTEM, code }], text: diagnostics },
        diagnostics,
      },
    ],
  };
}

interface Coded {
  code: ApiErrorCode;
  status: number;
  detail: string;
  extra: Record<string, unknown>;
}

function coded(error: FastifyError): Coded {
  if (isApiError(error))
    return { code: error.code, status: error.statusCode, detail: error.detail, extra: error.details ?? {} };
  // A route schema refused the request: the search parameters are the only input these routes take.
  if (error.validation)
    return { code: 'API_ERR_FHIR_BAD_PARAMETER', status: 400, detail: error.message, extra: {} };
  const status = error.statusCode ?? 500;
  if (status === 429) return { code: 'API_ERR_RATE_LIMITED', status, detail: error.message, extra: {} };
  if (status >= 400 && status < 500)
    return { code: 'API_ERR_BAD_REQUEST', status, detail: error.message, extra: {} };
  return { code: 'API_ERR_INTERNAL', status: 500, detail: 'Internal server error.', extra: {} };
}

function send(reply: FastifyReply, c: Coded) {
  // RFC 6750 §3 and §3.1, as on the REST API: say how to authenticate and which scope was missing.
  if (c.code === 'API_ERR_UNAUTHORIZED')
    void reply.header('www-authenticate', 'Bearer realm="linkwell", error="invalid_token"');
  if (c.code === 'API_ERR_INSUFFICIENT_SCOPE') {
    const scope = typeof c.extra.required === 'string' ? `, scope="${c.extra.required}"` : '';
    void reply.header('www-authenticate', `Bearer realm="linkwell", error="insufficient_scope"${scope}`);
  }
  // OAuth clients look for the RFC 6750 error code; it leads the diagnostics.
  const text = c.code === 'API_ERR_INSUFFICIENT_SCOPE' ? `insufficient_scope: ${c.detail}` : c.detail;
  return reply
    .status(c.status)
    .type(FHIR_JSON)
    .send(operationOutcome(c.code, c.status, text));
}

/**
 * Errors under /fhir/R4 leave as OperationOutcome with the status and code of our catalog (http.html:
 * "the server SHOULD return an OperationOutcome"). Scoped to the FHIR plugin; /v1 keeps problem details.
 */
export function installFhirErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const c = coded(error);
    if (c.status >= 500) request.log.error({ err: error, code: c.code }, 'request failed');
    else request.log.info({ code: c.code }, 'request rejected');
    return send(reply, c);
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, {
      code: 'API_ERR_FHIR_NOT_FOUND',
      status: API_ERRORS.API_ERR_FHIR_NOT_FOUND.status,
      detail: `No FHIR route for ${request.method} ${request.url.split('?')[0]}.`,
      extra: {},
    }),
  );
}
