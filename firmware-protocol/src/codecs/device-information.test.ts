import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  DEVICE_INFORMATION_CODECS,
  decodePnpId,
  decodeRegulatoryCertificationDataList,
  decodeSystemId,
  decodeUtf8String,
  encodePnpId,
  encodeSystemId,
  encodeUtf8String,
  type PnpId,
  VENDOR_ID_SOURCES,
} from './device-information.js';

const entry = (uuid: string) => DEVICE_INFORMATION_CODECS.find((c) => c.uuid === uuid)!;

describe('DIS UTF-8 strings (0x2A29, 0x2A24, 0x2A25, 0x2A27, 0x2A26, 0x2A28)', () => {
  it('decodes Manufacturer Name "Beurer" and renders manufacturer_name', () => {
    const c = entry('2a29');
    expect(c.view(c.decode(hex('426575726572')))).toEqual({ valid: true, manufacturer_name: 'Beurer' });
  });

  it('trims trailing NUL padding from Model Number "BF720\\0\\0"', () => {
    const c = entry('2a24');
    expect(c.view(c.decode(hex('4246373230' + '0000')))).toEqual({ valid: true, model_number: 'BF720' });
  });

  it('keeps an embedded NUL ("A\\0B") and decodes multi-byte "€1" (e2 82 ac 31)', () => {
    expect(decodeUtf8String(hex('410042'), 'serial')).toBe('A\0B');
    expect(decodeUtf8String(hex('e282ac31'), 'serial')).toBe('€1');
  });

  it('decodes an all-NUL value as the empty string', () => {
    expect(decodeUtf8String(hex('000000'), 'serial')).toBe('');
  });

  it('rejects byte 0xff at offset 1 (41 ff) as PROTO_ERR_OUT_OF_RANGE at byte 1', () => {
    expect(codeOf(() => decodeUtf8String(hex('41ff'), 'fw'))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 1,
    });
  });

  it('rejects overlong "/" (c0 af) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeUtf8String(hex('c0af'), 'fw'))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects an encoded surrogate U+D800 (ed a0 80) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeUtf8String(hex('eda080'), 'fw'))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects a bad continuation byte (c3 28) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeUtf8String(hex('c328'), 'fw'))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects a value cut inside "€" (41 e2 82) as PROTO_ERR_TRUNCATED at byte 1', () => {
    expect(codeOf(() => decodeUtf8String(hex('41e282'), 'fw'))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 1,
    });
  });

  it('refuses to encode a trailing NUL or a lone surrogate with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeUtf8String('abc\0', 'fw')).code).toBe('PROTO_ERR_OUT_OF_RANGE');
    expect(codeOf(() => encodeUtf8String('a\ud800', 'fw')).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses to encode 513 bytes with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeUtf8String('x'.repeat(513), 'fw')).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('registers the six strings under their view keys', () => {
    const keys = ['2a29', '2a24', '2a25', '2a27', '2a26', '2a28'].map(
      (u) => Object.keys(entry(u).view('x'))[1],
    );
    expect(keys).toEqual([
      'manufacturer_name',
      'model_number',
      'serial_number',
      'hardware_revision',
      'firmware_revision',
      'software_revision',
    ]);
  });

  it('round-trips any well-formed string without a trailing NUL', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 100 }).filter((s) => !s.endsWith('\0')),
        (s) => {
          expect(decodeUtf8String(encodeUtf8String(s, 'fw'), 'fw')).toBe(s);
        },
      ),
    );
  });
});

