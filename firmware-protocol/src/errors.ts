import { CodedError } from './coded-error.js';

/**
 * Coded protocol errors. Callers branch on `code`, never on the message text.
 * Each code is documented in docs/errors.md (a catalog test keeps the two in sync).
 */
export const PROTO_ERRORS = {
  PROTO_ERR_TRUNCATED: 'The frame ends before a field that its flags or op code announce.',
  PROTO_ERR_WRONG_LENGTH: 'The frame is longer or shorter than its fixed layout allows.',
  PROTO_ERR_OUT_OF_RANGE: 'A field holds a value outside the range the specification allows.',
  PROTO_ERR_MALFORMED_RESPONSE: 'A control-point response does not have the shape its op code requires.',
  PROTO_ERR_BAD_OPERAND_LENGTH: 'A control-point operand has the wrong length for its operator or filter.',
  PROTO_ERR_MISSING_USER_INDEX: 'A multi-user frame lacks the user index it must carry.',
  PROTO_ERR_UNSUPPORTED: 'No codec is registered for this characteristic.',
  PROTO_ERR_INVALID_ENVELOPE: 'An MQTT payload does not match the wire contract schema.',
  PROTO_ERR_INVALID_JSON: 'An MQTT payload is not valid JSON.',
  PROTO_ERR_UNSUPPORTED_VERSION: 'An MQTT payload names a wire-format version this build does not speak.',
} as const;

export type ProtocolErrorCode = keyof typeof PROTO_ERRORS;

export class ProtocolError extends CodedError<ProtocolErrorCode> {
  constructor(
    code: ProtocolErrorCode,
    message: string,
    /** Byte offset in the frame where decoding failed, when the input is a frame. */
    readonly offset?: number,
    readonly details?: unknown,
  ) {
    super(code, offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
