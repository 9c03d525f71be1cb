import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatFromRaw, floatToRaw, sfloatFromRaw, sfloatToRaw } from './ieee11073.js';

describe('SFLOAT', () => {
  it.each([
    [0xf0bd, 18.9], // e=-1, m=189
    [0x0f01, -255], // e=0, m=0xF01 = -255
    [0x7201, 513e7], // e=7, m=513
    [0xf3e8, 100], // e=-1, m=1000: Omron-style 100 %
    [0x0064, 100], // e=0, m=100
  ])('decodes 0x%s as %s', (raw, value) => {
    expect(sfloatFromRaw(raw)).toBe(value);
  });

  it.each([
    [0x07ff, 'NaN'],
    [0x0800, 'NRes'],
    [0x07fe, '+INF'],
    [0x0802, '-INF'],
    [0x0801, 'reserved'],
  ])('decodes special 0x%s as %s and encodes it back', (raw, v) => {
    expect(sfloatFromRaw(raw)).toBe(v);
    expect(sfloatToRaw(v as 'NaN')).toBe(raw);
  });

  it('encodes 18.9 as e=-1 m=189 (0xF0BD) and 72 as 0x0048', () => {
    expect(sfloatToRaw(18.9)).toBe(0xf0bd);
    expect(sfloatToRaw(72)).toBe(0x0048);
  });

  it('round-trips every non-special (m, e) value through decode(encode(x))', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2045, max: 2045 }), fc.integer({ min: -8, max: 7 }), (m, e) => {
        const v = sfloatFromRaw(((e & 0xf) << 12) | (m & 0xfff));
        expect(sfloatFromRaw(sfloatToRaw(v))).toBe(v);
      }),
    );
  });
});

describe('FLOAT', () => {
  it('decodes B0 0E 00 FE (LE) as 37.6', () => {
    expect(floatFromRaw(0xfe000eb0)).toBe(37.6);
  });

  it('decodes the five special values', () => {
    expect([0x007fffff, 0x00800000, 0x007ffffe, 0x00800002, 0x00800001].map(floatFromRaw)).toEqual([
      'NaN',
      'NRes',
      '+INF',
      '-INF',
      'reserved',
    ]);
  });

  it('round-trips (m, e) values through decode(encode(x))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -8_388_605, max: 8_388_605 }),
        fc.integer({ min: -10, max: 10 }),
        (m, e) => {
          const v = floatFromRaw((((e & 0xff) << 24) | (m & 0xffffff)) >>> 0);
          expect(floatFromRaw(floatToRaw(v))).toBe(v);
        },
      ),
    );
  });
});
