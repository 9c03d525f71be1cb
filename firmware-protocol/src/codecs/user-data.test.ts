import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  decodeDatabaseChangeIncrement,
  decodeDateOfBirth,
  decodeGender,
  decodeHeightCm,
  decodeUserIndex,
  decodeWeightKg,
  encodeDateOfBirth,
  encodeGender,
  encodeWeightKg,
  USER_DATA_CODECS,
} from './user-data.js';
import {
  decodeUserControlPoint,
  encodeUserControlPoint,
  type UserControlPoint,
} from './user-data-control-point.js';
import { decodeUtf8Name, encodeUtf8Name, invalidUtf8Offset } from './user-data-text.js';

const view = (uuid: string, frame: Uint8Array) => {
  const c = USER_DATA_CODECS.find((x) => x.uuid === uuid)!;
  return c.view(c.decode(frame));
};

describe('User Control Point 0x2A9F', () => {
  it('decodes Register New User with consent 1234', () => {
    expect(decodeUserControlPoint(hex('01' + 'd204'))).toEqual({
      opCode: 'register_new_user',
      consentCode: 1234,
    }); // op 1, 0x04D2
  });

  it('renders a successful Register New User response carrying new index 3', () => {
    const frame = hex(
      '20' + // Response Code
        '01' + // request: Register New User
        '01' + // success
        '03', // new user index 3
    );
    expect(view('2a9f', frame)).toEqual({
      valid: true,
      op_code: 32,
      op_code_name: 'response_code',
      request_op_code: 1,
      response_value: 1,
      response_value_name: 'success',
      user_index: 3,
    });
  });

  it('decodes a List All Users success with 4 users', () => {
    expect(decodeUserControlPoint(hex('20 04 01 04'))).toEqual({
      opCode: 'response_code',
      requestOpCode: 4,
      result: 'success',
      numberOfUsers: 4,
    });
  });

  it('renders Delete User(s) 0xFF as all users', () => {
    expect(view('2a9f', hex('05 ff'))).toEqual({
      valid: true,
      op_code: 5,
      op_code_name: 'delete_users',
      user_index: 255,
      all_users: true,
    });
  });

  it('decodes "op code not supported" for unknown request 0x10 without a parameter', () => {
    expect(decodeUserControlPoint(hex('20 10 02'))).toEqual({
      opCode: 'response_code',
      requestOpCode: 0x10,
      result: 'op_code_not_supported',
    });
  });

  it('rejects a Register success without the user index as PROTO_ERR_MALFORMED_RESPONSE at byte 3', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('20 01 01')))).toEqual({
      code: 'PROTO_ERR_MALFORMED_RESPONSE',
      offset: 3,
    });
  });

  it('rejects a Consent success with an extra byte as PROTO_ERR_MALFORMED_RESPONSE at byte 3', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('20 02 01 01')))).toEqual({
      code: 'PROTO_ERR_MALFORMED_RESPONSE',
      offset: 3,
    });
  });

  it('rejects a response without a response value as PROTO_ERR_MALFORMED_RESPONSE at byte 2', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('20 02')))).toEqual({
      code: 'PROTO_ERR_MALFORMED_RESPONSE',
      offset: 2,
    });
  });

  it('rejects reserved response value 6 as PROTO_ERR_MALFORMED_RESPONSE at byte 2', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('20 02 06')))).toEqual({
      code: 'PROTO_ERR_MALFORMED_RESPONSE',
      offset: 2,
    });
  });

  it('rejects Consent with a 1-byte consent code as PROTO_ERR_BAD_OPERAND_LENGTH at byte 1', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('02 01 a8')))).toEqual({
      code: 'PROTO_ERR_BAD_OPERAND_LENGTH',
      offset: 1,
    });
  });

  it('rejects Delete User Data with a parameter as PROTO_ERR_BAD_OPERAND_LENGTH at byte 1', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('03 00')))).toEqual({
      code: 'PROTO_ERR_BAD_OPERAND_LENGTH',
      offset: 1,
    });
  });

  it('rejects consent code 10000 as PROTO_ERR_OUT_OF_RANGE at byte 2', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('02 01 1027')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 2,
    });
  });

  it('rejects reserved op code 0x06 as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeUserControlPoint(hex('06')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects an empty write as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodeUserControlPoint(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('encodes Consent(1, 3752) as 02 01 a80e', () => {
    expect(toHex(encodeUserControlPoint({ opCode: 'consent', userIndex: 1, consentCode: 3752 }))).toBe(
      '0201a80e',
    );
  });

  it('refuses to encode consent code 10000 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(
      codeOf(() => encodeUserControlPoint({ opCode: 'register_new_user', consentCode: 10000 })).code,
    ).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses a Register success response without userIndex with PROTO_ERR_OUT_OF_RANGE', () => {
    const m: UserControlPoint = { opCode: 'response_code', requestOpCode: 1, result: 'success' };
    expect(codeOf(() => encodeUserControlPoint(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips every valid request and response', () => {
    const index = fc.integer({ min: 0, max: 0xff });
    const consent = fc.integer({ min: 0, max: 9999 });
    const result = fc.constantFrom(
      'success' as const,
      'op_code_not_supported' as const,
      'invalid_parameter' as const,
      'operation_failed' as const,
      'user_not_authorized' as const,
    );
    const response = fc.tuple(index, result, index).map(([requestOpCode, r, p]): UserControlPoint => {
      const base = { opCode: 'response_code' as const, requestOpCode, result: r };
      if (r !== 'success') return base;
      if (requestOpCode === 1 || requestOpCode === 5) return { ...base, userIndex: p };
      return requestOpCode === 4 ? { ...base, numberOfUsers: p } : base;
    });
    const arb: fc.Arbitrary<UserControlPoint> = fc.oneof(
      consent.map((consentCode) => ({ opCode: 'register_new_user' as const, consentCode })),
      fc
        .tuple(index, consent)
        .map(([userIndex, consentCode]) => ({ opCode: 'consent' as const, userIndex, consentCode })),
      fc.constant({ opCode: 'delete_user_data' as const }),
      fc.constant({ opCode: 'list_all_users' as const }),
      index.map((userIndex) => ({ opCode: 'delete_users' as const, userIndex })),
      response,
    );
    fc.assert(
      fc.property(arb, (m) => {
        expect(decodeUserControlPoint(encodeUserControlPoint(m))).toEqual(m);
      }),
    );
  });
});

