import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, dateTimeArb, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import type { MedicalNumber } from '../ieee11073.js';
import {
  type BloodPressureMeasurement,
  decodeBloodPressureFeature,
  decodeBloodPressureMeasurement,
  decodeIntermediateCuffPressure,
  encodeBloodPressureFeature,
  encodeBloodPressureMeasurement,
  encodeIntermediateCuffPressure,
  type IntermediateCuffPressure,
} from './blood-pressure.js';
import { BLOOD_PRESSURE_FEATURES, PULSE_RATE_RANGES } from './blood-pressure-status.js';
import { decodeToView } from './registry.js';

const NO_STATUS_BITS = {
  bodyMovementDetected: false,
  cuffTooLoose: false,
  irregularPulseDetected: false,
  pulseRateRange: 'within_range',
  improperMeasurementPosition: false,
  rfuBits: 0,
} as const;

describe('Blood Pressure Measurement 0x2A35', () => {
  it('decodes an mmHg frame with every optional field', () => {
    const frame = hex(
      '1e' + // flags: mmHg (bit0=0), time stamp (bit1), pulse rate (bit2), user ID (bit3), status (bit4)
        '8a00' + // systolic SFLOAT 0x008A = 138
        '5800' + // diastolic 0x0058 = 88
        '7800' + // MAP 0x0078 = 120
        'e407 05 15 0a 1e 2d' + // time stamp 2020-05-21 10:30:45
        '3c00' + // pulse rate 0x003C = 60 bpm
        '01' + // user ID 1
        '2700', // status 0x0027: body movement, cuff loose, irregular pulse, range 0, improper position
    );
    expect(decodeBloodPressureMeasurement(frame)).toEqual({
      unit: 'mmHg',
      systolic: 138,
      diastolic: 88,
      meanArterialPressure: 120,
      timestamp: { year: 2020, month: 5, day: 21, hours: 10, minutes: 30, seconds: 45 },
      pulseRateBpm: 60,
      userId: 1,
      measurementStatus: {
        bodyMovementDetected: true,
        cuffTooLoose: true,
        irregularPulseDetected: true,
        pulseRateRange: 'within_range',
        improperMeasurementPosition: true,
        rfuBits: 0,
      },
    });
  });

  it('decodes kPa with a pulse rate above the upper limit and keeps RFU status bit 15', () => {
    const frame = hex(
      '11' + // flags: kPa (bit0), status (bit4)
        'bdf0' + // systolic 0xF0BD: e=-1, m=189 → 18.9 kPa
        '6e00' + // diastolic 0x006E: e=0, m=110 → 110 kPa
        'ff07' + // MAP 0x07FF = NaN
        '0880', // status 0x8008: range bits 3-4 = 1 (above upper limit), RFU bit 15
    );
    expect(decodeBloodPressureMeasurement(frame)).toEqual({
      unit: 'kPa',
      systolic: 18.9,
      diastolic: 110,
      meanArterialPressure: 'NaN',
      measurementStatus: { ...NO_STATUS_BITS, pulseRateRange: 'above_upper_limit', rfuBits: 0x8000 },
    });
  });

  it('ignores RFU flag bits 5-7: flags 0xE0 decodes like 0x00', () => {
    expect(decodeBloodPressureMeasurement(hex('e0 7800 5000 5f00'))).toEqual(
      decodeBloodPressureMeasurement(hex('00 7800 5000 5f00')),
    );
  });

  it('renders user ID 0xFF as user_id 255 with user_id_unknown and status range 3 as reserved', () => {
    const frame = hex(
      '18' + // flags: mmHg, user ID (bit3), status (bit4)
        '7800 5000 5f00' + // 120 / 80 / 95 mmHg
        'ff' + // user ID 0xFF = unknown user
        '1800', // status 0x0018: pulse-rate range 3 = reserved
    );
    expect(decodeToView('2a35', frame)).toEqual({
      valid: true,
      unit: 'mmHg',
      systolic_mmHg: 120,
      diastolic_mmHg: 80,
      mean_arterial_pressure_mmHg: 95,
      user_id: 255,
      user_id_unknown: true,
      measurement_status: {
        raw: 24,
        body_movement_detected: false,
        cuff_too_loose: false,
        irregular_pulse_detected: false,
        pulse_rate_range: 'reserved',
        improper_measurement_position: false,
      },
    });
  });

  it('encodes 120/80/95 mmHg with pulse 72 as 04 7800 5000 5f00 4800', () => {
    expect(
      toHex(
        encodeBloodPressureMeasurement({
          unit: 'mmHg',
          systolic: 120,
          diastolic: 80,
          meanArterialPressure: 95,
          pulseRateBpm: 72,
        }),
      ),
    ).toBe('04780050005f004800');
  });

  it('rejects an empty frame as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodeBloodPressureMeasurement(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('rejects a frame missing the MAP SFLOAT as PROTO_ERR_TRUNCATED at byte 5', () => {
    expect(codeOf(() => decodeBloodPressureMeasurement(hex('00 7800 5000')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 5,
    });
  });

  it('rejects a flagged time stamp cut after its year as PROTO_ERR_TRUNCATED at byte 9', () => {
    // the year (bytes 7-8) is there; the month at byte 9 is missing
    expect(codeOf(() => decodeBloodPressureMeasurement(hex('02 7800 5000 5f00 e407')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 9,
    });
  });

  it('rejects a half measurement status as PROTO_ERR_TRUNCATED at byte 7', () => {
    expect(codeOf(() => decodeBloodPressureMeasurement(hex('10 7800 5000 5f00 27')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 7,
    });
  });

  it('rejects a flagged but absent user ID as PROTO_ERR_TRUNCATED at byte 7', () => {
    expect(codeOf(() => decodeBloodPressureMeasurement(hex('08 7800 5000 5f00')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 7,
    });
  });

  it('rejects one trailing byte after the MAP as PROTO_ERR_WRONG_LENGTH at byte 7', () => {
    expect(codeOf(() => decodeBloodPressureMeasurement(hex('00 7800 5000 5f00 01')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 7,
    });
  });

  it('rejects a 20-byte frame as PROTO_ERR_WRONG_LENGTH at byte 19', () => {
    expect(codeOf(() => decodeBloodPressureMeasurement(new Uint8Array(20).fill(0x1e)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 19,
    });
  });

  it('rejects time stamp month 13 as PROTO_ERR_OUT_OF_RANGE at byte 7', () => {
    expect(
      codeOf(() => decodeBloodPressureMeasurement(hex('02 7800 5000 5f00 e407 0d 01 00 00 00'))),
    ).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 7,
    });
  });

  it.each([
    ['user ID 256', { userId: 256 }],
    ['systolic Infinity', { systolic: Number.POSITIVE_INFINITY }],
    ['pulse rate 1e300', { pulseRateBpm: 1e300 }],
    ['status RFU bit 0', { measurementStatus: { ...NO_STATUS_BITS, rfuBits: 0x0001 } }],
    [
      'time stamp hour 24',
      { timestamp: { year: 2024, month: 1, day: 1, hours: 24, minutes: 0, seconds: 0 } },
    ],
  ])('refuses to encode %s with PROTO_ERR_OUT_OF_RANGE', (_, patch) => {
    const m = { unit: 'mmHg', systolic: 120, diastolic: 80, meanArterialPressure: 95, ...patch } as const;
    expect(codeOf(() => encodeBloodPressureMeasurement(m as BloodPressureMeasurement)).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('round-trips any valid measurement through encode and decode', () => {
    fc.assert(
      fc.property(bpmArb, (m) => {
        expect(decodeBloodPressureMeasurement(encodeBloodPressureMeasurement(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Intermediate Cuff Pressure 0x2A36', () => {
  it('ignores the 0x0000 diastolic/MAP slots Nordic devices send', () => {
    const frame = hex(
      '00' + // flags: mmHg, nothing optional
        'd7f0' + // current cuff pressure 0xF0D7: e=-1, m=215 → 21.5 mmHg
        '0000' + // diastolic slot: unused
        '0000', // MAP slot: unused
    );
    expect(decodeIntermediateCuffPressure(frame)).toEqual({ unit: 'mmHg', currentCuffPressure: 21.5 });
  });

  it('encodes 21.5 kPa with NaN 0x07FF in the unused slots as 01 d7f0 ff07 ff07', () => {
    expect(toHex(encodeIntermediateCuffPressure({ unit: 'kPa', currentCuffPressure: 21.5 }))).toBe(
      '01d7f0ff07ff07',
    );
  });

  it('views the cuff pressure in kPa without diastolic or MAP keys', () => {
    expect(decodeToView('2a36', hex('01 2800 ff07 ff07'))).toEqual({
      valid: true,
      unit: 'kPa',
      current_cuff_pressure_kPa: 40,
    });
  });

  it('rejects a 2-byte frame as PROTO_ERR_TRUNCATED at byte 1', () => {
    expect(codeOf(() => decodeIntermediateCuffPressure(hex('0034')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 1,
    });
  });

  it('round-trips any valid intermediate cuff pressure', () => {
    fc.assert(
      fc.property(icpArb, (m) => {
        expect(decodeIntermediateCuffPressure(encodeIntermediateCuffPressure(m))).toEqual(m);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Blood Pressure Feature 0x2A49', () => {
  it('decodes 0x01FF as all nine BLS 1.1 features', () => {
    expect(decodeBloodPressureFeature(hex('ff01'))).toEqual({
      supported: [...BLOOD_PRESSURE_FEATURES],
      rfuBits: 0,
    });
  });

  it('decodes 0x8021 as body movement + multiple bond and keeps RFU bit 15', () => {
    expect(decodeBloodPressureFeature(hex('2180'))).toEqual({
      supported: ['body_movement_detection', 'multiple_bond'],
      rfuBits: 0x8000,
    });
  });

  it('encodes cuff fit + user facing time as 02 01', () => {
    expect(
      toHex(
        encodeBloodPressureFeature({ supported: ['cuff_fit_detection', 'user_facing_time'], rfuBits: 0 }),
      ),
    ).toBe('0201');
  });

  it('rejects a 1-byte frame as PROTO_ERR_WRONG_LENGTH at byte 1', () => {
    expect(codeOf(() => decodeBloodPressureFeature(hex('3f')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 1,
    });
  });

  it('rejects a 3-byte frame as PROTO_ERR_WRONG_LENGTH at byte 2', () => {
    expect(codeOf(() => decodeBloodPressureFeature(hex('3f0000')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 2,
    });
  });

  it('refuses RFU bits that overlap bit 8 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeBloodPressureFeature({ supported: [], rfuBits: 0x0100 })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });

  it('round-trips every 16-bit feature value byte-exactly', () => {
    const mismatches: number[] = [];
    for (let raw = 0; raw <= 0xffff; raw++) {
      const frame = Uint8Array.of(raw & 0xff, raw >> 8);
      const again = encodeBloodPressureFeature(decodeBloodPressureFeature(frame));
      if (again[0] !== frame[0] || again[1] !== frame[1] || again.length !== 2) mismatches.push(raw);
    }
    expect(mismatches).toEqual([]);
  });
});

/** Any SFLOAT the encoder can represent exactly: m × 10^e with |m| ≤ 2045, or a special value. */
const sfloatArb: fc.Arbitrary<MedicalNumber> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: -8, max: 7 }))
    .map(([m, e]) => (e < 0 ? m / 10 ** -e : m * 10 ** e)),
  fc.constantFrom('NaN', 'NRes', '+INF', '-INF', 'reserved'),
);

const statusArb = fc.record({
  bodyMovementDetected: fc.boolean(),
  cuffTooLoose: fc.boolean(),
  irregularPulseDetected: fc.boolean(),
  pulseRateRange: fc.constantFrom(...PULSE_RATE_RANGES),
  improperMeasurementPosition: fc.boolean(),
  rfuBits: fc.integer({ min: 0, max: 0x3ff }).map((x) => x << 6),
});

const optionalFields = {
  unit: fc.constantFrom('mmHg', 'kPa') as fc.Arbitrary<'mmHg' | 'kPa'>,
  timestamp: dateTimeArb,
  pulseRateBpm: sfloatArb,
  userId: fc.integer({ min: 0, max: 255 }),
  measurementStatus: statusArb,
};

const bpmArb: fc.Arbitrary<BloodPressureMeasurement> = fc.record(
  { ...optionalFields, systolic: sfloatArb, diastolic: sfloatArb, meanArterialPressure: sfloatArb },
  { requiredKeys: ['unit', 'systolic', 'diastolic', 'meanArterialPressure'] },
);

const icpArb: fc.Arbitrary<IntermediateCuffPressure> = fc.record(
  { ...optionalFields, currentCuffPressure: sfloatArb },
  { requiredKeys: ['unit', 'currentCuffPressure'] },
);
