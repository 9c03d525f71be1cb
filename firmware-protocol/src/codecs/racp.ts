import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';
import { decodeQuery, RACP_OPERATORS, writeQuery } from './racp-operand.js';
import { RACP_OP_CODES, RACP_RESPONSE_CODES, type RacpMessage } from './racp-types.js';
import { racpView } from './racp-view.js';
import { codec } from './types.js';

export {
  RACP_OPERATORS,
  type RacpFilterValue,
  type RacpOperatorName,
  type RacpQuery,
} from './racp-operand.js';
export {
  RACP_OP_CODES,
  RACP_RESPONSE_CODES,
  type RacpMessage,
  type RacpOpCodeName,
  type RacpQueryRequest,
  type RacpResponseCodeName,
} from './racp-types.js';

const OP_OFFSET = 0;
const OPERATOR_OFFSET = 1;
const OPERAND_OFFSET = 2;
const OPERATOR_NULL = 0;

/** Exactly `n` operand bytes or PROTO_ERR_BAD_OPERAND_LENGTH at the operand start. */
function requireOperand(operand: Uint8Array, n: number, what: string): ByteReader {
  if (operand.length !== n) {
    throw new ProtocolError(
      'PROTO_ERR_BAD_OPERAND_LENGTH',
      `${what} operand is ${n} byte(s), got ${operand.length}`,
      OPERAND_OFFSET,
    );
  }
  return new ByteReader(operand);
}

/**
 * Decodes Record Access Control Point 0x2A52: op code u8 · operator u8 · operand
 * (GSS "Record Access Control Point").
 */
export function decodeRacp(frame: Uint8Array): RacpMessage {
  const r = new ByteReader(frame);
  const op = r.u8('op code');
  const opCode = RACP_OP_CODES[op];
  if (!opCode) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `op code ${op} is reserved`, OP_OFFSET);
  const operatorByte = r.u8('operator');
  const operand = frame.subarray(OPERAND_OFFSET);

  if (
    opCode === 'number_of_stored_records_response' ||
    opCode === 'combined_report_response' ||
    opCode === 'response_code'
  ) {
    // GSS RACP Op Code table: every response uses operator Null (0x00).
    if (operatorByte !== OPERATOR_NULL) {
      throw new ProtocolError(
        'PROTO_ERR_MALFORMED_RESPONSE',
        `${opCode} must carry operator 0x00, got ${operatorByte}`,
        OPERATOR_OFFSET,
      );
    }
    if (opCode === 'number_of_stored_records_response') {
      // GLS/PLXS/BLS: Number of Records is uint16. Nordic also takes u8/u32; the spec does not.
      return { opCode, numberOfRecords: requireOperand(operand, 2, opCode).u16('number of records') };
    }
    if (opCode === 'combined_report_response') {
      // GSS (GHS revision): the Combined Report Response count is uint32.
      return { opCode, numberOfRecords: requireOperand(operand, 4, opCode).u32('number of records') };
    }
    const rr = requireOperand(operand, 2, opCode);
    const requestOpCode = rr.u8('request op code');
    const code = rr.u8('response code value');
    const responseCode = RACP_RESPONSE_CODES[code];
    if (!responseCode) {
      throw new ProtocolError(
        'PROTO_ERR_OUT_OF_RANGE',
        `response code ${code} is reserved`,
        OPERAND_OFFSET + 1,
      );
    }
    return { opCode, requestOpCode, responseCode };
  }

  const operator = RACP_OPERATORS[operatorByte];
  if (!operator) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `operator ${operatorByte} is reserved`,
      OPERATOR_OFFSET,
    );
  }
  if (opCode === 'abort_operation') {
    // GSS RACP: Abort uses operator Null and no operand.
    if (operator !== 'null') {
      throw new ProtocolError(
        'PROTO_ERR_OUT_OF_RANGE',
        `abort must use operator null, got ${operator}`,
        OPERATOR_OFFSET,
      );
    }
    requireOperand(operand, 0, opCode);
    return { opCode };
  }
  return { opCode, query: decodeQuery(operator, operand) };
}

/** Encodes any RACP message; responses get operator Null. */
export function encodeRacp(m: RacpMessage): Uint8Array {
  const w = new ByteWriter().u8(RACP_OP_CODES.indexOf(m.opCode));
  switch (m.opCode) {
    case 'abort_operation':
      return w.u8(OPERATOR_NULL).bytes();
    case 'number_of_stored_records_response':
      requireRange(m.numberOfRecords, 0, 0xffff, 'number of records');
      return w.u8(OPERATOR_NULL).u16(m.numberOfRecords).bytes();
    case 'combined_report_response':
      requireRange(m.numberOfRecords, 0, 0xffffffff, 'number of records');
      return w.u8(OPERATOR_NULL).u32(m.numberOfRecords).bytes();
    case 'response_code': {
      requireRange(m.requestOpCode, 0, 0xff, 'request op code');
      const code = RACP_RESPONSE_CODES.indexOf(m.responseCode);
      if (code < 1)
        throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `unknown response code ${m.responseCode}`);
      return w.u8(OPERATOR_NULL).u8(m.requestOpCode).u8(code).bytes();
    }
    default:
      writeQuery(w, m.query);
      return w.bytes();
  }
}

/** `01 01`: report all stored records (the gateway's history download). */
export function racpReportAll(): Uint8Array {
  return encodeRacp({ opCode: 'report_stored_records', query: { operator: 'all_records' } });
}

/** `01 03 01 nn nn`: report records with sequence number ≥ n (resume after the last one seen). */
export function racpReportGreaterOrEqualSequence(n: number): Uint8Array {
  return encodeRacp({
    opCode: 'report_stored_records',
    query: {
      operator: 'greater_than_or_equal_to',
      minimum: { filterType: 'sequence_number', sequenceNumber: n },
    },
  });
}

/** `04 01`: report the number of all stored records. */
export function racpReportNumberOfRecords(): Uint8Array {
  return encodeRacp({ opCode: 'report_number_of_stored_records', query: { operator: 'all_records' } });
}

/** `03 00`: abort the procedure in progress. */
export function racpAbort(): Uint8Array {
  return encodeRacp({ opCode: 'abort_operation' });
}

export const RACP_CODECS = [
  codec<RacpMessage>({
    uuid: '2a52',
    name: 'Record Access Control Point',
    transport: 'gatt',
    decode: decodeRacp,
    encode: encodeRacp,
    view: racpView,
  }),
];
