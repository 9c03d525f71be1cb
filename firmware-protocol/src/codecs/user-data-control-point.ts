import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';

/**
 * User Control Point 0x2A9F (UDS v1.0 §3.4; List All Users / Delete User(s) come from the later UDS revision
 * that openScale and Spezi use). Requests are written by the client; 0x20 Response Code is indicated back.
 */
export const UCP_OP_NAMES = {
  1: 'register_new_user',
  2: 'consent',
  3: 'delete_user_data',
  4: 'list_all_users',
  5: 'delete_users',
  32: 'response_code',
} as const;

export const UCP_RESULT_NAMES = {
  1: 'success',
  2: 'op_code_not_supported',
  3: 'invalid_parameter',
  4: 'operation_failed',
  5: 'user_not_authorized',
} as const;

export type UcpResult = (typeof UCP_RESULT_NAMES)[keyof typeof UCP_RESULT_NAMES];
type UcpOpName = (typeof UCP_OP_NAMES)[keyof typeof UCP_OP_NAMES];

/** name → wire value, the inverse of the tables above. */
const wireValue = <N extends string>(table: Record<number, N>, name: N): number =>
  Number(Object.keys(table).find((k) => table[Number(k)] === name));

export type UserControlPoint =
  | { opCode: 'register_new_user'; consentCode: number }
  | { opCode: 'consent'; userIndex: number; consentCode: number }
  | { opCode: 'delete_user_data' }
  | { opCode: 'list_all_users' }
  /** userIndex 0xFF = every user. */
  | { opCode: 'delete_users'; userIndex: number }
  | {
      opCode: 'response_code';
      /** The request this answers; any byte (an unknown request is answered "op code not supported"). */
      requestOpCode: number;
      result: UcpResult;
      /** Success of Register New User (the new index) or Delete User(s) (the deleted index, 0xFF = all). */
      userIndex?: number;
      /** Success of List All Users. */
      numberOfUsers?: number;
    };

const OP = { register: 0x01, consent: 0x02, deleteData: 0x03, list: 0x04, deleteUsers: 0x05, response: 0x20 };
/** UDS v1.0 §3.4: the consent code is 0x0000-0x270F. */
const CONSENT_MAX = 9999;

function operandLength(r: ByteReader, expected: number, op: string): void {
  if (r.bytes.length !== 1 + expected) {
    throw new ProtocolError(
      'PROTO_ERR_BAD_OPERAND_LENGTH',
      `${op} takes ${expected} parameter byte(s), got ${r.bytes.length - 1}`,
      1,
    );
  }
}

function readConsent(r: ByteReader): number {
  const at = r.offset;
  const code = r.u16('consent code');
  requireRange(code, 0, CONSENT_MAX, 'consent code', at);
  return code;
}

/** Decodes a UCP request or response. Unknown op codes are PROTO_ERR_OUT_OF_RANGE at byte 0. */
export function decodeUserControlPoint(frame: Uint8Array): UserControlPoint {
  const r = new ByteReader(frame);
  const op = r.u8('op code');
  switch (op) {
    case OP.register:
      operandLength(r, 2, 'Register New User');
      return { opCode: 'register_new_user', consentCode: readConsent(r) };
    case OP.consent: {
      operandLength(r, 3, 'Consent');
      const userIndex = r.u8('user index');
      return { opCode: 'consent', userIndex, consentCode: readConsent(r) };
    }
    case OP.deleteData:
      operandLength(r, 0, 'Delete User Data');
      return { opCode: 'delete_user_data' };
    case OP.list:
      operandLength(r, 0, 'List All Users');
      return { opCode: 'list_all_users' };
    case OP.deleteUsers:
      operandLength(r, 1, 'Delete User(s)');
      return { opCode: 'delete_users', userIndex: r.u8('user index') };
    case OP.response:
      return decodeResponse(frame);
    default:
      throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `op code 0x${op.toString(16)} is reserved`, 0);
  }
}

function malformed(message: string, offset: number): never {
  throw new ProtocolError('PROTO_ERR_MALFORMED_RESPONSE', message, offset);
}

