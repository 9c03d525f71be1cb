import { toHex } from '../hex.js';
import {
  FILTER_SEQUENCE_NUMBER,
  FILTER_USER_FACING_TIME,
  RACP_OPERATORS,
  type RacpFilterValue,
} from './racp-operand.js';
import { RACP_OP_CODES, RACP_RESPONSE_CODES, type RacpMessage } from './racp-types.js';

/** Filter fields of one bound, keyed `minimum_*` / `maximum_*` (public-vector snake_case convention). */
function boundView(bound: 'minimum' | 'maximum', v: RacpFilterValue): Record<string, unknown> {
  if (v.filterType === 'sequence_number') return { [`${bound}_sequence_number`]: v.sequenceNumber };
  if (v.filterType === 'user_facing_time') return { [`${bound}_user_facing_time`]: { ...v.userFacingTime } };
  return { [`${bound}_raw_hex`]: toHex(v.raw) };
}

function filterTypeView(v: RacpFilterValue): Record<string, unknown> {
  if (v.filterType === 'sequence_number') {
    return { filter_type: FILTER_SEQUENCE_NUMBER, filter_type_name: 'sequence_number' };
  }
  if (v.filterType === 'user_facing_time') {
    return { filter_type: FILTER_USER_FACING_TIME, filter_type_name: 'user_facing_time' };
  }
  return { filter_type: v.filterTypeCode, filter_type_name: 'service_specific' };
}

/** Renders a RACP message as in the public vectors: numeric code plus its `_name`, then the operand fields. */
export function racpView(m: RacpMessage): Record<string, unknown> {
  const head = { valid: true, op_code: RACP_OP_CODES.indexOf(m.opCode), op_code_name: m.opCode };
  const nullOperator = { operator: 0, operator_name: 'null' };
  switch (m.opCode) {
    case 'abort_operation':
      return { ...head, ...nullOperator };
    case 'number_of_stored_records_response':
    case 'combined_report_response':
      return { ...head, ...nullOperator, number_of_records: m.numberOfRecords };
    case 'response_code':
      return {
        ...head,
        ...nullOperator,
        request_op_code: m.requestOpCode,
        response_code: RACP_RESPONSE_CODES.indexOf(m.responseCode),
        response_code_name: m.responseCode,
      };
    default: {
      const q = m.query;
      const out = { ...head, operator: RACP_OPERATORS.indexOf(q.operator), operator_name: q.operator };
      if (q.operator === 'less_than_or_equal_to') {
        return { ...out, ...filterTypeView(q.maximum), ...boundView('maximum', q.maximum) };
      }
      if (q.operator === 'greater_than_or_equal_to') {
        return { ...out, ...filterTypeView(q.minimum), ...boundView('minimum', q.minimum) };
      }
      if (q.operator === 'within_range_of') {
        return {
          ...out,
          ...filterTypeView(q.minimum),
          ...boundView('minimum', q.minimum),
          ...boundView('maximum', q.maximum),
        };
      }
      return out;
    }
  }
}
