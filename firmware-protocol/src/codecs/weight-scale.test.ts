import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, dateTimeArb, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  decodeWeightMeasurement,
  decodeWeightScaleFeature,
  encodeWeightMeasurement,
  encodeWeightScaleFeature,
  WEIGHT_SCALE_CODECS,
  type WeightMeasurement,
} from './weight-scale.js';

const view = (uuid: string, frame: Uint8Array) => {
  const c = WEIGHT_SCALE_CODECS.find((x) => x.uuid === uuid)!;
  return c.view(c.decode(frame));
};

describe('Weight Measurement 0x2A9D', () => {
  it('decodes the Beurer BF788 frame: 117.92 kg, time stamp, user 1, BMI 32.0, 1.92 m', () => {
    const frame = hex(
      '0e' + // flags: SI, time stamp (bit1), user ID (bit2), BMI+height (bit3)
        '205c' + // weight 0x5C20 = 23584 × 0.005 kg = 117.92 kg
        'ea07 07 0e 17 29 20' + // 2026-07-14 23:41:32
        '01' + // user ID 1
        '4001' + // BMI 0x0140 = 320 × 0.1 = 32.0
        '8007', // height 0x0780 = 1920 × 0.001 m = 1.92 m
    );
    expect(decodeWeightMeasurement(frame)).toEqual({
      units: 'si',
      weight: 117.92,
      timestamp: { year: 2026, month: 7, day: 14, hours: 23, minutes: 41, seconds: 32 },
      userId: 1,
      bmiAndHeight: { bmi: 32, height: 1.92 },
    });
  });

  it('decodes imperial 0x6590 as 260 lb and 0x0708 height as 180 in', () => {
    const frame = hex(
      '09' + // flags: imperial (bit0), BMI+height (bit3)
        '9065' + // 26000 × 0.01 lb = 260 lb
        'f500' + // BMI 245 × 0.1 = 24.5
        '0807', // height 1800 × 0.1 in = 180 in
    );
    expect(view('2a9d', frame)).toEqual({ valid: true, weight_lb: 260, bmi: 24.5, height_in: 180 });
  });

  it('renders weight 0xFFFF with user 0xFF as unsuccessful and unknown user', () => {
    const frame = hex(
      '04' + // flags: SI, user ID (bit2)
        'ffff' + // weight 0xFFFF = Measurement Unsuccessful
        'ff', // user ID 0xFF = unknown / guest
    );
    expect(view('2a9d', frame)).toEqual({
      valid: true,
      measurement_unsuccessful: true,
      user_id: 255,
      user_id_unknown: true,
    });
  });

  it('ignores RFU flag bits 4-7: 0xF0 b036 is 70 kg', () => {
    expect(decodeWeightMeasurement(hex('f0 b036'))).toEqual({ units: 'si', weight: 70 });
  });

  it('rejects an empty frame as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodeWeightMeasurement(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('rejects a one-byte weight as PROTO_ERR_TRUNCATED at byte 1', () => {
    expect(codeOf(() => decodeWeightMeasurement(hex('00 01')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 1,
    });
  });

  it('rejects a 2-byte time stamp as PROTO_ERR_TRUNCATED at byte 5 (the month)', () => {
    expect(codeOf(() => decodeWeightMeasurement(hex('02 b036 ea07')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects BMI without height as PROTO_ERR_TRUNCATED at byte 5', () => {
    expect(codeOf(() => decodeWeightMeasurement(hex('08 b036 f500')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects a 16-byte frame (max is 15) as PROTO_ERR_WRONG_LENGTH at byte 15', () => {
    const frame = hex('0e 205c ea0707 0e 17 29 20 01 4001 8007 00');
    expect(codeOf(() => decodeWeightMeasurement(frame))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 15,
    });
  });

  it('rejects month 13 in the time stamp as PROTO_ERR_OUT_OF_RANGE at byte 3', () => {
    expect(codeOf(() => decodeWeightMeasurement(hex('02 b036 e807 0d 01 00 00 00')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 3,
    });
  });

  it('encodes 70 kg with user 3 as 04 b036 03', () => {
    expect(toHex(encodeWeightMeasurement({ units: 'si', weight: 70, userId: 3 }))).toBe('04b03603');
  });

  it('rounds 70.0012 kg to the nearest 0.005 kg step (raw 14000)', () => {
    expect(toHex(encodeWeightMeasurement({ units: 'si', weight: 70.0012 }))).toBe('00b036');
  });

  it('refuses 327.675 kg (raw 0xFFFF, reserved for unsuccessful) with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeWeightMeasurement({ units: 'si', weight: 327.675 })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('refuses a negative weight of -1 kg with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeWeightMeasurement({ units: 'si', weight: -1 })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('refuses BMI/height beside an unsuccessful weight with PROTO_ERR_OUT_OF_RANGE', () => {
    const m: WeightMeasurement = { units: 'si', weight: null, bmiAndHeight: { bmi: 20, height: 1.8 } };
    expect(codeOf(() => encodeWeightMeasurement(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses user ID 256 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeWeightMeasurement({ units: 'si', weight: 1, userId: 256 })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('round-trips any valid measurement', () => {
    const arb = fc
      .record({
        units: fc.constantFrom('si' as const, 'imperial' as const),
        rawWeight: fc.integer({ min: 0, max: 0xffff }),
        timestamp: fc.option(dateTimeArb, { nil: undefined }),
        userId: fc.option(fc.integer({ min: 0, max: 0xff }), { nil: undefined }),
        bmiHeight: fc.option(
          fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })),
          {
            nil: undefined,
          },
        ),
      })
      .map(({ units, rawWeight, timestamp, userId, bmiHeight }): WeightMeasurement => {
        const si = units === 'si';
        const weight = rawWeight === 0xffff ? null : rawWeight / (si ? 200 : 100);
        const bmiAndHeight =
          bmiHeight && weight !== null
            ? { bmi: bmiHeight[0] / 10, height: bmiHeight[1] / (si ? 1000 : 10) }
            : undefined;
        return { units, weight, timestamp, userId, bmiAndHeight };
      });
    fc.assert(
      fc.property(arb, (m) => {
        expect(decodeWeightMeasurement(encodeWeightMeasurement(m))).toEqual(m);
      }),
    );
  });
});

describe('Weight Scale Feature 0x2A9E', () => {
  it('decodes 0x0000018F: all three features, 0.5 kg and 0.001 m resolution', () => {
    // 0x018F LE: bits 0-2 time stamp, multiple users, BMI; bits 3-6 = 1 (0.5 kg / 1 lb); bits 7-9 = 3 (0.001 m)
    const frame = hex('8f010000');
    expect(decodeWeightScaleFeature(frame)).toEqual({
      timeStampSupported: true,
      multipleUsersSupported: true,
      bmiSupported: true,
      weightResolutionCode: 1,
      heightResolutionCode: 3,
    });
  });

  it('renders reserved weight resolution 9 as "reserved" and keeps only defined bits in raw', () => {
    const frame = hex('48000080'); // 0x80000048: bits 3-6 = 9 (reserved); bit 31 RFU
    expect(view('2a9e', frame)).toEqual({
      valid: true,
      raw: 0x48,
      timestamp_supported: false,
      multiple_users_supported: false,
      bmi_supported: false,
      weight_resolution_code: 9,
      weight_resolution: 'reserved',
      height_resolution_code: 0,
      height_resolution: 'not specified',
    });
  });

  it('rejects a 3-byte feature as PROTO_ERR_WRONG_LENGTH at byte 3', () => {
    expect(codeOf(() => decodeWeightScaleFeature(hex('8f0000')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 3,
    });
  });

  it('refuses reserved height resolution 4 with PROTO_ERR_OUT_OF_RANGE', () => {
    const f = {
      timeStampSupported: true,
      multipleUsersSupported: false,
      bmiSupported: false,
      weightResolutionCode: 0,
      heightResolutionCode: 4,
    };
    expect(codeOf(() => encodeWeightScaleFeature(f)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips every valid feature value', () => {
    const arb = fc.record({
      timeStampSupported: fc.boolean(),
      multipleUsersSupported: fc.boolean(),
      bmiSupported: fc.boolean(),
      weightResolutionCode: fc.integer({ min: 0, max: 7 }),
      heightResolutionCode: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(arb, (f) => {
        expect(decodeWeightScaleFeature(encodeWeightScaleFeature(f))).toEqual(f);
      }),
    );
  });
});
