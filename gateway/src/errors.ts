import { CodedError } from '@linkwell/firmware-protocol';

/** Gateway error catalog; each code is documented in docs/errors.md. */
export const GATEWAY_ERRORS = {
  GATEWAY_ERR_BAD_FRAME:
    'A device sent a frame its profile block could not decode; it is reported, not relayed.',
  GATEWAY_ERR_CONNECT_FAILED:
    'Connecting to a device or reading its services failed; the gateway retries with backoff.',
  GATEWAY_ERR_PUBLISH_FAILED: 'Publishing an envelope failed; the readings stay queued and are sent again.',
  GATEWAY_ERR_CONFIG: 'The gateway configuration is invalid.',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends CodedError<GatewayErrorCode> {}
