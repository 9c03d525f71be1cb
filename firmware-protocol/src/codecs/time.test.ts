import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, dateTimeArb, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  type CurrentTime,
  currentTimeFromEpochMs,
  DAYS_OF_WEEK,
  decodeCurrentTime,
  decodeDateTime,
  decodeLocalTimeInformation,
  encodeCurrentTime,
  encodeDateTime,
  encodeLocalTimeInformation,
  type LocalTimeInformation,
  TIME_CODECS,
} from './time.js';

const viewOf = (uuid: string) => TIME_CODECS.find((c) => c.uuid === uuid)!.view;

const BF720_WRITE =
  'ea07' + // year 2026
  '05' + // month 5
  '0c' + // day 12
  '12' + // 18 h
  '35' + // 53 min
  '2b' + // 43 s
  '02' + // day of week 2: Tuesday
  '11' + // fractions256 = 17/256 s
  '01'; // adjust reason: bit 0 manual time update

const noReason = {
  manualTimeUpdate: false,
  externalReferenceTimeUpdate: false,
  changeOfTimeZone: false,
  changeOfDst: false,
};

describe('Current Time 0x2A2B', () => {
  it('decodes the Beurer BF720 write 2026-05-12 18:53:43 Tuesday, 17/256 s, manual update', () => {
    const t = decodeCurrentTime(hex(BF720_WRITE));
    expect(t).toEqual({
      dateTime: { year: 2026, month: 5, day: 12, hours: 18, minutes: 53, seconds: 43 },
      dayOfWeek: 'tuesday',
      fractions256: 17,
      adjustReason: { ...noReason, manualTimeUpdate: true },
    });
    expect(viewOf('2a2b')(t)).toEqual({
      valid: true,
      timestamp: { year: 2026, month: 5, day: 12, hours: 18, minutes: 53, seconds: 43 },
      day_of_week: 2,
      day_of_week_name: 'tuesday',
      fractions256: 17,
      adjust_reason: {
        raw: 1,
        manual_time_update: true,
        external_reference_time_update: false,
        change_of_time_zone: false,
        change_of_dst: false,
      },
    });
  });

  it('ignores RFU adjust-reason bits 4-7 (0xfe → external, time zone, DST)', () => {
    const t = decodeCurrentTime(hex('ea07050c12352b' + '02' + '00' + 'fe'));
    expect(t.adjustReason).toEqual({
      manualTimeUpdate: false,
      externalReferenceTimeUpdate: true,
      changeOfTimeZone: true,
      changeOfDst: true,
    });
    expect(viewOf('2a2b')(t).adjust_reason).toMatchObject({ raw: 0x0e });
  });

  it('rejects day of week 8 as PROTO_ERR_OUT_OF_RANGE at byte 7', () => {
    expect(codeOf(() => decodeCurrentTime(hex('ea07050c12352b' + '08' + '1101')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 7,
    });
  });

  it('rejects 9 bytes (no adjust reason) as PROTO_ERR_TRUNCATED at byte 9', () => {
    expect(codeOf(() => decodeCurrentTime(hex('ea07050c12352b0211')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 9,
    });
  });

  it('rejects 11 bytes as PROTO_ERR_WRONG_LENGTH at byte 10', () => {
    expect(codeOf(() => decodeCurrentTime(hex(`${BF720_WRITE}00`)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 10,
    });
  });

  it('rejects month 13 in the date as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeCurrentTime(hex('ea070d0c12352b021101')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('refuses to encode fractions256 = 256 with PROTO_ERR_OUT_OF_RANGE', () => {
    const t = { ...decodeCurrentTime(hex(BF720_WRITE)), fractions256: 256 };
    expect(codeOf(() => encodeCurrentTime(t)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('builds the BF720 bytes from epoch 2026-05-12T18:53:43.067Z', () => {
    const t = currentTimeFromEpochMs(Date.UTC(2026, 4, 12, 18, 53, 43, 67));
    expect(toHex(encodeCurrentTime(t))).toBe(BF720_WRITE);
  });

  it('maps a UTC Sunday (2024-03-03) to day of week 7 and 999 ms to 255/256', () => {
    const t = currentTimeFromEpochMs(Date.UTC(2024, 2, 3, 0, 0, 0, 999), noReason);
    expect(t.dayOfWeek).toBe('sunday');
    expect(t.fractions256).toBe(255);
    expect(t.adjustReason).toEqual(noReason);
  });

  it('refuses epoch NaN and year 10000 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => currentTimeFromEpochMs(Number.NaN)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
    expect(codeOf(() => currentTimeFromEpochMs(Date.UTC(10000, 0, 1))).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });
});

describe('Date Time 0x2A08', () => {
  it('decodes e4 07 05 15 0a 1e 2d as 2020-05-21 10:30:45', () => {
    const frame = hex(
      'e407' + // year 2020
        '05' + // May
        '15' + // day 21
        '0a' + // 10 h
        '1e' + // 30 min
        '2d', // 45 s
    );
    expect(viewOf('2a08')(decodeDateTime(frame))).toEqual({
      valid: true,
      timestamp: { year: 2020, month: 5, day: 21, hours: 10, minutes: 30, seconds: 45 },
    });
  });

  it('decodes an unknown date 0000 00 00 with time 18:26:32', () => {
    expect(decodeDateTime(hex('0000' + '00' + '00' + '12' + '1a' + '20'))).toEqual({
      year: 0,
      month: 0,
      day: 0,
      hours: 18,
      minutes: 26,
      seconds: 32,
    });
  });

  it('rejects 6 bytes as PROTO_ERR_TRUNCATED at byte 6', () => {
    expect(codeOf(() => decodeDateTime(hex('e20704110f33')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 6,
    });
  });

  it('rejects 8 bytes as PROTO_ERR_WRONG_LENGTH at byte 7', () => {
    expect(codeOf(() => decodeDateTime(hex('e40705150a1e2d00')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 7,
    });
  });

  it('rejects year 1581 as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeDateTime(hex('2d0605150a1e2d')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });
});

describe('Local Time Information 0x2A0F', () => {
  it('decodes ec 04 as UTC-5:00 with daylight time (+1 h)', () => {
    const frame = hex(
      'ec' + // time zone s8 = -20 × 15 min = -5 h
        '04', // DST offset 4 × 15 min = daylight time
    );
    const l = decodeLocalTimeInformation(frame);
    expect(l).toEqual({ timeZone15Min: -20, dstOffset15Min: 4 });
    expect(viewOf('2a0f')(l)).toEqual({
      valid: true,
      time_zone_15min: -20,
      time_zone_offset_minutes: -300,
      dst_offset_15min: 4,
      dst_offset_minutes: 60,
      dst_offset_name: 'daylight_time',
    });
  });

  it('decodes 80 ff as unknown time zone and unknown DST', () => {
    expect(decodeLocalTimeInformation(hex('80' + 'ff'))).toEqual({
      timeZone15Min: 'unknown',
      dstOffset15Min: 'unknown',
    });
  });

  it('rejects time zone +57 (0x39) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeLocalTimeInformation(hex('3900')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects time zone -49 (0xcf) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeLocalTimeInformation(hex('cf00'))).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('rejects DST offset 3 as PROTO_ERR_OUT_OF_RANGE at byte 1', () => {
    expect(codeOf(() => decodeLocalTimeInformation(hex('0003')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 1,
    });
  });

  it('rejects 1 byte as PROTO_ERR_TRUNCATED at byte 1 and 3 bytes as PROTO_ERR_WRONG_LENGTH at byte 2', () => {
    expect(codeOf(() => decodeLocalTimeInformation(hex('00')))).toEqual({
      code: 'PROTO_ERR_TRUNCATED',
      offset: 1,
    });
    expect(codeOf(() => decodeLocalTimeInformation(hex('000000')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 2,
    });
  });

  it('refuses to encode time zone 57 with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeLocalTimeInformation({ timeZone15Min: 57, dstOffset15Min: 0 })).code).toBe(
      'PROTO_ERR_OUT_OF_RANGE',
    );
  });
});

const currentTimeArb: fc.Arbitrary<CurrentTime> = fc.record({
  dateTime: dateTimeArb,
  dayOfWeek: fc.constantFrom(...DAYS_OF_WEEK),
  fractions256: fc.integer({ min: 0, max: 255 }),
  adjustReason: fc.record({
    manualTimeUpdate: fc.boolean(),
    externalReferenceTimeUpdate: fc.boolean(),
    changeOfTimeZone: fc.boolean(),
    changeOfDst: fc.boolean(),
  }),
});

const localTimeArb: fc.Arbitrary<LocalTimeInformation> = fc.record({
  timeZone15Min: fc.oneof(fc.constant<'unknown'>('unknown'), fc.integer({ min: -48, max: 56 })),
  dstOffset15Min: fc.constantFrom<LocalTimeInformation['dstOffset15Min']>(0, 2, 4, 8, 'unknown'),
});

describe('time round trips', () => {
  it('Current Time: decode(encode(x)) deep-equals x', () => {
    fc.assert(
      fc.property(currentTimeArb, (t) => {
        expect(decodeCurrentTime(encodeCurrentTime(t))).toEqual(t);
      }),
    );
  });

  it('Date Time: decode(encode(x)) deep-equals x', () => {
    fc.assert(
      fc.property(dateTimeArb, (dt) => {
        expect(decodeDateTime(encodeDateTime(dt))).toEqual(dt);
      }),
    );
  });

  it('Local Time Information: decode(encode(x)) deep-equals x', () => {
    fc.assert(
      fc.property(localTimeArb, (l) => {
        expect(decodeLocalTimeInformation(encodeLocalTimeInformation(l))).toEqual(l);
      }),
    );
  });

  it('currentTimeFromEpochMs encodes for every ms between 1970 and 2100 and keeps the second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (ms) => {
        const t = decodeCurrentTime(encodeCurrentTime(currentTimeFromEpochMs(ms)));
        const d = t.dateTime;
        expect(Date.UTC(d.year, d.month - 1, d.day, d.hours, d.minutes, d.seconds)).toBe(ms - (ms % 1000));
      }),
    );
  });
});
