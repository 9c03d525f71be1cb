import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import type { MedicalNumber } from '../ieee11073.js';
import {
  decodePlxContinuous,
  decodePlxFeatures,
  decodePlxSpotCheck,
  encodePlxContinuous,
  encodePlxFeatures,
  encodePlxSpotCheck,
  type PlxContinuousMeasurement,
  type PlxFeatures,
  type PlxSpotCheckMeasurement,
} from './pulse-oximeter.js';
import { DEVICE_AND_SENSOR_STATUS, MEASUREMENT_STATUS, SUPPORTED_FEATURES } from './pulse-oximeter-bits.js';
import { decodeToView } from './registry.js';

/** SpeziBluetooth PLXTests.testSpotCheckMeasurementCoding. */
const SPEZI_SPOT_CHECK =
  '0f' + // flags: timestamp (bit0), measurement status (bit1), device & sensor status (bit2), PAI (bit3)
  'acf3' + // SpO2 0xF3AC: e=-1, m=940 → 94 %
  'bef5' + // PR 0xF5BE: e=-1, m=1470 → 147 bpm
  'e807 0b 1d 17 08 39' + // timestamp 2024-11-29 23:08:57
  '2040' + // measurement status 0x4020: bit 5 ongoing, bit 14 questionable
  '220000' + // device & sensor status 0x000022: bit 1 equipment malfunction, bit 5 low perfusion
  '66e3'; // PAI 0xE366: e=-2, m=870 → 8.7 %

