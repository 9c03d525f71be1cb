import type { RacpQuery } from './racp-operand.js';

/**
 * RACP op codes (GSS "Record Access Control Point", Op Code table). 0x07/0x08 come from the newer GSS revision used
 * by GHS/BLS 1.1. 0x00 and 0x09-0xFF are RFU. Index = wire value.
 */
export const RACP_OP_CODES = [
  undefined,
  'report_stored_records',
  'delete_stored_records',
  'abort_operation',
  'report_number_of_stored_records',
  'number_of_stored_records_response',
  'response_code',
  'combined_report',
  'combined_report_response',
] as const;
export type RacpOpCodeName = NonNullable<(typeof RACP_OP_CODES)[number]>;

/** Response Code values (GSS RACP Response Code table). 0x00 and 0x0A-0xFF are RFU. Index = wire value. */
export const RACP_RESPONSE_CODES = [
  undefined,
  'success',
  'op_code_not_supported',
  'invalid_operator',
  'operator_not_supported',
  'invalid_operand',
  'no_records_found',
  'abort_unsuccessful',
  'procedure_not_completed',
  'operand_not_supported',
] as const;
export type RacpResponseCodeName = NonNullable<(typeof RACP_RESPONSE_CODES)[number]>;

/** Client → server requests that select records. */
export type RacpQueryRequest = {
  opCode:
    | 'report_stored_records'
    | 'delete_stored_records'
    | 'report_number_of_stored_records'
    | 'combined_report';
  query: RacpQuery;
};

/** One RACP value, either direction. Responses (op codes 5, 6, 8) always carry operator Null on the wire. */
export type RacpMessage =
  | RacpQueryRequest
  | { opCode: 'abort_operation' }
  | { opCode: 'number_of_stored_records_response'; numberOfRecords: number }
  | { opCode: 'combined_report_response'; numberOfRecords: number }
  | {
      opCode: 'response_code';
      /** Echo of the request's op code; any byte, since "op code not supported" answers unknown ones. */
      requestOpCode: number;
      responseCode: RacpResponseCodeName;
    };
