import { ByteReader, type ByteWriter, requireRange } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';

/**
 * RACP operators (GSS "Record Access Control Point", Operator table). 0x07-0xFF are RFU.
 * Index in this array = wire value.
 */
export const RACP_OPERATORS = [
  'null',
  'all_records',
  'less_than_or_equal_to',
  'greater_than_or_equal_to',
  'within_range_of',
  'first_record',
  'last_record',
] as const;
export type RacpOperatorName = (typeof RACP_OPERATORS)[number];

/** Filter Type 0x01 (GSS RACP Operand table): Sequence Number, uint16. */
export const FILTER_SEQUENCE_NUMBER = 0x01;
/** Filter Type 0x02: User Facing Time, the 7-byte Date Time struct (GLS calls it Base Time). */
export const FILTER_USER_FACING_TIME = 0x02;

/** One filter bound. Filter types other than 0x01/0x02 are defined by the service (Omron uses 0x04); kept raw. */
export type RacpFilterValue =
  | { filterType: 'sequence_number'; sequenceNumber: number }
  | { filterType: 'user_facing_time'; userFacingTime: DateTime }
  | { filterType: 'service_specific'; filterTypeCode: number; raw: Uint8Array };

/**
 * Which records a request selects. The operator decides how many filter values follow
 * (GSS RACP: ≤ carries the maximum, ≥ the minimum, within-range both, all/first/last none).
 */
export type RacpQuery =
  | { operator: 'all_records' | 'first_record' | 'last_record' }
  | { operator: 'less_than_or_equal_to'; maximum: RacpFilterValue }
  | { operator: 'greater_than_or_equal_to'; minimum: RacpFilterValue }
  | { operator: 'within_range_of'; minimum: RacpFilterValue; maximum: RacpFilterValue };

const OPERAND_OFFSET = 2;

function badOperand(message: string): ProtocolError {
  return new ProtocolError('PROTO_ERR_BAD_OPERAND_LENGTH', message, OPERAND_OFFSET);
}

/** Width of one filter value for the known filter types; undefined = service-specific, width unknown. */
function valueWidth(filterTypeCode: number): number | undefined {
  if (filterTypeCode === FILTER_SEQUENCE_NUMBER) return 2;
  if (filterTypeCode === FILTER_USER_FACING_TIME) return 7;
  return undefined;
}

/** Reads one value whose width was already checked; `at` is its offset in the frame, for error reports. */
function readValue(value: Uint8Array, filterTypeCode: number, at: number): RacpFilterValue {
  const r = new ByteReader(value);
  if (filterTypeCode === FILTER_SEQUENCE_NUMBER) {
    return { filterType: 'sequence_number', sequenceNumber: r.u16('sequence number') };
  }
  if (filterTypeCode === FILTER_USER_FACING_TIME) {
    try {
      return { filterType: 'user_facing_time', userFacingTime: readDateTime(r) };
    } catch (e) {
      // readDateTime reports offsets within the value; shift them to frame offsets.
      if (e instanceof ProtocolError) throw new ProtocolError(e.code, e.message, at + (e.offset ?? 0));
      throw e;
    }
  }
  return { filterType: 'service_specific', filterTypeCode, raw: Uint8Array.from(value) };
}

/**
 * Decodes the operand that follows op code + operator in a request (op codes 1, 2, 4, 7). `operand` starts at
 * byte 2 of the frame. Any operand whose length does not fit the operator and filter type is
 * PROTO_ERR_BAD_OPERAND_LENGTH at byte 2.
 */
