import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, dateTimeArb, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  BCM_DATA_FIELDS,
  BODY_COMPOSITION_CODECS,
  type BodyCompositionMeasurement,
  decodeBodyCompositionMeasurement,
  encodeBodyCompositionMeasurement,
} from './body-composition.js';
import {
  type BodyCompositionFeature,
  decodeBodyCompositionFeature,
  encodeBodyCompositionFeature,
} from './body-composition-feature.js';

const view = (uuid: string, frame: Uint8Array) => {
  const c = BODY_COMPOSITION_CODECS.find((x) => x.uuid === uuid)!;
  return c.view(c.decode(frame));
};

describe('Body Composition Measurement 0x2A9C', () => {
  it('decodes the real Beurer BF788 frame field by field', () => {
    const frame = hex(
      '9803' + // flags 0x0398: basal metabolism (3), muscle % (4), soft lean (7), body water (8), impedance (9)
        'f300' + // body fat 243 × 0.1 = 24.3 %
        '9623' + // basal metabolism 0x2396 = 9110 kJ
        '8901' + // muscle 393 × 0.1 = 39.3 %
        '4042' + // soft lean mass 16960 × 0.005 = 84.8 kg
        'fa2f' + // body water mass 12282 × 0.005 = 61.41 kg
        '550f', // impedance 3925 × 0.1 = 392.5 Ω
    );
    expect(decodeBodyCompositionMeasurement(frame)).toEqual({
      units: 'si',
      bodyFatPercent: 24.3,
      basalMetabolismKj: 9110,
      musclePercent: 39.3,
      softLeanMass: 84.8,
      bodyWaterMass: 61.41,
      impedanceOhm: 392.5,
      multiplePacket: false,
    });
  });

  it('renders an imperial multi-packet frame with time stamp and user 2 in lb / in keys', () => {
    const frame = hex(
      '071c' + // flags 0x1C07: imperial (0), time stamp (1), user ID (2), weight (10), height (11), multi-packet (12)
        'c800' + // body fat 200 × 0.1 = 20.0 %
        'e807 01 02 03 04 05' + // 2024-01-02 03:04:05
        '02' + // user ID 2
        '6842' + // weight 17000 × 0.01 lb = 170 lb
        '8c02', // height 652 × 0.1 in = 65.2 in
    );
    expect(view('2a9c', frame)).toEqual({
      valid: true,
      body_fat_percent: 20,
      timestamp: { year: 2024, month: 1, day: 2, hours: 3, minutes: 4, seconds: 5 },
      user_id: 2,
      weight_lb: 170,
      height_in: 65.2,
      multiple_packet: true,
    });
  });

  it('rejects flags announcing impedance + weight with only weight present as PROTO_ERR_TRUNCATED at byte 6', () => {
    const frame = hex(
      '0006' + // flags 0x0600: impedance (9), weight (10)
        'c800' + // body fat 20.0 %
        '8813', // impedance 500.0 Ω; weight missing
    );
    expect(codeOf(() => decodeBodyCompositionMeasurement(frame))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 6,
    });
  });

  it('renders body fat 0xFFFF as measurement_unsuccessful without body_fat_percent', () => {
    expect(view('2a9c', hex('0000 ffff'))).toEqual({
      valid: true,
      measurement_unsuccessful: true,
      multiple_packet: false,
    });
  });

  it('ignores RFU flag bits 13-15: 0xE000 with 10.0 % decodes', () => {
    expect(decodeBodyCompositionMeasurement(hex('00e0 6400'))).toEqual({
      units: 'si',
      bodyFatPercent: 10,
      multiplePacket: false,
    });
  });

  it('rejects a lone flags byte as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodeBodyCompositionMeasurement(hex('98')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('rejects flags 0x0398 with only body fat as PROTO_ERR_TRUNCATED at byte 4', () => {
    expect(codeOf(() => decodeBodyCompositionMeasurement(hex('9803 c200')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 4,
    });
  });

  it('rejects a user ID flag with the byte missing as PROTO_ERR_TRUNCATED at byte 4', () => {
    expect(codeOf(() => decodeBodyCompositionMeasurement(hex('0400 c800')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 4,
    });
  });

  it('rejects a trailing byte as PROTO_ERR_WRONG_LENGTH at byte 4', () => {
    expect(codeOf(() => decodeBodyCompositionMeasurement(hex('0000 c800 01')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 4,
    });
  });

  it('encodes 20 % with 500 Ω and 80 kg as 0006 c800 8813 803e', () => {
    const m: BodyCompositionMeasurement = {
      units: 'si',
      bodyFatPercent: 20,
      impedanceOhm: 500,
      weight: 80,
      multiplePacket: false,
    };
    expect(toHex(encodeBodyCompositionMeasurement(m))).toBe('0006c8008813803e');
  });

  it('refuses weight beside an unsuccessful body fat with PROTO_ERR_OUT_OF_RANGE', () => {
    const m: BodyCompositionMeasurement = {
      units: 'si',
      bodyFatPercent: null,
      weight: 70,
      multiplePacket: false,
    };
    expect(codeOf(() => encodeBodyCompositionMeasurement(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses 6553.5 % body fat (raw 0xFFFF) with PROTO_ERR_OUT_OF_RANGE', () => {
    const m: BodyCompositionMeasurement = { units: 'si', bodyFatPercent: 6553.5, multiplePacket: false };
    expect(codeOf(() => encodeBodyCompositionMeasurement(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses a muscle mass of 400 kg (raw 80000) with PROTO_ERR_OUT_OF_RANGE', () => {
    const m: BodyCompositionMeasurement = {
      units: 'si',
      bodyFatPercent: 1,
      muscleMass: 400,
      multiplePacket: false,
    };
    expect(codeOf(() => encodeBodyCompositionMeasurement(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid measurement', () => {
    const raw16 = fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined });
    const arb = fc
      .record({
        units: fc.constantFrom('si' as const, 'imperial' as const),
        fat: fc.integer({ min: 0, max: 0xffff }),
        timestamp: fc.option(dateTimeArb, { nil: undefined }),
        userId: fc.option(fc.integer({ min: 0, max: 0xff }), { nil: undefined }),
        data: fc.array(raw16, { minLength: BCM_DATA_FIELDS.length, maxLength: BCM_DATA_FIELDS.length }),
        multiplePacket: fc.boolean(),
      })
      .map(({ units, fat, timestamp, userId, data, multiplePacket }) => {
        const si = units === 'si';
        const m: BodyCompositionMeasurement = {
          units,
          bodyFatPercent: fat === 0xffff ? null : fat / 10,
          timestamp,
          userId,
          multiplePacket,
        };
        if (m.bodyFatPercent === null) return m; // only time stamp / user ID may accompany it
        BCM_DATA_FIELDS.forEach((f, i) => {
          const raw = data[i];
          if (raw === undefined) return;
          const per =
            f.kind === 'mass'
              ? si
                ? 200
                : 100
              : f.kind === 'height'
                ? si
                  ? 1000
                  : 10
                : f.kind === 'tenth'
                  ? 10
                  : 1;
          m[f.key] = raw / per;
        });
        return m;
      });
    fc.assert(
      fc.property(arb, (m) => {
        expect(decodeBodyCompositionMeasurement(encodeBodyCompositionMeasurement(m))).toEqual(m);
      }),
    );
  });
});

describe('Body Composition Feature 0x2A9B', () => {
  it('decodes 0x00018707: time stamp, users, BMR, impedance, weight, height; height resolution 0.001 m', () => {
    // LE 07 87 01 00: bits 0-2 (time stamp, multiple users, basal metabolism), bits 8-10 (impedance, weight,
    // height), bits 11-14 = 0 (mass resolution not specified), bits 15-17 = 0b011 (0.001 m / 0.1 in)
    const frame = hex('07870100');
    expect(view('2a9b', frame)).toEqual({
      valid: true,
      raw: 0x18707,
      timestamp_supported: true,
      multiple_users_supported: true,
      basal_metabolism_supported: true,
      muscle_percent_supported: false,
      muscle_mass_supported: false,
      fat_free_mass_supported: false,
      soft_lean_mass_supported: false,
      body_water_mass_supported: false,
      impedance_supported: true,
      weight_supported: true,
      height_supported: true,
      mass_resolution_code: 0,
      mass_resolution: 'not specified',
      height_resolution_code: 3,
      height_resolution: '0.001 m / 0.1 in',
    });
  });

  it('reads mass resolution 7 (0.005 kg / 0.01 lb) from bits 11-14', () => {
    expect(decodeBodyCompositionFeature(hex('00380000')).massResolutionCode).toBe(7);
  });

  it('rejects a 5-byte feature as PROTO_ERR_WRONG_LENGTH at byte 4', () => {
    expect(codeOf(() => decodeBodyCompositionFeature(hex('0000000000')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 4,
    });
  });

  it('refuses reserved mass resolution 8 with PROTO_ERR_OUT_OF_RANGE', () => {
    const f = { ...decodeBodyCompositionFeature(hex('00000000')), massResolutionCode: 8 };
    expect(codeOf(() => encodeBodyCompositionFeature(f)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips every valid feature value', () => {
    const bool = fc.boolean();
    const arb: fc.Arbitrary<BodyCompositionFeature> = fc.record({
      timeStampSupported: bool,
      multipleUsersSupported: bool,
      basalMetabolismSupported: bool,
      musclePercentSupported: bool,
      muscleMassSupported: bool,
      fatFreeMassSupported: bool,
      softLeanMassSupported: bool,
      bodyWaterMassSupported: bool,
      impedanceSupported: bool,
      weightSupported: bool,
      heightSupported: bool,
      massResolutionCode: fc.integer({ min: 0, max: 7 }),
      heightResolutionCode: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(arb, (f) => {
        expect(decodeBodyCompositionFeature(encodeBodyCompositionFeature(f))).toEqual(f);
      }),
    );
  });
});
