import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import type { MedicalNumber } from '../ieee11073.js';
import {
  decodeIntermediateTemperature,
  decodeMeasurementInterval,
  decodeTemperatureMeasurement,
  decodeTemperatureType,
  encodeIntermediateTemperature,
  encodeMeasurementInterval,
  encodeTemperatureMeasurement,
  encodeTemperatureType,
  TEMPERATURE_TYPES,
  type TemperatureMeasurement,
} from './health-thermometer.js';
import { decodeToView } from './registry.js';

/** Nordic's TemperatureMeasurementDataCallbackTest frame: 37.60 °C, 2012-12-05 11:50:27, finger. */
const NORDIC_FULL =
  '06' + // flags: °C (bit0=0), time stamp (bit1), temperature type (bit2)
  'b00e00fe' + // FLOAT: mantissa 0x000EB0 = 3760, exponent 0xFE = -2 → 37.60
  'dc07 0c 05 0b 32 1b' + // time stamp 2012-12-05 11:50:27
  '04'; // temperature type 4 = finger

describe('Temperature Measurement 0x2A1C', () => {
  it('decodes 37.60 °C with a time stamp and type finger', () => {
    expect(decodeTemperatureMeasurement(hex(NORDIC_FULL))).toEqual({
      unit: 'celsius',
      temperature: 37.6,
      timestamp: { year: 2012, month: 12, day: 5, hours: 11, minutes: 50, seconds: 27 },
      temperatureType: 'finger',
    });
  });

  it('views the type as code 4 plus name finger', () => {
    expect(decodeToView('2a1c', hex(NORDIC_FULL))).toEqual({
      valid: true,
      temperature_celsius: 37.6,
      timestamp: { year: 2012, month: 12, day: 5, hours: 11, minutes: 50, seconds: 27 },
      temperature_type: 4,
      temperature_type_name: 'finger',
    });
  });

  it('decodes 98.6 °F from flags 0x01 and FLOAT 0xFF0003DA', () => {
    const frame = hex(
      '01' + // flags: °F (bit0)
        'da0300ff', // FLOAT: mantissa 0x0003DA = 986, exponent -1 → 98.6
    );
    expect(decodeTemperatureMeasurement(frame)).toEqual({ unit: 'fahrenheit', temperature: 98.6 });
  });

  it('decodes a negative mantissa: 0xFFFFFF8B exponent 0 → -117 °C', () => {
    expect(decodeTemperatureMeasurement(hex('00 8bffff00'))).toEqual({ unit: 'celsius', temperature: -117 });
  });

  it('ignores RFU flag bits 3-7: flags 0xF8 decodes like 0x00', () => {
    expect(decodeTemperatureMeasurement(hex('f8 6e0100ff'))).toEqual({ unit: 'celsius', temperature: 36.6 });
  });

  it('encodes 36.6 °C without options as 00 6e0100ff', () => {
    expect(toHex(encodeTemperatureMeasurement({ unit: 'celsius', temperature: 36.6 }))).toBe('006e0100ff');
  });

  it('encodes FLOAT NaN in °F with type tympanum as 05 ffff7f00 09', () => {
    expect(
      toHex(
        encodeTemperatureMeasurement({ unit: 'fahrenheit', temperature: 'NaN', temperatureType: 'tympanum' }),
      ),
    ).toBe('05ffff7f0009');
  });

  it('rejects an empty frame as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodeTemperatureMeasurement(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('rejects a 3-byte FLOAT as PROTO_ERR_TRUNCATED at byte 1', () => {
    expect(codeOf(() => decodeTemperatureMeasurement(hex('00 b00e00')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 1,
    });
  });

  it('rejects a flagged type missing after the time stamp as PROTO_ERR_TRUNCATED at byte 12', () => {
    expect(codeOf(() => decodeTemperatureMeasurement(hex(NORDIC_FULL).subarray(0, 12)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 12,
    });
  });

  it('rejects reserved temperature type 0 as PROTO_ERR_OUT_OF_RANGE at byte 5', () => {
    expect(codeOf(() => decodeTemperatureMeasurement(hex('04 6e0100ff 00')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 5,
    });
  });

  it('rejects a trailing byte without flags as PROTO_ERR_WRONG_LENGTH at byte 5', () => {
    expect(codeOf(() => decodeTemperatureMeasurement(hex('00 6e0100ff 04')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 5,
    });
  });

  it('rejects a 14-byte frame as PROTO_ERR_WRONG_LENGTH at byte 13', () => {
    expect(codeOf(() => decodeTemperatureMeasurement(hex(`${NORDIC_FULL}00`)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 13,
    });
  });

  it.each([
    ['temperature Infinity', { temperature: Number.POSITIVE_INFINITY }],
    ['temperature type "elbow"', { temperatureType: 'elbow' }],
    ['unit "kelvin"', { unit: 'kelvin' }],
    [
      'time stamp year 1581',
      { timestamp: { year: 1581, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 } },
    ],
  ])('refuses to encode %s with PROTO_ERR_OUT_OF_RANGE', (_, patch) => {
    const m = { unit: 'celsius', temperature: 36.6, ...patch } as unknown as TemperatureMeasurement;
    expect(codeOf(() => encodeTemperatureMeasurement(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid measurement through encode and decode', () => {
    fc.assert(
      fc.property(temperatureArb, (m) => {
        expect(decodeTemperatureMeasurement(encodeTemperatureMeasurement(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Intermediate Temperature 0x2A1E', () => {
  it('decodes the 0x2A1C layout: 38.2 °C with type mouth', () => {
    const frame = hex(
      '04' + // flags: °C, temperature type (bit2)
        '7e0100ff' + // FLOAT 382e-1 → 38.2
        '06', // type 6 = mouth
    );
    expect(decodeIntermediateTemperature(frame)).toEqual({
      unit: 'celsius',
      temperature: 38.2,
      temperatureType: 'mouth',
    });
  });

  it('views FLOAT -INF in °F as temperature_fahrenheit "-INF"', () => {
    expect(decodeToView('2a1e', hex('01 02008000'))).toEqual({ valid: true, temperature_fahrenheit: '-INF' });
  });

  it('round-trips 39.5 °C with a time stamp', () => {
    const m: TemperatureMeasurement = {
      unit: 'celsius',
      temperature: 39.5,
      timestamp: { year: 2024, month: 2, day: 29, hours: 23, minutes: 59, seconds: 59 },
    };
    expect(decodeIntermediateTemperature(encodeIntermediateTemperature(m))).toEqual(m);
  });
});

describe('Temperature Type 0x2A1D', () => {
  it('decodes 0x09 as tympanum and views it as code 9 plus name', () => {
    expect(decodeTemperatureType(hex('09'))).toBe('tympanum');
    expect(decodeToView('2a1d', hex('09'))).toEqual({
      valid: true,
      temperature_type: 9,
      temperature_type_name: 'tympanum',
    });
  });

  it('maps codes 1-9 to the nine sites in order and back', () => {
    for (let code = 1; code <= 9; code++) {
      const type = decodeTemperatureType(Uint8Array.of(code));
      expect(type).toBe(TEMPERATURE_TYPES[code - 1]);
      expect(encodeTemperatureType(type)[0]).toBe(code);
    }
  });

  it.each([0x00, 0x0a, 0xff])('rejects reserved code %i as PROTO_ERR_OUT_OF_RANGE at byte 0', (code) => {
    expect(codeOf(() => decodeTemperatureType(Uint8Array.of(code)))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects an empty frame as PROTO_ERR_WRONG_LENGTH at byte 0', () => {
    expect(codeOf(() => decodeTemperatureType(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 0,
    });
  });

  it('rejects 2 bytes as PROTO_ERR_WRONG_LENGTH at byte 1', () => {
    expect(codeOf(() => decodeTemperatureType(hex('0101')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 1,
    });
  });
});

describe('Measurement Interval 0x2A21', () => {
  it('decodes 3c00 as 60 s and views it as measurement_interval_s', () => {
    expect(decodeMeasurementInterval(hex('3c00'))).toBe(60);
    expect(decodeToView('2a21', hex('3c00'))).toEqual({ valid: true, measurement_interval_s: 60 });
  });

  it('encodes 0 (no periodic measurement) as 0000 and 65535 s as ffff', () => {
    expect(toHex(encodeMeasurementInterval(0))).toBe('0000');
    expect(toHex(encodeMeasurementInterval(65535))).toBe('ffff');
  });

  it.each([65536, -1, 1.5])('refuses to encode %d s with PROTO_ERR_OUT_OF_RANGE', (s) => {
    expect(codeOf(() => encodeMeasurementInterval(s)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('rejects 1 byte as PROTO_ERR_WRONG_LENGTH at byte 1 and 3 bytes at byte 2', () => {
    expect(codeOf(() => decodeMeasurementInterval(hex('3c')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 1,
    });
    expect(codeOf(() => decodeMeasurementInterval(hex('3c0000')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 2,
    });
  });

  it('round-trips any u16 interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (s) => {
        expect(decodeMeasurementInterval(encodeMeasurementInterval(s))).toBe(s);
      }),
    );
  });
});

/** Any FLOAT the encoder represents exactly: m × 10^e, |m| ≤ 8388605, small exponents, or a special value. */
const floatArb: fc.Arbitrary<MedicalNumber> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -8388605, max: 8388605 }), fc.integer({ min: -8, max: 8 }))
    .map(([m, e]) => (e < 0 ? m / 10 ** -e : m * 10 ** e)),
  fc.constantFrom('NaN', 'NRes', '+INF', '-INF', 'reserved'),
);

const temperatureArb: fc.Arbitrary<TemperatureMeasurement> = fc.record(
  {
    unit: fc.constantFrom('celsius', 'fahrenheit') as fc.Arbitrary<'celsius' | 'fahrenheit'>,
    temperature: floatArb,
    timestamp: fc.record({
      year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
      month: fc.integer({ min: 0, max: 12 }),
      day: fc.integer({ min: 0, max: 31 }),
      hours: fc.integer({ min: 0, max: 23 }),
      minutes: fc.integer({ min: 0, max: 59 }),
      seconds: fc.integer({ min: 0, max: 59 }),
    }),
    temperatureType: fc.constantFrom(...TEMPERATURE_TYPES),
  },
  { requiredKeys: ['unit', 'temperature'] },
);