describe('UDS data characteristics', () => {
  it('renders User Index 0xFF as unknown', () => {
    expect(view('2a9a', hex('ff'))).toEqual({ valid: true, user_index: 255, user_index_unknown: true });
  });

  it('decodes Database Change Increment 0x01020304 little-endian', () => {
    expect(decodeDatabaseChangeIncrement(hex('04030201'))).toBe(0x01020304);
  });

  it('decodes Date of Birth bf07 08 08 as 1983-08-08', () => {
    expect(decodeDateOfBirth(hex('bf07' + '08' + '08'))).toEqual({ year: 1983, month: 8, day: 8 }); // year, month, day
  });

  it('rejects Date of Birth day 32 as PROTO_ERR_OUT_OF_RANGE at byte 3', () => {
    expect(codeOf(() => decodeDateOfBirth(hex('bf07 08 20')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 3,
    });
  });

  it('rejects Date of Birth year 1000 as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeDateOfBirth(hex('e803 01 01')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects a 3-byte Date of Birth as PROTO_ERR_WRONG_LENGTH at byte 3', () => {
    expect(codeOf(() => decodeDateOfBirth(hex('bf07 08')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 3,
    });
  });

  it('decodes Gender 2 as unspecified and rejects reserved 3 at byte 0', () => {
    expect(decodeGender(hex('02'))).toBe('unspecified');
    expect(codeOf(() => decodeGender(hex('03')))).toEqual({ code: 'PROTO_ERR_OUT_OF_RANGE', offset: 0 });
  });

  it('decodes Height b400 as 180 cm and Weight 7017 as 30 kg', () => {
    expect(decodeHeightCm(hex('b400'))).toBe(180);
    expect(decodeWeightKg(hex('7017'))).toBe(30); // 6000 × 0.005 kg
  });

  it('rejects an empty User Index as PROTO_ERR_WRONG_LENGTH at byte 0', () => {
    expect(codeOf(() => decodeUserIndex(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 0,
    });
  });

  it('refuses Date of Birth month 13 and Weight 400 kg with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeDateOfBirth({ year: 1990, month: 13, day: 1 })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
    expect(codeOf(() => encodeWeightKg(400)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips valid Date of Birth and Gender values', () => {
    const dob = fc.record({
      year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
      month: fc.integer({ min: 0, max: 12 }),
      day: fc.integer({ min: 0, max: 31 }),
    });
    fc.assert(
      fc.property(
        dob,
        fc.constantFrom('male' as const, 'female' as const, 'unspecified' as const),
        (d, g) => {
          expect(decodeDateOfBirth(encodeDateOfBirth(d))).toEqual(d);
          expect(decodeGender(encodeGender(g))).toBe(g);
        },
      ),
    );
  });
});

describe('First Name 0x2A8A / Last Name 0x2A90', () => {
  it('decodes "Zoë" (5a 6f c3 ab) and drops two trailing NULs', () => {
    expect(view('2a8a', hex('5a6fc3ab 0000'))).toEqual({ valid: true, first_name: 'Zoë' });
  });

  it('rejects a lone continuation byte 0x80 after "Ab" as PROTO_ERR_OUT_OF_RANGE at byte 2', () => {
    expect(codeOf(() => decodeUtf8Name(hex('4162 80'), 'Last Name'))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 2,
    });
  });

  it('locates an overlong "/" (c0 af) at byte 1 and a surrogate (ed a0 80) at byte 0', () => {
    expect(invalidUtf8Offset(hex('41 c0af'))).toBe(1);
    expect(invalidUtf8Offset(hex('eda080'))).toBe(0);
  });

  it('refuses a name with a lone surrogate or a trailing NUL with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeUtf8Name('a\uD800', 'First Name')).code).toBe('PROTO_ERR_OUT_OF_RANGE');
    expect(codeOf(() => encodeUtf8Name('ab\u0000', 'First Name')).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any well-formed name not ending in NUL', () => {
    const name = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.endsWith('\u0000'));
    fc.assert(
      fc.property(name, (s) => {
        expect(decodeUtf8Name(encodeUtf8Name(s, 'First Name'), 'First Name')).toBe(s);
      }),
    );
  });
});
