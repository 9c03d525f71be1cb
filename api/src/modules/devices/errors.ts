import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of the devices context (claims, assignment, device commands). */
export const DEVICES_ERRORS = {
  API_ERR_DEVICE_NOT_FOUND: {
    status: 404,
    description:
      "No device with this id is claimed by one of the caller's households; whether it exists is not revealed.",
  },
  API_ERR_DEVICE_NOT_NEARBY: {
    status: 404,
    description:
      "None of the household's gateways heard a supported device at this `address` in the last day (unknown, out of range, or heard only by another household's gateway).",
  },
  API_ERR_DEVICE_ALREADY_CLAIMED: {
    status: 409,
    description:
      'The household already claimed the device at this `address` (`device_id`), possibly in a concurrent request; exactly one claim wins.',
  },
  API_ERR_SLOT_OUT_OF_RANGE: {
    status: 400,
    description: 'The slot is outside 0..slot_count-1 of this device (`slot_count` says how many it has).',
  },
  API_ERR_ATTRIBUTION_MISMATCH: {
    status: 409,
    description:
      "The route does not fit the device's attribution mode (`attribution`): owners are for single devices, slots for slots devices; change it with PUT /v1/devices/{id}/attribution.",
  },
  API_ERR_SLOT_NOT_ASSIGNED: {
    status: 404,
    description: 'No member is assigned to this slot of the device.',
  },
  API_ERR_UDS_UNSUPPORTED: {
    status: 409,
    description:
      'Registration and consent codes need a UDS User Control Point: the device is not a multi-user scale read over GATT (`kind` says what it is).',
  },
  API_ERR_UDS_REGISTER_FAILED: {
    status: 502,
    description:
      'The gateway did not register the member on the scale: its uds_register command ended in error (`gateway_code`, e.g. GATEWAY_ERR_UDS_REGISTER_FAILED for a full user table) or timed out (API_ERR_GATEWAY_OFFLINE, API_ERR_COMMAND_TIMED_OUT); nothing was mapped (`command_id` to follow it).',
  },
} as const satisfies ErrorCatalog;
