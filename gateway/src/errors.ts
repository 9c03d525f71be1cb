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
  GATEWAY_ERR_COMMAND_EXPIRED:
    'A command arrived (or reached its turn) after its expires_at; it was refused and never run, because the platform had already reported it timed out.',
  GATEWAY_ERR_CONSENT_FAILED:
    "UDS Consent for a configured user was refused, not answered or impossible (no pairing); that user's readings stay on the scale.",
  GATEWAY_ERR_UDS_REGISTER_FAILED:
    'UDS Register New User (uds_register) was refused (a full user table is operation_failed), not answered or impossible (no pairing); no user was stored.',
  GATEWAY_ERR_BAD_COMMAND:
    'A payload on lw/v1/gw/{gw}/cmd is not a valid v1 command; answered with an error result when its tid is readable.',
  GATEWAY_ERR_UNKNOWN_DEVICE: 'A command names a device this gateway does not manage.',
  GATEWAY_ERR_NOT_CONNECTED: 'A command needs a connected device, and this one is not connected now.',
  GATEWAY_ERR_UNSUPPORTED:
    'The device or the central cannot do what a command asks (no matching profile, no writable Current Time).',
  GATEWAY_ERR_COMMAND_FAILED: 'A command failed for a reason that has no more specific code.',
  GATEWAY_ERR_STALE_BOND:
    'A device the gateway holds a bond with refused it (it forgot the bond); the bond is removed and pairing is tried once more.',
  GATEWAY_ERR_HISTORY_SYNC_FAILED:
    'A Record Access Control Point download failed (error response, no answer in time, link lost); the cursor stays put and the records come again on the next sync.',
  GATEWAY_ERR_CURSOR_IO:
    'The history cursor file could not be read or written; records after the last saved cursor may be imported again (never lost).',
  GATEWAY_ERR_STATE_IO:
    'The list of unpaired devices could not be read or written; the gateway does not start on an unreadable list, and a failed write leaves the device as it was.',
  GATEWAY_ERR_ADVERT_WATCH_FAILED:
    'Listening to advertisements could not start (the central cannot watch, or the stack refused discovery); advertisement-only devices give no readings until a retry succeeds.',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends CodedError<GatewayErrorCode> {}
