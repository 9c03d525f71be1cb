import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, dateTimeArb, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  decodeRacp,
  encodeRacp,
  RACP_CODECS,
  RACP_RESPONSE_CODES,
  type RacpFilterValue,
  type RacpMessage,
  type RacpQuery,
  racpAbort,
  racpReportAll,
  racpReportGreaterOrEqualSequence,
  racpReportNumberOfRecords,
} from './racp.js';

const view = RACP_CODECS[0]!.view;

describe('RACP 0x2A52 responses', () => {
  it('decodes 06 00 01 03 as response code "invalid operator" to request op 1', () => {
    const frame = hex(
      '06' + // op code 6: response code
        '00' + // operator: null (mandatory for responses)
        '01' + // request op code: report stored records
        '03', // response code value 3: invalid operator
    );
    expect(decodeRacp(frame)).toEqual({
      opCode: 'response_code',
      requestOpCode: 1,
      responseCode: 'invalid_operator',
    });
    expect(view(decodeRacp(frame))).toEqual({
      valid: true,
      op_code: 6,
      op_code_name: 'response_code',
      operator: 0,
      operator_name: 'null',
      request_op_code: 1,
      response_code: 3,
      response_code_name: 'invalid_operator',
    });
  });

  it('decodes 06 00 0c 02 (op code not supported for an RFU request op 12) as valid', () => {
    const frame = hex(
      '06' + // response code
        '00' + // null operator
        '0c' + // request op code 12: RFU, which is exactly why the server refused it
        '02', // response code 2: op code not supported
    );
    expect(decodeRacp(frame)).toEqual({
      opCode: 'response_code',
      requestOpCode: 12,
      responseCode: 'op_code_not_supported',
    });
  });

  it('decodes 05 00 02 01 as 258 stored records', () => {
    const frame = hex(
      '05' + // op code 5: number of stored records response
        '00' + // null operator
        '0201', // number of records uint16 = 0x0102 = 258
    );
    expect(decodeRacp(frame)).toEqual({ opCode: 'number_of_stored_records_response', numberOfRecords: 258 });
    expect(view(decodeRacp(frame))).toEqual({
      valid: true,
      op_code: 5,
      op_code_name: 'number_of_stored_records_response',
      operator: 0,
      operator_name: 'null',
      number_of_records: 258,
    });
  });

  it('decodes 08 00 04 03 02 01 as a combined report response of 16909060 records', () => {
    const frame = hex(
      '08' + // op code 8: combined report response
        '00' + // null operator
        '04030201', // number of records uint32 = 0x01020304
    );
    expect(decodeRacp(frame)).toEqual({ opCode: 'combined_report_response', numberOfRecords: 16909060 });
  });

  it('rejects 06 01 01 (response with operator 0x01) as PROTO_ERR_MALFORMED_RESPONSE at byte 1', () => {
    expect(codeOf(() => decodeRacp(hex('060101')))).toEqual({
      code: 'PROTO_ERR_MALFORMED_RESPONSE',
      offset: 1,
    });
  });

  it('rejects 05 07 (count response with RFU operator 7) as PROTO_ERR_MALFORMED_RESPONSE at byte 1', () => {
    expect(codeOf(() => decodeRacp(hex('05070100')))).toEqual({
      code: 'PROTO_ERR_MALFORMED_RESPONSE',
      offset: 1,
    });
  });

  it('rejects a 3-byte count 05 00 03 02 01 as PROTO_ERR_BAD_OPERAND_LENGTH at byte 2', () => {
    expect(codeOf(() => decodeRacp(hex('0500030201')))).toEqual({
      code: 'PROTO_ERR_BAD_OPERAND_LENGTH',
      offset: 2,
    });
  });

  it('rejects Nordic-style uint8 and uint32 counts (05 00 01, 05 00 04030201) as PROTO_ERR_BAD_OPERAND_LENGTH', () => {
    expect(codeOf(() => decodeRacp(hex('050001')))).toEqual({
      code: 'PROTO_ERR_BAD_OPERAND_LENGTH',
      offset: 2,
    });
    expect(codeOf(() => decodeRacp(hex('05000403020100')))).toEqual({
      code: 'PROTO_ERR_BAD_OPERAND_LENGTH',
      offset: 2,
    });
  });

  it('rejects a response code with one operand byte (06 00 01) as PROTO_ERR_BAD_OPERAND_LENGTH at byte 2', () => {
    expect(codeOf(() => decodeRacp(hex('060001')))).toEqual({
      code: 'PROTO_ERR_BAD_OPERAND_LENGTH',
      offset: 2,
    });
  });

  it('rejects RFU response code 0x0a (06 00 01 0a) as PROTO_ERR_OUT_OF_RANGE at byte 3', () => {
    expect(codeOf(() => decodeRacp(hex('0600010a')))).toEqual({ code: 'PROTO_ERR_OUT_OF_RANGE', offset: 3 });
  });

  it('names all nine response codes 1-9', () => {
    const names = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(
      (c) => view(decodeRacp(Uint8Array.of(6, 0, 1, c))).response_code_name,
    );
    expect(names).toEqual(RACP_RESPONSE_CODES.slice(1));
  });
});

