/**
 * API error catalog. Every response error carries one of these codes; clients branch on `code`,
 * never on the message text. docs/errors.md documents each code (a test keeps the two in sync).
 */
export const API_ERRORS = {
  API_ERR_VALIDATION: {
    status: 400,
    description:
      'A request parameter, header or body does not match the route schema; `details` names the field.',
  },
  API_ERR_BAD_REQUEST: {
    status: 400,
    description:
      'The request could not be read at all (e.g. malformed JSON body, unsupported content type); the HTTP status is the 4xx Fastify chose.',
  },
  API_ERR_BAD_TIME_RANGE: {
    status: 400,
    description:
      'The time range is well-formed but unusable: `from` is not before `to`, the range exceeds 400 days, the window exceeds the range limit, or it would produce more than 10 000 buckets.',
  },
  API_ERR_UNAUTHORIZED: {
    status: 401,
    description:
      'No usable bearer token: `details.reason` is one of missing, malformed, invalid_signature, expired, not_yet_valid, invalid_claims, wrong_token_type.',
  },
  API_ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    description: 'The token is valid but lacks the scope the route requires; `details.required` names it.',
  },
  API_ERR_NOT_FOUND: { status: 404, description: 'No route matches the method and path.' },
  API_ERR_USER_CODE_UNKNOWN: {
    status: 404,
    description: 'No device authorization waits for this user code (mistyped, or never issued).',
  },
  API_ERR_USER_CODE_USED: {
    status: 409,
    description: 'The device authorization for this user code was already approved or denied.',
  },
  API_ERR_USER_CODE_EXPIRED: {
    status: 410,
    description: 'The user code expired (10 minutes after the gateway asked); the gateway must start again.',
  },
  API_ERR_HOUSEHOLD_FORBIDDEN: {
    status: 403,
    description:
      'The calling account is not a member of the household (`details.household_id`), or of any household.',
  },
  API_ERR_HOUSEHOLD_REQUIRED: {
    status: 400,
    description: 'The calling account belongs to several households; `household_id` must say which one.',
  },
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
} as const satisfies Record<string, { status: number; description: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** Thrown by handlers and hooks; the error handler turns it into `{ error: { code, message, details? } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
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

export class ApiConfigError extends Error {
  override readonly name = 'ApiConfigError';
  readonly code = 'API_ERR_CONFIG';
  constructor(issues: string) {
    super(`API_ERR_CONFIG: ${issues}`);
  }
}
