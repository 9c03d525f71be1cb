import type { ErrorCatalog } from '../../http/problem.js';

/**
 * Errors of Linkwell's own OAuth routes (consent, connections, client registration). The authorization
 * server's protocol endpoints (/oauth2/*) answer with RFC 6749 §5.2 error codes instead, as clients expect.
 */
export const OAUTH_ERRORS = {
  API_ERR_OAUTH_INTERACTION_NOT_FOUND: {
    status: 404,
    description:
      'The sign-in request has expired (15 minutes), was finished, or was started in another browser; start again from the app.',
  },
  API_ERR_OAUTH_INTERACTION_STATE: {
    status: 409,
    description: 'The sign-in request is not at the step this call makes (e.g. consent before sign-in).',
  },
  API_ERR_OAUTH_INTERACTION_ACCOUNT: {
    status: 403,
    description:
      'The sign-in request belongs to another Linkwell account than the signed-in person; nobody consents for someone else.',
  },
  API_ERR_CONNECTION_NOT_FOUND: {
    status: 404,
    description: 'No connected app (grant) with this id on your account; it may already be revoked.',
  },
  API_ERR_OAUTH_UNAVAILABLE: {
    status: 503,
    description:
      "The authorization server's store (the API database) failed; nothing was issued. Retry after `retry-after`.",
  },
  API_ERR_CLIENT_NOT_FOUND: {
    status: 404,
    description: 'No app with this client id is registered by you.',
  },
  API_ERR_CLIENT_SANDBOX: {
    status: 403,
    description:
      'The app is in sandbox mode: only the developer who registered it can connect it to their own data.',
  },
  API_ERR_CLIENT_INVALID: {
    status: 400,
    description:
      'The app registration is not acceptable: `field` names the problem (a redirect URI that is not https or loopback http, has a fragment or wildcard, or an unknown scope).',
  },
} as const satisfies ErrorCatalog;
