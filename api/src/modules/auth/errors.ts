import type { ErrorCatalog } from '../../http/problem.js';

/** Sign-in, sessions and tokens. A callback's error also reaches the console as `?error=<code>`. */
export const AUTH_ERRORS = {
  API_ERR_PROVIDER_UNKNOWN: {
    status: 404,
    description: 'No configured identity provider has this id (`provider`); see GET /v1/auth/providers.',
  },
  API_ERR_PROVIDER_MISMATCH: {
    status: 400,
    description:
      "A callback arrived at one provider's endpoint for a sign-in transaction started with another (an IdP mix-up attempt); the transaction is spent.",
  },
  API_ERR_SIGNIN_STATE_INVALID: {
    status: 400,
    description: 'The callback has no `state`, or one that no sign-in transaction was started with.',
  },
  API_ERR_SIGNIN_REPLAYED: {
    status: 400,
    description:
      'The sign-in transaction of this callback was already used; every transaction is single-use.',
  },
  API_ERR_SIGNIN_EXPIRED: {
    status: 400,
    description: 'The sign-in transaction is older than 10 minutes; start again.',
  },
  API_ERR_SIGNIN_BROWSER_MISMATCH: {
    status: 400,
    description:
      'The callback arrived in a browser that did not start the sign-in (missing or wrong `lw_flow` cookie): a login-CSRF attempt or a link opened elsewhere.',
  },
  API_ERR_UPSTREAM_DENIED: {
    status: 400,
    description: 'The person cancelled at the provider, or the provider refused (`upstream_code`).',
  },
  API_ERR_UPSTREAM_ERROR: {
    status: 502,
    description:
      'The provider answered with an error or an unreadable answer (`upstream_code`, e.g. a WeChat `errcode` or an OAuth `error`); nothing was created.',
  },
  API_ERR_UPSTREAM_UNAVAILABLE: {
    status: 503,
    description:
      'The provider could not be reached or did not answer within its timeout; nothing was created.',
  },
  API_ERR_UPSTREAM_REAUTH_REQUIRED: {
    status: 401,
    description:
      "The provider's tokens for this identity expired (WeChat: the 30-day refresh token); the person must sign in again.",
  },
  API_ERR_ID_TOKEN_INVALID: {
    status: 401,
    description:
      "The provider's ID token or authorization response failed validation; nothing was created. `reason` names the check: `alg` (not the configured algorithm, e.g. `none` or HS256), `signature` (not signed by a key the issuer publishes), a claim (`nonce`, `iss`, `aud`, `exp`, …), `authorization_response` (e.g. no `code`, or a wrong RFC 9207 `iss`), `claims` or `response`; `check` says it in words.",
  },
  API_ERR_RETURN_TO_INVALID: {
    status: 400,
    description:
      '`return_to` must be a same-origin path such as `/account` (no scheme, host, `//` or backslash).',
  },
  API_ERR_STEP_UP_REQUIRED: {
    status: 403,
    description:
      'Linking, unlinking and merging need a sign-in within the last 5 minutes; POST /v1/auth/step-up and retry.',
  },
  API_ERR_STEP_UP_MISMATCH: {
    status: 403,
    description: 'The step-up sign-in was with an identity of another account; the session is unchanged.',
  },
  API_ERR_REFRESH_TOKEN_INVALID: {
    status: 401,
    description: 'The refresh token is unknown, expired or revoked, or its session has ended.',
  },
  API_ERR_REFRESH_TOKEN_REUSED: {
    status: 401,
    description:
      'A refresh token was presented a second time; its whole family and its session are revoked (RFC 9700 §4.14.2).',
  },
} as const satisfies ErrorCatalog;