describe('RACP 0x2A52 requests', () => {
  it('decodes 01 01 as report stored records / all records', () => {
    const frame = hex(
      '01' + // op code 1: report stored records
        '01', // operator 1: all records, no operand
    );
    expect(view(decodeRacp(frame))).toEqual({
      valid: true,
      op_code: 1,
      op_code_name: 'report_stored_records',
      operator: 1,
      operator_name: 'all_records',
    });
  });

  it('decodes 03 00 as abort operation', () => {
    expect(view(decodeRacp(hex('03' + '00')))).toEqual({
      valid: true,
      op_code: 3,
      op_code_name: 'abort_operation',
      operator: 0,
      operator_name: 'null',
    });
  });

  it('decodes 01 03 01 02 00 as report records with sequence number >= 2', () => {
    const frame = hex(
      '01' + // report stored records
        '03' + // operator: greater than or equal to
        '01' + // filter type 1: sequence number
        '0200', // minimum sequence number uint16 = 2
    );
    expect(decodeRacp(frame)).toEqual({
      opCode: 'report_stored_records',
      query: {
        operator: 'greater_than_or_equal_to',
        minimum: { filterType: 'sequence_number', sequenceNumber: 2 },
      },
    });
    expect(view(decodeRacp(frame))).toEqual({
      valid: true,
      op_code: 1,
      op_code_name: 'report_stored_records',
      operator: 3,
      operator_name: 'greater_than_or_equal_to',
      filter_type: 1,
      filter_type_name: 'sequence_number',
      minimum_sequence_number: 2,
    });
  });

  it('decodes 04 04 01 0a00 1400 as count records with sequence number in 10..20', () => {
    const frame = hex(
      '04' + // report number of stored records
        '04' + // operator: within range of (inclusive)
        '01' + // filter type: sequence number
        '0a00' + // minimum = 10
        '1400', // maximum = 20
    );
    expect(view(decodeRacp(frame))).toEqual({
      valid: true,
      op_code: 4,
      op_code_name: 'report_number_of_stored_records',
      operator: 4,
      operator_name: 'within_range_of',
      filter_type: 1,
      filter_type_name: 'sequence_number',
      minimum_sequence_number: 10,
      maximum_sequence_number: 20,
    });
  });

  it('decodes 02 02 02 <date time> as delete records up to 2024-03-01 12:00:00 user-facing time', () => {
    const frame = hex(
      '02' + // delete stored records
        '02' + // operator: less than or equal to
        '02' + // filter type 2: user facing time
        'e807' + // year 2024
        '03' + // month 3
        '01' + // day 1
        '0c0000', // 12:00:00
    );
    expect(decodeRacp(frame)).toEqual({
      opCode: 'delete_stored_records',
      query: {
        operator: 'less_than_or_equal_to',
        maximum: {
          filterType: 'user_facing_time',
          userFacingTime: { year: 2024, month: 3, day: 1, hours: 12, minutes: 0, seconds: 0 },
        },
      },
    });
  });

  it('keeps an Omron-style service-specific filter type 0x04 as raw bytes split in two bounds', () => {
    const frame = hex(
      '07' + // combined report
        '04' + // within range of
        '04' + // filter type 4: service-specific (Omron)
        'aabb' + // minimum, raw
        'ccdd', // maximum, raw
    );
    expect(view(decodeRacp(frame))).toEqual({
      valid: true,
      op_code: 7,
      op_code_name: 'combined_report',
      operator: 4,
      operator_name: 'within_range_of',
      filter_type: 4,
      filter_type_name: 'service_specific',
      minimum_raw_hex: 'aabb',
      maximum_raw_hex: 'ccdd',
    });
  });

  it('decodes first and last record requests (01 05, 01 06) without operand', () => {
    expect(decodeRacp(hex('0105'))).toEqual({
      opCode: 'report_stored_records',
      query: { operator: 'first_record' },
    });
    expect(decodeRacp(hex('0106'))).toEqual({
      opCode: 'report_stored_records',
      query: { operator: 'last_record' },
    });
  });
});