/** Which success responses carry a parameter byte and what it means (UDS UCP procedures; Spezi agrees). */
function successParameter(requestOpCode: number): 'userIndex' | 'numberOfUsers' | undefined {
  if (requestOpCode === OP.register || requestOpCode === OP.deleteUsers) return 'userIndex';
  return requestOpCode === OP.list ? 'numberOfUsers' : undefined;
}

function decodeResponse(frame: Uint8Array): UserControlPoint {
  if (frame.length < 3) malformed('a response needs a request op code and a response value', frame.length);
  const requestOpCode = frame[1]!;
  const result = UCP_RESULT_NAMES[frame[2] as keyof typeof UCP_RESULT_NAMES];
  if (!result) malformed(`response value ${frame[2]} is reserved`, 2);
  const param = result === 'success' ? successParameter(requestOpCode) : undefined;
  const expected = param ? 4 : 3;
  if (frame.length !== expected) {
    malformed(
      `a ${result} response to op 0x${requestOpCode.toString(16)} is ${expected} bytes, got ${frame.length}`,
      Math.min(frame.length, expected),
    );
  }
  const out: UserControlPoint = { opCode: 'response_code', requestOpCode, result };
  if (param) out[param] = frame[3]!;
  return out;
}

export function encodeUserControlPoint(m: UserControlPoint): Uint8Array {
  const w = new ByteWriter();
  switch (m.opCode) {
    case 'register_new_user':
      requireRange(m.consentCode, 0, CONSENT_MAX, 'consent code');
      return w.u8(OP.register).u16(m.consentCode).bytes();
    case 'consent':
      requireRange(m.userIndex, 0, 0xff, 'user index');
      requireRange(m.consentCode, 0, CONSENT_MAX, 'consent code');
      return w.u8(OP.consent).u8(m.userIndex).u16(m.consentCode).bytes();
    case 'delete_user_data':
      return w.u8(OP.deleteData).bytes();
    case 'list_all_users':
      return w.u8(OP.list).bytes();
    case 'delete_users':
      requireRange(m.userIndex, 0, 0xff, 'user index');
      return w.u8(OP.deleteUsers).u8(m.userIndex).bytes();
    case 'response_code':
      return encodeResponse(m);
  }
}

function encodeResponse(m: Extract<UserControlPoint, { opCode: 'response_code' }>): Uint8Array {
  requireRange(m.requestOpCode, 0, 0xff, 'request op code');
  const value = wireValue<UcpResult>(UCP_RESULT_NAMES, m.result);
  requireRange(value, 1, 5, `response value '${m.result}'`);
  const param = m.result === 'success' ? successParameter(m.requestOpCode) : undefined;
  // Exactly the parameter the request calls for: a missing or extra one would be a malformed response.
  for (const key of ['userIndex', 'numberOfUsers'] as const) {
    if ((m[key] !== undefined) !== (key === param)) {
      throw new ProtocolError(
        'PROTO_ERR_OUT_OF_RANGE',
        `${key} ${param === key ? 'is required' : 'is not allowed'} in a ${m.result} response to op 0x${m.requestOpCode.toString(16)}`,
      );
    }
  }
  const w = new ByteWriter().u8(OP.response).u8(m.requestOpCode).u8(value);
  if (param) {
    requireRange(m[param]!, 0, 0xff, param);
    w.u8(m[param]!);
  }
  return w.bytes();
}

export function viewUserControlPoint(m: UserControlPoint): Record<string, unknown> {
  const opCode = wireValue<UcpOpName>(UCP_OP_NAMES, m.opCode);
  const out: Record<string, unknown> = { valid: true, op_code: opCode, op_code_name: m.opCode };
  switch (m.opCode) {
    case 'register_new_user':
      out.consent_code = m.consentCode;
      break;
    case 'consent':
      out.user_index = m.userIndex;
      out.consent_code = m.consentCode;
      break;
    case 'delete_users':
      out.user_index = m.userIndex;
      if (m.userIndex === 0xff) out.all_users = true;
      break;
    case 'response_code':
      out.request_op_code = m.requestOpCode;
      out.response_value = wireValue<UcpResult>(UCP_RESULT_NAMES, m.result);
      out.response_value_name = m.result;
      if (m.userIndex !== undefined) out.user_index = m.userIndex;
      if (m.numberOfUsers !== undefined) out.number_of_users = m.numberOfUsers;
      break;
  }
  return out;
}
