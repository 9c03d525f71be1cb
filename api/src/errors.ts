import { CodedError } from '@linkwell/firmware-protocol';
import type { ErrorCatalog } from './http/problem.js';
import { AUTH_ERRORS } from './modules/auth/errors.js';
import { CONSENTS_ERRORS } from './modules/consents/errors.js';
import { CRM_ERRORS } from './modules/crm/errors.js';
import { DEVICES_ERRORS } from './modules/devices/errors.js';
import { EVENTS_ERRORS } from './modules/events/errors.js';
import { EXPORT_ERRORS } from './modules/exports/errors.js';
import { FHIR_ERRORS } from './modules/fhir/errors.js';
import { GATEWAYS_ERRORS } from './modules/gateways/errors.js';
import { HOUSEHOLDS_ERRORS } from './modules/households/errors.js';
import { IDENTITY_ERRORS } from './modules/identity/errors.js';
import { INBOX_ERRORS } from './modules/inbox/errors.js';
import { OAUTH_ERRORS } from './modules/oauth/errors.js';
import { ORGS_ERRORS } from './modules/orgs/errors.js';
import { READINGS_ERRORS } from './modules/readings/errors.js';
import { TRENDS_ERRORS } from './modules/trends/errors.js';
import { WEBHOOKS_ERRORS } from './modules/webhooks/errors.js';

/** Errors any route can produce, raised by the shared infrastructure (schemas, auth, InfluxDB, routing). */
export const COMMON_ERRORS = {
  API_ERR_VALIDATION: {
    status: 400,
    description:
      'A request parameter, header or body does not match the route schema; `field` names the first offender and `issues` lists them all.',
  },
  API_ERR_BAD_REQUEST: {
    status: 400,
    description:
      'The request could not be read at all (e.g. malformed JSON body, unsupported content type); the HTTP status is the 4xx Fastify chose.',
  },
  API_ERR_UNAUTHORIZED: {
    status: 401,
    description:
      'No usable credential: `reason` is one of missing, malformed, invalid_signature, expired, not_yet_valid, invalid_claims, wrong_token_type, session_expired, session_revoked, token_revoked.',
  },
  API_ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    description:
      'The token is valid but lacks the scope the route requires; `required` names it and `error` is `insufficient_scope` (RFC 6750 §3.1). A missing scope is never answered with an empty result.',
  },
  API_ERR_PERSON_REQUIRED: {
    status: 403,
    description:
      "A client-credentials access token (a partner back end, no person) called a route that reads or changes a person's data.",
  },
  API_ERR_MARKETER_FORBIDDEN: {
    status: 403,
    description:
      'A marketer token called a route outside the CRM: marketers never reach readings, trends, FHIR, exports, the change feed, devices, households or any other person route (docs/orgs.md).',
  },
  API_ERR_MARKETER_ORG_MISMATCH: {
    status: 403,
    description: 'The marketer token was minted for another organisation than the one the path names.',
  },
  API_ERR_MARKETER_ROLE_REQUIRED: {
    status: 403,
    description:
      'The caller does not hold the `marketer` role in this organisation (roles are checked on every request, so a removed role stops access at once).',
  },
  API_ERR_CSRF: {
    status: 403,
    description:
      'A state-changing request authenticated by the session cookie lacks a valid `x-csrf-token` header (get one from GET /v1/auth/session), or comes from another origin.',
  },
  API_ERR_RATE_LIMITED: {
    status: 429,
    description: 'Too many requests from this client; retry after the `retry-after` header.',
  },
  API_ERR_NOT_FOUND: { status: 404, description: 'No route matches the method and path.' },
  API_ERR_TIMESERIES_QUERY: {
    status: 502,
    description: 'InfluxDB answered but rejected or failed the query (an error in the InfluxQL result).',
  },
  API_ERR_TIMESERIES_UNAVAILABLE: {
    status: 503,
    description: 'InfluxDB could not be reached, timed out, or answered with a server error.',
  },
  API_ERR_INTERNAL: {
    status: 500,
    description: 'An unexpected server error; details are logged, never returned.',
  },
} as const satisfies ErrorCatalog;

/**
 * The API's error catalog: every HTTP error carries one of these codes; clients branch on `code`, never on
 * the text. Each module owns its part (`modules/<context>/errors.ts`); docs/errors.md lists every entry.
 */
export const API_ERRORS = {
  ...COMMON_ERRORS,
  ...TRENDS_ERRORS,
  ...GATEWAYS_ERRORS,
  ...AUTH_ERRORS,
  ...IDENTITY_ERRORS,
  ...HOUSEHOLDS_ERRORS,
  ...INBOX_ERRORS,
  ...READINGS_ERRORS,
  ...DEVICES_ERRORS,
  ...EXPORT_ERRORS,
  ...OAUTH_ERRORS,
  ...FHIR_ERRORS,
  ...EVENTS_ERRORS,
  ...WEBHOOKS_ERRORS,
  ...CONSENTS_ERRORS,
  ...CRM_ERRORS,
  ...ORGS_ERRORS,
} as const satisfies ErrorCatalog;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** "API_ERR_BAD_TIME_RANGE" → "Bad time range": the fixed RFC 9457 `title` of a code. */
export function titleOf(code: string): string {
  const words = code
    .replace(/^API_ERR_/, '')
    .toLowerCase()
    .replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Thrown by services, handlers and hooks; the error handler turns it into RFC 9457 problem details with
 * `code`, `detail` (the message without the code prefix) and `details` spread as extension members.
 */
export class ApiError extends CodedError<ApiErrorCode> {
  readonly statusCode: number;
  readonly detail: string;
  constructor(
    code: ApiErrorCode,
    detail: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(code, detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.detail = detail;
    this.statusCode = options?.statusCode ?? API_ERRORS[code].status;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Errors raised while starting, before any request is served (no HTTP status). */
export const API_STARTUP_ERRORS = {
  API_ERR_CONFIG: 'The API configuration is invalid; the message lists up to five offending fields.',
} as const;

export class ApiConfigError extends CodedError<'API_ERR_CONFIG'> {
  constructor(issues: string) {
    super('API_ERR_CONFIG', issues);
  }
}