describe('PLX Spot-Check Measurement 0x2A5E', () => {
  it('decodes the Spezi spot-check frame with every optional field', () => {
    expect(decodePlxSpotCheck(hex(SPEZI_SPOT_CHECK))).toEqual({
      spo2Percent: 94,
      pulseRateBpm: 147,
      timestamp: { year: 2024, month: 11, day: 29, hours: 23, minutes: 8, seconds: 57 },
      measurementStatus: { flags: ['measurement_ongoing', 'questionable_measurement_detected'], rfuBits: 0 },
      deviceAndSensorStatus: {
        flags: ['equipment_malfunction_detected', 'low_perfusion_detected'],
        rfuBits: 0,
      },
      pulseAmplitudeIndexPercent: 8.7,
      deviceClockNotSet: false,
    });
  });

  it('views the Spezi spot-check frame with raw values and flag names', () => {
    expect(decodeToView('2a5e', hex(SPEZI_SPOT_CHECK))).toEqual({
      valid: true,
      spo2_percent: 94,
      pulse_rate_bpm: 147,
      timestamp: { year: 2024, month: 11, day: 29, hours: 23, minutes: 8, seconds: 57 },
      measurement_status_raw: 16416,
      measurement_status: ['measurement_ongoing', 'questionable_measurement_detected'],
      device_and_sensor_status_raw: 34,
      device_and_sensor_status: ['equipment_malfunction_detected', 'low_perfusion_detected'],
      pulse_amplitude_index_percent: 8.7,
      device_clock_not_set: false,
    });
  });

  it('re-encodes with the exponent nearest 0: 94 → 0x005E, 147 → 0x0093, PAI 8.7 → 0xF057', () => {
    expect(toHex(encodePlxSpotCheck(decodePlxSpotCheck(hex(SPEZI_SPOT_CHECK))))).toBe(
      '0f5e009300e8070b1d170839204022000057f0',
    );
  });

  it('decodes flags 0x10 as device clock not set with no optional fields', () => {
    const frame = hex(
      '10' + // flags: device clock is not set (bit4)
        '6100' + // SpO2 97 %
        '4800', // PR 72 bpm
    );
    expect(decodePlxSpotCheck(frame)).toEqual({ spo2Percent: 97, pulseRateBpm: 72, deviceClockNotSet: true });
  });

  it('ignores RFU flag bits 5-7: flags 0xE0 decodes like 0x00', () => {
    expect(decodePlxSpotCheck(hex('e0 6100 4800'))).toEqual(decodePlxSpotCheck(hex('00 6100 4800')));
  });

  it('rejects an empty frame as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodePlxSpotCheck(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('rejects a half pulse rate as PROTO_ERR_TRUNCATED at byte 3', () => {
    expect(codeOf(() => decodePlxSpotCheck(hex('00 6100 48')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 3,
    });
  });

  it('rejects a flagged timestamp that is absent as PROTO_ERR_TRUNCATED at byte 5', () => {
    expect(codeOf(() => decodePlxSpotCheck(hex('01 6100 4800')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects a 2-byte device & sensor status as PROTO_ERR_TRUNCATED at byte 5', () => {
    expect(codeOf(() => decodePlxSpotCheck(hex('04 6100 4800 2200')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects a 20-byte frame as PROTO_ERR_WRONG_LENGTH at byte 19', () => {
    expect(codeOf(() => decodePlxSpotCheck(hex(`${SPEZI_SPOT_CHECK}00`)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 19,
    });
  });

  it('rejects timestamp day 32 as PROTO_ERR_OUT_OF_RANGE at byte 5', () => {
    expect(codeOf(() => decodePlxSpotCheck(hex('01 6100 4800 e807 0b 20 00 00 00')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 5,
    });
  });

  it('round-trips any valid spot-check measurement', () => {
    fc.assert(
      fc.property(spotArb, (m) => {
        expect(decodePlxSpotCheck(encodePlxSpotCheck(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('PLX Continuous Measurement 0x2A5F', () => {
  it('decodes 100 % / 90 bpm in both encodings Spezi accepts (0x0064 and 0xF3E8)', () => {
    const expected = { spo2Percent: 100, pulseRateBpm: 90 };
    expect(decodePlxContinuous(hex('00 6400 5a00'))).toEqual(expected); // m=100, m=90, exponent 0
    expect(decodePlxContinuous(hex('00 e8f3 84f3'))).toEqual(expected); // 1000e-1, 900e-1
  });

  it('encodes 100 % / 90 bpm as 00 6400 5a00', () => {
    expect(toHex(encodePlxContinuous({ spo2Percent: 100, pulseRateBpm: 90 }))).toBe('0064005a00');
  });

  it('decodes the Spezi full frame with fast and slow pairs', () => {
    const frame = hex(
      '1f' + // flags: fast (bit0), slow (bit1), status (bit2), device status (bit3), PAI (bit4)
        'def3 caf3' + // normal: SpO2 990e-1 = 99, PR 970e-1 = 97
        'caf3 5af5' + // fast: SpO2 97, PR 1370e-1 = 137
        'd4f3 b2f2' + // slow: SpO2 980e-1 = 98, PR 690e-1 = 69
        '2001' + // status 0x0120: bit 5 ongoing, bit 8 fully qualified
        '000000' + // device & sensor status: none
        '7ae3', // PAI 0xE37A: e=-2, m=890 → 8.9
    );
    expect(decodePlxContinuous(frame)).toEqual({
      spo2Percent: 99,
      pulseRateBpm: 97,
      spo2prFast: { spo2Percent: 97, pulseRateBpm: 137 },
      spo2prSlow: { spo2Percent: 98, pulseRateBpm: 69 },
      measurementStatus: { flags: ['measurement_ongoing', 'fully_qualified_data'], rfuBits: 0 },
      deviceAndSensorStatus: { flags: [], rfuBits: 0 },
      pulseAmplitudeIndexPercent: 8.9,
    });
  });

  it('keeps RFU status bits 0-4 and 23 in the raw values and leaves the name lists out', () => {
    const frame = hex(
      '0c' + // flags: status (bit2), device status (bit3)
        'ff07 ff07' + // SpO2 NaN, PR NaN
        '1f00' + // status 0x001F: only RFU bits 0-4
        '000080', // device status 0x800000: only RFU bit 23
    );
    expect(decodeToView('2a5f', frame)).toEqual({
      valid: true,
      spo2_percent: 'NaN',
      pulse_rate_bpm: 'NaN',
      measurement_status_raw: 31,
      device_and_sensor_status_raw: 8388608,
    });
  });

  it('rejects a flagged fast pair that is absent as PROTO_ERR_TRUNCATED at byte 5', () => {
    expect(codeOf(() => decodePlxContinuous(hex('01 6100 4800')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects a slow pair without its pulse rate as PROTO_ERR_TRUNCATED at byte 7', () => {
    expect(codeOf(() => decodePlxContinuous(hex('02 6100 4800 6200')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 7,
    });
  });

  it('rejects a trailing byte as PROTO_ERR_WRONG_LENGTH at byte 5', () => {
    expect(codeOf(() => decodePlxContinuous(hex('00 6100 4800 00')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 5,
    });
  });

  it('rejects a 21-byte frame as PROTO_ERR_WRONG_LENGTH at byte 20', () => {
    expect(codeOf(() => decodePlxContinuous(new Uint8Array(21).fill(0x1f)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 20,
    });
  });

  it.each([
    ['SpO2 Infinity', { spo2Percent: Number.POSITIVE_INFINITY }],
    ['an unknown status flag', { measurementStatus: { flags: ['bogus'], rfuBits: 0 } }],
    ['status RFU bits overlapping bit 5', { measurementStatus: { flags: [], rfuBits: 0x20 } }],
    ['a device status wider than 24 bits', { deviceAndSensorStatus: { flags: [], rfuBits: 0x1000000 } }],
    ['a fast pulse rate of 1e300', { spo2prFast: { spo2Percent: 97, pulseRateBpm: 1e300 } }],
  ])('refuses to encode %s with PROTO_ERR_OUT_OF_RANGE', (_, patch) => {
    const m = { spo2Percent: 97, pulseRateBpm: 72, ...patch } as unknown as PlxContinuousMeasurement;
    expect(codeOf(() => encodePlxContinuous(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid continuous measurement', () => {
    fc.assert(
      fc.property(continuousArb, (m) => {
        expect(decodePlxContinuous(encodePlxContinuous(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('PLX Features 0x2A60', () => {
  /** SpeziBluetooth PLXTests.testPLXFeaturesCoding. */
  const SPEZI_FEATURES =
    'a300' + // supported 0x00A3: bit 0 status, bit 1 device status, bit 5 SpO2PR-Slow, bit 7 multiple bonds
    '4010' + // measurement status support 0x1040: bit 6 early estimate, bit 12 calibration ongoing
    '800100'; // device & sensor status support 0x000180: bit 7 non-pulsatile, bit 8 questionable pulse

  it('decodes the Spezi features frame with both support masks', () => {
    expect(decodePlxFeatures(hex(SPEZI_FEATURES))).toEqual({
      supportedFeatures: {
        flags: ['measurement_status', 'device_and_sensor_status', 'spo2pr_slow', 'multiple_bonds'],
        rfuBits: 0,
      },
      measurementStatusSupport: { flags: ['early_estimated_data', 'calibration_ongoing'], rfuBits: 0 },
      deviceAndSensorStatusSupport: {
        flags: ['non_pulsatile_signal_detected', 'questionable_pulse_detected'],
        rfuBits: 0,
      },
    });
  });

  it('views the Spezi features frame with booleans and support-mask names', () => {
    expect(decodeToView('2a60', hex(SPEZI_FEATURES))).toEqual({
      valid: true,
      raw: 163,
      measurement_status_supported: true,
      device_and_sensor_status_supported: true,
      spot_check_measurement_storage_supported: false,
      spot_check_timestamp_supported: false,
      spo2pr_fast_supported: false,
      spo2pr_slow_supported: true,
      pulse_amplitude_index_supported: false,
      multiple_bonds_supported: true,
      measurement_status_support_raw: 4160,
      measurement_status_support: ['early_estimated_data', 'calibration_ongoing'],
      device_and_sensor_status_support_raw: 384,
      device_and_sensor_status_support: ['non_pulsatile_signal_detected', 'questionable_pulse_detected'],
    });
  });

  it('encodes the Spezi features value back to the same 7 bytes', () => {
    expect(toHex(encodePlxFeatures(decodePlxFeatures(hex(SPEZI_FEATURES))))).toBe('a3004010800100');
  });

  it('decodes 0x0008 alone as spot-check timestamp support with no masks', () => {
    expect(decodePlxFeatures(hex('0800'))).toEqual({
      supportedFeatures: { flags: ['spot_check_timestamp'], rfuBits: 0 },
    });
  });

  it('rejects a 1-byte frame as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodePlxFeatures(hex('01')))).toEqual({ code: 'PROTO_ERR_TRUNCATED', offset: 0 });
  });

  it('rejects bit 0 without its status-support mask as PROTO_ERR_TRUNCATED at byte 2', () => {
    expect(codeOf(() => decodePlxFeatures(hex('0100')))).toEqual({ code: 'PROTO_ERR_TRUNCATED', offset: 2 });
  });

  it('rejects bit 1 with a 2-byte device-status mask as PROTO_ERR_TRUNCATED at byte 2', () => {
    expect(codeOf(() => decodePlxFeatures(hex('0200 8001')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 2,
    });
  });

  it('rejects a mask byte without its feature bit as PROTO_ERR_WRONG_LENGTH at byte 2', () => {
    expect(codeOf(() => decodePlxFeatures(hex('0000 40')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 2,
    });
  });

  it('refuses a status-support mask without feature bit 0 with PROTO_ERR_OUT_OF_RANGE', () => {
    const f: PlxFeatures = {
      supportedFeatures: { flags: [], rfuBits: 0 },
      measurementStatusSupport: { flags: ['validated_data'], rfuBits: 0 },
    };
    expect(codeOf(() => encodePlxFeatures(f)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses feature bit 1 without a device-status mask with PROTO_ERR_OUT_OF_RANGE', () => {
    const f: PlxFeatures = { supportedFeatures: { flags: ['device_and_sensor_status'], rfuBits: 0 } };
    expect(codeOf(() => encodePlxFeatures(f)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid features value', () => {
    fc.assert(
      fc.property(featuresArb, (f) => {
        expect(decodePlxFeatures(encodePlxFeatures(f))).toEqual(f);
      }),
      { numRuns: 2000 },
    );
  });
});

const sfloatArb: fc.Arbitrary<MedicalNumber> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: -8, max: 7 }))
    .map(([m, e]) => (e < 0 ? m / 10 ** -e : m * 10 ** e)),
  fc.constantFrom('NaN', 'NRes', '+INF', '-INF', 'reserved'),
);

/** A subset of `names` in bit order, plus RFU bits drawn only from `rfuMask`. */
function bitsArb<N extends string>(names: readonly N[], rfuMask: number) {
  return fc.record({
    flags: fc.subarray([...names]),
    rfuBits: fc.nat({ max: 0xffffff }).map((x) => x & rfuMask),
  });
}

const statusArb = bitsArb(MEASUREMENT_STATUS.names, 0x001f);
const deviceStatusArb = bitsArb(DEVICE_AND_SENSOR_STATUS.names, 0xff0000);
const pairArb = fc.record({ spo2Percent: sfloatArb, pulseRateBpm: sfloatArb });

const spotArb: fc.Arbitrary<PlxSpotCheckMeasurement> = fc.record(
  {
    spo2Percent: sfloatArb,
    pulseRateBpm: sfloatArb,
    deviceClockNotSet: fc.boolean(),
    timestamp: fc.record({
      year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
      month: fc.integer({ min: 0, max: 12 }),
      day: fc.integer({ min: 0, max: 31 }),
      hours: fc.integer({ min: 0, max: 23 }),
      minutes: fc.integer({ min: 0, max: 59 }),
      seconds: fc.integer({ min: 0, max: 59 }),
    }),
    measurementStatus: statusArb,
    deviceAndSensorStatus: deviceStatusArb,
    pulseAmplitudeIndexPercent: sfloatArb,
  },
  { requiredKeys: ['spo2Percent', 'pulseRateBpm', 'deviceClockNotSet'] },
);

const continuousArb: fc.Arbitrary<PlxContinuousMeasurement> = fc.record(
  {
    spo2Percent: sfloatArb,
    pulseRateBpm: sfloatArb,
    spo2prFast: pairArb,
    spo2prSlow: pairArb,
    measurementStatus: statusArb,
    deviceAndSensorStatus: deviceStatusArb,
    pulseAmplitudeIndexPercent: sfloatArb,
  },
  { requiredKeys: ['spo2Percent', 'pulseRateBpm'] },
);

/** The support masks follow feature bits 0 and 1, so draw the masks first and derive those two flags. */
const featuresArb: fc.Arbitrary<PlxFeatures> = fc
  .record({
    other: fc.subarray([...SUPPORTED_FEATURES.names.slice(2)]),
    rfuBits: fc.nat({ max: 0xff }).map((x) => x << 8),
    measurementStatusSupport: fc.option(statusArb, { nil: undefined }),
    deviceAndSensorStatusSupport: fc.option(deviceStatusArb, { nil: undefined }),
  })
  .map(({ other, rfuBits, measurementStatusSupport, deviceAndSensorStatusSupport }) => {
    const flags = [
      ...(measurementStatusSupport ? (['measurement_status'] as const) : []),
      ...(deviceAndSensorStatusSupport ? (['device_and_sensor_status'] as const) : []),
      ...other,
    ];
    return {
      supportedFeatures: { flags, rfuBits },
      ...(measurementStatusSupport ? { measurementStatusSupport } : {}),
      ...(deviceAndSensorStatusSupport ? { deviceAndSensorStatusSupport } : {}),
    };
  });
