import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of gateway onboarding's approval routes (the OAuth endpoints answer in RFC 6749/8628 shape). */
export const GATEWAYS_ERRORS = {
  API_ERR_USER_CODE_UNKNOWN: {
    status: 404,
    description:
      'No device authorization waits for this user code (mistyped, or never issued); `user_code` echoes the input.',
  },
  API_ERR_USER_CODE_USED: {
    status: 409,
    description:
      'The device authorization for this user code (`user_code`) was already approved or denied, possibly by someone deciding at the same moment.',
  },
  API_ERR_USER_CODE_EXPIRED: {
    status: 410,
    description:
      'The user code (`user_code`) expired (10 minutes after the gateway asked); the gateway must start again.',
  },
  API_ERR_HOUSEHOLD_FORBIDDEN: {
    status: 403,
    description:
      'The calling account is not a member of the household (`household_id`), or of any household (`reason`: no_household).',
  },
  API_ERR_HOUSEHOLD_REQUIRED: {
    status: 400,
    description:
      'The calling account belongs to several households (`households` lists them); `household_id` must say which one.',
  },
} as const satisfies ErrorCatalog;