describe('System ID 0x2A23', () => {
  const FRAME =
    '2301efcdab' + // manufacturer identifier uint40 = 0xabcdef0123
    '563412'; // organizationally unique identifier uint24 = 0x123456

  it('decodes manufacturer identifier 0xabcdef0123 and OUI 0x123456', () => {
    const s = decodeSystemId(hex(FRAME));
    expect(s).toEqual({ manufacturerIdentifier: 0xabcdef0123, organizationallyUniqueIdentifier: 0x123456 });
    expect(entry('2a23').view(s)).toEqual({
      valid: true,
      manufacturer_identifier: 0xabcdef0123,
      manufacturer_identifier_hex: 'abcdef0123',
      organizationally_unique_identifier: 0x123456,
      organizationally_unique_identifier_hex: '123456',
    });
  });

  it('rejects 7 bytes as PROTO_ERR_TRUNCATED at byte 5 (OUI)', () => {
    expect(codeOf(() => decodeSystemId(hex('2301efcdab5634')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects 9 bytes as PROTO_ERR_WRONG_LENGTH at byte 8', () => {
    expect(codeOf(() => decodeSystemId(hex(`${FRAME}00`)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 8,
    });
  });

  it('refuses a 41-bit manufacturer identifier with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(
      codeOf(() => encodeSystemId({ manufacturerIdentifier: 2 ** 40, organizationallyUniqueIdentifier: 0 }))
        .code,
    ).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any 40-bit identifier and 24-bit OUI', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 - 1 }),
        fc.integer({ min: 0, max: 0xffffff }),
        (manufacturerIdentifier, organizationallyUniqueIdentifier) => {
          const s = { manufacturerIdentifier, organizationallyUniqueIdentifier };
          expect(decodeSystemId(encodeSystemId(s))).toEqual(s);
        },
      ),
    );
  });
});

describe('PnP ID 0x2A50', () => {
  const FRAME =
    '01' + // vendor ID source 1: Bluetooth SIG company identifier
    '5900' + // vendor ID 0x0059 (Nordic Semiconductor)
    '3412' + // product ID 0x1234
    '1001'; // product version 0x0110 = 1.1.0

  it('decodes SIG vendor 0x0059, product 0x1234, version 1.1.0', () => {
    const p = decodePnpId(hex(FRAME));
    expect(entry('2a50').view(p)).toEqual({
      valid: true,
      vendor_id_source: 1,
      vendor_id_source_name: 'bluetooth_sig',
      vendor_id: 0x59,
      product_id: 0x1234,
      product_version: 0x0110,
      product_version_text: '1.1.0',
    });
  });

  it('rejects vendor ID source 3 as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodePnpId(hex('03590034121001')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects 6 bytes as PROTO_ERR_TRUNCATED at byte 5', () => {
    expect(codeOf(() => decodePnpId(hex('015900341210')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects 8 bytes as PROTO_ERR_WRONG_LENGTH at byte 7', () => {
    expect(codeOf(() => decodePnpId(hex(`${FRAME}ff`)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 7,
    });
  });

  it('refuses product ID 65536 with PROTO_ERR_OUT_OF_RANGE', () => {
    const p: PnpId = {
      vendorIdSource: 'usb_implementers_forum',
      vendorId: 1,
      productId: 65536,
      productVersion: 0,
    };
    expect(codeOf(() => encodePnpId(p)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid PnP ID', () => {
    const u16 = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(
        fc.record({
          vendorIdSource: fc.constantFrom('bluetooth_sig' as const, 'usb_implementers_forum' as const),
          vendorId: u16,
          productId: u16,
          productVersion: u16,
        }),
        (p) => {
          expect(decodePnpId(encodePnpId(p))).toEqual(p);
        },
      ),
    );
    expect(VENDOR_ID_SOURCES.slice(1)).toEqual(['bluetooth_sig', 'usb_implementers_forum']);
  });
});

describe('Regulatory Certification Data List 0x2A2A', () => {
  it('keeps the value as raw hex', () => {
    const frame = hex(
      '0002' + // IEEE 11073 list count = 2 (opaque to this codec)
        '0012' + // list length
        '0201' + // first entry
        '0008' + // its length
        '0104' + // its data
        '00010001', // remaining bytes
    );
    const c = entry('2a2a');
    expect(c.view(decodeRegulatoryCertificationDataList(frame))).toEqual({
      valid: true,
      regulatory_certification_data_list_hex: '0002001202010008010400010001',
    });
  });

  it('round-trips any bytes up to 512', () => {
    const c = entry('2a2a');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (data) => {
        expect(toHex(c.encode(c.decode(data)))).toBe(toHex(data));
      }),
    );
  });
});