export function decodeQuery(operator: RacpOperatorName, operand: Uint8Array): RacpQuery {
  if (operator === 'all_records' || operator === 'first_record' || operator === 'last_record') {
    // GSS RACP: these operators take no operand.
    if (operand.length !== 0)
      throw badOperand(`operator ${operator} takes no operand, got ${operand.length} byte(s)`);
    return { operator };
  }
  if (operator === 'null') {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      'operator null is only valid for abort and responses',
      1,
    );
  }
  if (operand.length === 0) throw badOperand(`operator ${operator} needs a filter type and value(s)`);
  const filterTypeCode = operand[0]!;
  const values = operand.subarray(1);
  const count = operator === 'within_range_of' ? 2 : 1;
  const width = valueWidth(filterTypeCode) ?? (values.length % count === 0 ? values.length / count : -1);
  if (width <= 0 || values.length !== width * count) {
    throw badOperand(
      `operator ${operator} with filter type ${filterTypeCode} needs ${count} value(s), got ${values.length} byte(s)`,
    );
  }
  const valuesAt = OPERAND_OFFSET + 1;
  const first = readValue(values.subarray(0, width), filterTypeCode, valuesAt);
  if (operator === 'less_than_or_equal_to') return { operator, maximum: first };
  if (operator === 'greater_than_or_equal_to') return { operator, minimum: first };
  return {
    operator,
    minimum: first,
    maximum: readValue(values.subarray(width), filterTypeCode, valuesAt + width),
  };
}

function filterTypeCode(v: RacpFilterValue): number {
  if (v.filterType === 'sequence_number') return FILTER_SEQUENCE_NUMBER;
  if (v.filterType === 'user_facing_time') return FILTER_USER_FACING_TIME;
  return v.filterTypeCode;
}

function writeValue(w: ByteWriter, v: RacpFilterValue): void {
  if (v.filterType === 'sequence_number') {
    requireRange(v.sequenceNumber, 0, 0xffff, 'sequence number');
    w.u16(v.sequenceNumber);
  } else if (v.filterType === 'user_facing_time') {
    writeDateTime(w, v.userFacingTime);
  } else {
    requireRange(v.filterTypeCode, 0, 0xff, 'filter type');
    // 0x01/0x02 have fixed layouts; sending them raw would bypass their length rule.
    if (valueWidth(v.filterTypeCode) !== undefined) {
      throw new ProtocolError(
        'PROTO_ERR_OUT_OF_RANGE',
        `filter type ${v.filterTypeCode} is not service-specific`,
      );
    }
    if (v.raw.length === 0)
      throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', 'a filter value needs at least 1 byte');
    w.raw(v.raw);
  }
}

/** Writes operator + operand for a request; refuses combinations the decoder would reject. */
export function writeQuery(w: ByteWriter, q: RacpQuery): void {
  switch (q.operator) {
    case 'all_records':
    case 'first_record':
    case 'last_record':
      w.u8(RACP_OPERATORS.indexOf(q.operator));
      return;
    case 'less_than_or_equal_to':
      w.u8(RACP_OPERATORS.indexOf(q.operator)).u8(filterTypeCode(q.maximum));
      writeValue(w, q.maximum);
      return;
    case 'greater_than_or_equal_to':
      w.u8(RACP_OPERATORS.indexOf(q.operator)).u8(filterTypeCode(q.minimum));
      writeValue(w, q.minimum);
      return;
    case 'within_range_of': {
      const type = filterTypeCode(q.minimum);
      // Both bounds share the single filter-type byte, so they must be of the same type and width.
      if (type !== filterTypeCode(q.maximum)) {
        throw new ProtocolError(
          'PROTO_ERR_OUT_OF_RANGE',
          'within-range bounds must use the same filter type',
        );
      }
      if (
        q.minimum.filterType === 'service_specific' &&
        q.maximum.filterType === 'service_specific' &&
        q.minimum.raw.length !== q.maximum.raw.length
      ) {
        throw new ProtocolError(
          'PROTO_ERR_OUT_OF_RANGE',
          'within-range raw bounds must have the same length',
        );
      }
      w.u8(RACP_OPERATORS.indexOf(q.operator)).u8(type);
      writeValue(w, q.minimum);
      writeValue(w, q.maximum);
      return;
    }
    default:
      // Unreachable for typed callers; 'null' and unknown operators arriving from untyped JSON land here.
      throw new ProtocolError(
        'PROTO_ERR_OUT_OF_RANGE',
        `operator ${String((q as { operator: unknown }).operator)} is not a record query`,
      );
  }
}
