import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, hex } from '../../test/support.js';
import { ProtocolError } from '../errors.js';
import { toHex } from '../hex.js';
import {
  decodeBodySensorLocation,
  decodeHeartRateMeasurement,
  encodeHeartRateMeasurement,
  rrIntervalToMs,
} from './heart-rate.js';

describe('Heart Rate Measurement 0x2A37', () => {
  it('decodes a 16-bit BPM with energy expended and two RR intervals', () => {
    const frame = hex(
      '19' + // flags: uint16 HR (bit0), energy expended (bit3), RR (bit4); contact not supported
        '4b00' + // HR = 75 bpm
        '3804' + // energy expended = 1080 kJ
        '0404' + // RR = 1028/1024 s
        '3804', // RR = 1080/1024 s
    );
    expect(decodeHeartRateMeasurement(frame)).toEqual({
      heartRateBpm: 75,
      format: 'uint16',
      sensorContact: 'not_supported',
      energyExpendedKj: 1080,
      rrIntervals1024: [1028, 1080],
    });
  });

  it('decodes an 8-bit BPM with contact supported but not detected', () => {
    expect(decodeHeartRateMeasurement(hex('04ff'))).toEqual({
      heartRateBpm: 255,
      format: 'uint8',
      sensorContact: 'not_detected',
      rrIntervals1024: [],
    });
  });

  it('rejects an RR flag with no RR bytes as PROTO_ERR_TRUNCATED at byte 3', () => {
    expect(codeOf(() => decodeHeartRateMeasurement(hex('170101')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 3,
    });
  });

  it('rejects a half RR interval as PROTO_ERR_TRUNCATED at byte 4', () => {
    expect(codeOf(() => decodeHeartRateMeasurement(hex('1048' + '0004' + '01')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 4,
    });
  });

  it('rejects an empty frame as PROTO_ERR_TRUNCATED at byte 0', () => {
    expect(codeOf(() => decodeHeartRateMeasurement(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 0,
    });
  });

  it('rejects trailing bytes without the RR flag as PROTO_ERR_WRONG_LENGTH', () => {
    expect(codeOf(() => decodeHeartRateMeasurement(hex('0048ff')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 2,
    });
  });

  it('encodes 72 bpm with contact detected as 06 48', () => {
    expect(
      toHex(encodeHeartRateMeasurement({ heartRateBpm: 72, sensorContact: 'detected', rrIntervals1024: [] })),
    ).toBe('0648');
  });

  it('round-trips every flag combination byte-exactly', () => {
    for (const format of ['uint8', 'uint16'] as const) {
      for (const sensorContact of ['not_supported', 'not_detected', 'detected'] as const) {
        for (const energyExpendedKj of [undefined, 0, 65535]) {
          for (const rrIntervals1024 of [[], [1], [800, 65535, 0]]) {
            const m = {
              heartRateBpm: 201,
              format,
              sensorContact,
              rrIntervals1024,
              ...(energyExpendedKj === undefined ? {} : { energyExpendedKj }),
            };
            const bytes = encodeHeartRateMeasurement(m);
            expect(decodeHeartRateMeasurement(bytes)).toEqual(m);
            expect(toHex(encodeHeartRateMeasurement(decodeHeartRateMeasurement(bytes)))).toBe(toHex(bytes));
          }
        }
      }
    }
  });

  it('round-trips any valid measurement: decode(encode(x)) equals x (fast-check)', () => {
    const measurement = fc
      .record({
        format: fc.constantFrom('uint8' as const, 'uint16' as const),
        sensorContact: fc.constantFrom(
          'not_supported' as const,
          'not_detected' as const,
          'detected' as const,
        ),
        energyExpendedKj: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
        // At most 9 RR intervals fit the default 23-byte ATT MTU; the codec itself allows any count.
        rrIntervals1024: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 9 }),
        bpm: fc.integer({ min: 0, max: 0xffff }),
      })
      .map(({ bpm, format, energyExpendedKj, ...rest }) => ({
        ...rest,
        format,
        heartRateBpm: format === 'uint8' ? bpm & 0xff : bpm,
        ...(energyExpendedKj === undefined ? {} : { energyExpendedKj }),
      }));
    fc.assert(
      fc.property(measurement, (m) => {
        expect(decodeHeartRateMeasurement(encodeHeartRateMeasurement(m))).toEqual(m);
      }),
    );
  });

  it('refuses to encode 300 bpm in the 8-bit field with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(
      codeOf(() =>
        encodeHeartRateMeasurement(
          { heartRateBpm: 300, sensorContact: 'detected', rrIntervals1024: [] },
          { format: 'uint8' },
        ),
      ).code,
    ).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('never throws anything but a ProtocolError on any 0-6 byte frame prefix', () => {
    for (let flags = 0; flags < 256; flags++) {
      for (let len = 0; len <= 6; len++) {
        const frame = new Uint8Array(len).fill(0x11);
        if (len > 0) frame[0] = flags;
        try {
          decodeHeartRateMeasurement(frame);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }
    }
  });

  it('converts RR 1024/1024 s to 1000 ms', () => {
    expect(rrIntervalToMs(1024)).toBe(1000);
  });
});

describe('Body Sensor Location 0x2A38', () => {
  it('decodes 0x02 as wrist', () => {
    expect(decodeBodySensorLocation(hex('02'))).toBe('wrist');
  });

  it('rejects reserved value 0x07 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => decodeBodySensorLocation(hex('07'))).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });
});