describe('RACP 0x2A52 malformed frames', () => {
  const cases: [string, string, string, number][] = [
    ['empty frame', '', 'PROTO_ERR_TRUNCATED', 0],
    ['op code without operator', '01', 'PROTO_ERR_TRUNCATED', 1],
    ['RFU op code 0x00', '0001', 'PROTO_ERR_OUT_OF_RANGE', 0],
    ['RFU op code 0x09', '0900', 'PROTO_ERR_OUT_OF_RANGE', 0],
    ['Omron vendor op code 0x11', '1101', 'PROTO_ERR_OUT_OF_RANGE', 0],
    ['RFU operator 0x07', '0107', 'PROTO_ERR_OUT_OF_RANGE', 1],
    ['null operator on a report request', '0100', 'PROTO_ERR_OUT_OF_RANGE', 1],
    ['abort with operator all records', '0301', 'PROTO_ERR_OUT_OF_RANGE', 1],
    ['abort with an operand byte', '030000', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['all records with an operand byte', '010101', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['>= without filter type', '0103', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['>= sequence number with 1 value byte', '01030102', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['>= sequence number with 3 value bytes', '0103010203ff', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['within range with only one sequence number', '0104010a00', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['<= user-facing time of 6 bytes', '010202e80703010c00', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['service-specific >= filter without value', '010304', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['service-specific within-range of 3 bytes', '010404aabbcc', 'PROTO_ERR_BAD_OPERAND_LENGTH', 2],
    ['user-facing time with month 13', '010302e8070d010c0000', 'PROTO_ERR_OUT_OF_RANGE', 3],
    [
      'within-range user-facing time whose maximum has hour 24',
      '010402' + 'e80701010c0000' + 'e8070101180000',
      'PROTO_ERR_OUT_OF_RANGE',
      10,
    ],
  ];
  for (const [what, frame, code, offset] of cases) {
    it(`rejects ${what} (${frame || 'empty'}) as ${code} at byte ${offset}`, () => {
      expect(codeOf(() => decodeRacp(hex(frame)))).toEqual({ code, offset });
    });
  }
});

describe('RACP 0x2A52 encoding and builders', () => {
  it('builds 01 01 for report all', () => {
    expect(toHex(racpReportAll())).toBe('0101');
  });

  it('builds 01 03 01 02 01 for sequence number >= 258', () => {
    expect(toHex(racpReportGreaterOrEqualSequence(258))).toBe('0103010201');
  });

  it('builds 04 01 for report number of all records', () => {
    expect(toHex(racpReportNumberOfRecords())).toBe('0401');
  });

  it('builds 03 00 for abort', () => {
    expect(toHex(racpAbort())).toBe('0300');
  });

  it('refuses sequence number 65536 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => racpReportGreaterOrEqualSequence(65536)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses a within-range query mixing sequence number and user-facing time', () => {
    const q: RacpQuery = {
      operator: 'within_range_of',
      minimum: { filterType: 'sequence_number', sequenceNumber: 1 },
      maximum: {
        filterType: 'user_facing_time',
        userFacingTime: { year: 2024, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 },
      },
    };
    expect(codeOf(() => encodeRacp({ opCode: 'report_stored_records', query: q })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('refuses a raw filter that claims the fixed filter type 0x01', () => {
    const q: RacpQuery = {
      operator: 'greater_than_or_equal_to',
      minimum: { filterType: 'service_specific', filterTypeCode: 1, raw: Uint8Array.of(1, 0) },
    };
    expect(codeOf(() => encodeRacp({ opCode: 'report_stored_records', query: q })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('refuses a count response of 65536 records with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(
      codeOf(() => encodeRacp({ opCode: 'number_of_stored_records_response', numberOfRecords: 65536 })).code,
    ).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('encodes a success response to op 1 as 06 00 01 01', () => {
    expect(toHex(encodeRacp({ opCode: 'response_code', requestOpCode: 1, responseCode: 'success' }))).toBe(
      '06000101',
    );
  });
});

/** Filter values of one type; raw ones share a length so a within-range pair stays encodable. */
function filterArb(kind: number, rawLength: number): fc.Arbitrary<RacpFilterValue> {
  if (kind === 1)
    return fc
      .integer({ min: 0, max: 0xffff })
      .map((n) => ({ filterType: 'sequence_number', sequenceNumber: n }));
  if (kind === 2) return dateTimeArb.map((d) => ({ filterType: 'user_facing_time', userFacingTime: d }));
  return fc
    .uint8Array({ minLength: rawLength, maxLength: rawLength })
    .map((raw) => ({ filterType: 'service_specific', filterTypeCode: kind, raw }));
}

const queryArb: fc.Arbitrary<RacpQuery> = fc
  .tuple(
    fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 3, max: 255 }), fc.constant(0)),
    fc.integer({ min: 1, max: 8 }),
  )
  .chain(([kind, len]) =>
    fc.oneof(
      fc.constantFrom<RacpQuery>(
        { operator: 'all_records' },
        { operator: 'first_record' },
        { operator: 'last_record' },
      ),
      filterArb(kind, len).map((maximum): RacpQuery => ({ operator: 'less_than_or_equal_to', maximum })),
      filterArb(kind, len).map((minimum): RacpQuery => ({ operator: 'greater_than_or_equal_to', minimum })),
      fc
        .tuple(filterArb(kind, len), filterArb(kind, len))
        .map(([minimum, maximum]): RacpQuery => ({ operator: 'within_range_of', minimum, maximum })),
    ),
  );

const messageArb: fc.Arbitrary<RacpMessage> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'report_stored_records',
        'delete_stored_records',
        'report_number_of_stored_records',
        'combined_report',
      ) as fc.Arbitrary<'report_stored_records'>,
      queryArb,
    )
    .map(([opCode, query]): RacpMessage => ({ opCode, query })),
  fc.constant<RacpMessage>({ opCode: 'abort_operation' }),
  fc
    .integer({ min: 0, max: 0xffff })
    .map((n): RacpMessage => ({ opCode: 'number_of_stored_records_response', numberOfRecords: n })),
  fc
    .integer({ min: 0, max: 0xffffffff })
    .map((n): RacpMessage => ({ opCode: 'combined_report_response', numberOfRecords: n })),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...RACP_RESPONSE_CODES.slice(1))).map(
    ([requestOpCode, responseCode]): RacpMessage => ({
      opCode: 'response_code',
      requestOpCode,
      responseCode: responseCode!,
    }),
  ),
);

describe('RACP 0x2A52 round trip', () => {
  it('decode(encode(x)) deep-equals x and re-encodes byte-exactly for any valid message', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const bytes = encodeRacp(m);
        expect(decodeRacp(bytes)).toEqual(m);
        expect(toHex(encodeRacp(decodeRacp(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
