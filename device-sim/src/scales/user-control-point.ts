import { codecFor } from '@linkwell/firmware-protocol';
import type { ScaleUsers } from './scale-users.js';

/**
 * firmware-protocol's index does not export the UCP codec functions or types, only the registry entry, so
 * the requests this scale understands are typed here and the codec is reached through `codecFor`.
 */
type UcpRequest =
  | { opCode: 'register_new_user'; consentCode: number }
  | { opCode: 'consent'; userIndex: number; consentCode: number }
  | { opCode: 'delete_user_data' };
type UcpResult =
  | 'success'
  | 'op_code_not_supported'
  | 'invalid_parameter'
  | 'operation_failed'
  | 'user_not_authorized';
const UCP = codecFor('2a9f');

/** What a UCP request did: the response to indicate and, when it changed, who has consent now. */
export interface UcpOutcome {
  response: Uint8Array;
  /** A user index after a successful Consent, null after Delete User Data, absent when unchanged. */
  consent?: number | null;
}

const REGISTER = 0x01;
const CONSENT = 0x02;
const DELETE_USER_DATA = 0x03;

const respond = (requestOpCode: number, result: UcpResult, userIndex?: number): Uint8Array =>
  UCP.encode({
    opCode: 'response_code',
    requestOpCode,
    result,
    ...(userIndex !== undefined ? { userIndex } : {}),
  });

/**
 * Runs one User Control Point request (UDS v1.0 §3.4). This scale implements the three v1.0 procedures;
 * anything else, including the later List All Users / Delete User(s) and a client writing a Response Code,
 * is answered "Op Code Not Supported". A known op code with a malformed operand (wrong length, consent code
 * above 9999) is "Invalid Parameter".
 */
export function runUserControlPoint(frame: Uint8Array, users: ScaleUsers, consented?: number): UcpOutcome {
  const op = frame[0] ?? 0;
  if (op !== REGISTER && op !== CONSENT && op !== DELETE_USER_DATA)
    return { response: respond(op, 'op_code_not_supported') };
  let req: UcpRequest;
  try {
    req = UCP.decode(frame) as UcpRequest;
  } catch {
    return { response: respond(op, 'invalid_parameter') };
  }
  switch (req.opCode) {
    case 'register_new_user': {
      // §3.4: a full user table is "Operation Failed"; the new user still has to give consent.
      const user = users.register(req.consentCode);
      return { response: user ? respond(op, 'success', user.index) : respond(op, 'operation_failed') };
    }
    case 'consent': {
      // An unknown index and a wrong code get the same answer, so codes cannot be probed slot by slot.
      const user = users.get(req.userIndex);
      if (!user || user.consent !== req.consentCode) return { response: respond(op, 'user_not_authorized') };
      return { response: respond(op, 'success'), consent: user.index };
    }
    case 'delete_user_data': {
      // Deletes the user who gave consent on this link, with everything the scale kept for them.
      if (consented === undefined || !users.get(consented))
        return { response: respond(op, 'user_not_authorized') };
      users.delete(consented);
      return { response: respond(op, 'success'), consent: null };
    }
  }
}
