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
  API_ERR_GATEWAY_NOT_FOUND: {
    status: 404,
    description:
      'No gateway with this id belongs to a household the caller is a member of (or it was revoked); whether it exists is not revealed.',
  },
  API_ERR_COMMAND_NOT_FOUND: {
    status: 404,
    description:
      "No command with this id was sent to one of the caller's households' gateways; whether it exists is not revealed.",
  },
  API_ERR_NO_GATEWAY: {
    status: 409,
    description:
      'The household has no gateway that could carry this device command (none linked, or all revoked); link one first.',
  },
  API_ERR_GATEWAY_OFFLINE: {
    status: 504,
    description:
      "Not an HTTP answer but a command's `error.code` (state `timed_out`): the deadline passed while the gateway's last status was offline, or it never reported one. The gateway refuses the command after its deadline (`expires_at`), so it never runs later.",
  },
  API_ERR_COMMAND_TIMED_OUT: {
    status: 504,
    description:
      "Not an HTTP answer but a command's `error.code` (state `timed_out`): the gateway was online but did not answer within the grace after the deadline; it did not start the command in time and refuses it afterwards.",
  },
} as const satisfies ErrorCatalog;
