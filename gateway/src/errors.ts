import { CodedError } from '@linkwell/firmware-protocol';

/** Gateway error catalog; each code is documented in docs/errors.md. */
export const GATEWAY_ERRORS = {
  GATEWAY_ERR_BAD_FRAME:
    'A device sent a frame its profile block could not decode; it is reported, not relayed.',
  GATEWAY_ERR_CONNECT_FAILED:
    'Connecting to a device or reading its services failed; the gateway retries with backoff.',
  GATEWAY_ERR_PUBLISH_FAILED: 'Publishing an envelope failed; the readings stay queued and are sent again.',
  GATEWAY_ERR_CONFIG: 'The gateway configuration is invalid.',
  GATEWAY_ERR_OUTBOX_FULL:
    'The durable outbox reached its bound; new readings are refused (and counted), never dropped silently.',
  GATEWAY_ERR_OUTBOX_IO:
    'Writing or syncing the outbox failed (disk full, permissions); the reading was not taken.',
  GATEWAY_ERR_BLE_UNAVAILABLE:
    'The Bluetooth stack is not reachable: no BlueZ on the system D-Bus, no adapter, or noble never powered on.',
  GATEWAY_ERR_BLE_TIMEOUT:
    'A Bluetooth operation (scan, connect, service resolution, read, write, subscribe) did not finish in time.',
  GATEWAY_ERR_BLE_NOT_FOUND:
    'The device, service or characteristic is not there (not advertising, or not in its GATT table).',
  GATEWAY_ERR_BLE_DISCONNECTED: 'The link to the device dropped before or during the operation.',
  GATEWAY_ERR_BLE_OPERATION_FAILED:
    'The stack or the device refused the operation (an ATT or BlueZ error, kept in the message and details).',
  GATEWAY_ERR_BLE_AUTH_FAILED:
    'Pairing or encryption failed: wrong passkey, no agent, or a bond the device no longer has.',
  GATEWAY_ERR_LINK_EXPIRED:
    'Linking stopped: the user code expired (expired_token) before a household member approved it.',
  GATEWAY_ERR_LINK_DENIED: 'Linking stopped: a household member refused the user code (access_denied).',
  GATEWAY_ERR_LINK_FAILED:
    'The API refused or failed a device-flow request (bad client, invalid_grant, unreachable, or an unexpected answer).',
  GATEWAY_ERR_TOKEN_REFRESH:
    'The API refused the refresh token (invalid_grant: revoked, reused or expired); the gateway must be linked again.',
  GATEWAY_ERR_CREDENTIALS:
    'The gateway credentials file is missing, unreadable, malformed or cannot be written.',
  GATEWAY_ERR_FEATURE_FAILED:
    'A device-manager step (device information, history handling) failed on one link; the session went on without it.',
  GATEWAY_ERR_TIME_SYNC_FAILED:
    'Reading or writing the Current Time of a device failed; its readings keep the time stamps its clock gives.',
  GATEWAY_ERR_CONSENT_FAILED:
    "UDS Consent for a configured user was refused, not answered or impossible (no pairing); that user's readings stay on the scale.",
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends CodedError<GatewayErrorCode> {}
