import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of the developer webhook routes (docs/webhooks.md). */
export const WEBHOOKS_ERRORS = {
  API_ERR_WEBHOOK_NOT_FOUND: {
    status: 404,
    description: 'No webhook endpoint (or backfill) with this id on this app of yours.',
  },
  API_ERR_WEBHOOK_URL_REFUSED: {
    status: 400,
    description:
      'The endpoint URL is refused: `reason` is not_a_url, not_https (plain http only to loopback, and only for sandbox apps), credentials, fragment, unresolvable, or the class of address the host resolves to (loopback, private, link_local, unique_local, metadata, unspecified, multicast, reserved).',
  },
  API_ERR_WEBHOOK_EVENT_TYPE: {
    status: 400,
    description: '`event_types` names a type that does not exist; `allowed` lists the ones that do.',
  },
  API_ERR_WEBHOOK_UNVERIFIED: {
    status: 409,
    description:
      'The endpoint has not answered the verification challenge yet, so nothing is sent to it; POST …/verify once the receiver answers.',
  },
  API_ERR_WEBHOOK_VERIFICATION_FAILED: {
    status: 422,
    description:
      'The receiver did not answer the challenge with a valid `webhook-challenge-response` (Standard Webhooks endpoint verification); `detail` says what it answered.',
  },
  API_ERR_WEBHOOK_LAST_SECRET: {
    status: 409,
    description: 'Revoking this secret would leave the endpoint without a live signing secret; rotate first.',
  },
  API_ERR_WEBHOOK_BAD_RANGE: {
    status: 400,
    description: 'The time range is empty or reversed, or a replay names neither event ids nor a range.',
  },
  API_ERR_WEBHOOK_UNKNOWN_SUBJECT: {
    status: 404,
    description: 'No person with this subject is connected to the app.',
  },
} as const satisfies ErrorCatalog;
