import type { ErrorCatalog } from '../../http/problem.js';

export const INBOX_ERRORS = {
  API_ERR_INBOX_ITEM_NOT_FOUND: {
    status: 404,
    description: 'No inbox item with this id belongs to this household.',
  },
  API_ERR_INBOX_ITEM_NOT_HELD: {
    status: 409,
    description:
      'The item was already decided (filed, being filed, discarded or expired); `state` is its state now. Of concurrent decisions exactly one wins.',
  },
  API_ERR_INBOX_DEVICE_UNCLAIMED: {
    status: 409,
    description:
      'The reading came from a device the household has not claimed; claim it (and, for a multi-user device, map the slot) before filing, or discard the item.',
  },
  API_ERR_INBOX_BAD_CURSOR: {
    status: 400,
    description: 'The `cursor` is not one this API returned as `next_cursor`.',
  },
  API_ERR_READING_MOVE_IN_PROGRESS: {
    status: 409,
    description:
      'This reading is already being moved (filed or reassigned) and that move has not finished; of concurrent moves of one reading exactly one is accepted.',
  },
  API_ERR_MOVE_NOT_FOUND: {
    status: 404,
    description:
      'No move with this id in this household that concerns the caller or an account whose data the caller sees.',
  },
  API_ERR_ATTRIBUTION_RULE_INVALID: {
    status: 400,
    description:
      'The rule does not fit its kind: weight_range needs 0 < min_kg < max_kg ≤ 500 and no tolerance_kg; weight_near_trend needs 0 < tolerance_kg ≤ 50 and no min_kg/max_kg; `field` names the offender.',
  },
  API_ERR_ATTRIBUTION_RULE_NOT_ALLOWED: {
    status: 403,
    description:
      'A member sets auto-rules for themselves; for a dependent, the owner or the managing adult does. Not for another adult.',
  },
  API_ERR_ATTRIBUTION_RULE_NOT_FOUND: {
    status: 404,
    description: 'No auto-rule with this id in this household that the caller may change.',
  },
  API_ERR_DEVICE_NOT_FOUND_IN_HOUSEHOLD: {
    status: 404,
    description: 'No device with this id belongs to this household.',
  },
} as const satisfies ErrorCatalog;
