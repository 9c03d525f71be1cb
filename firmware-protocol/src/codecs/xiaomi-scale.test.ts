import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, dateTimeArb, hex } from '../../test/support.js';
import { toHex } from '../hex.js';
import {
  decodeMiBodyCompositionScale2,
  decodeMiScaleV1,
  encodeMiBodyCompositionScale2,
  encodeMiScaleV1,
  type MiBodyCompositionScale2Advertisement,
  type MiScaleUnit,
  type MiScaleV1Advertisement,
  viewMiBodyCompositionScale2,
  viewMiScaleV1,
} from './xiaomi-scale.js';

const FEB_14 = { year: 2022, month: 2, day: 14, hours: 16, minutes: 41, seconds: 58 };

describe('Mi Scale v1 service data 0x181D', () => {
  it('decodes a stabilized 86.55 kg frame from 2021-04-11', () => {
    const frame = hex(
      '22' + // control: bit 1 (set on every frame), bit 5 stabilized
        '9e43' + // weight 0x439E = 17310 / 200 = 86.55 kg
        'e507 04 0b 10 13 01', // 2021-04-11 16:19:01
    );
    expect(decodeMiScaleV1(frame)).toEqual({
      unit: 'kg',
      weight: 86.55,
      stabilized: true,
      loadRemoved: false,
      theengsObjectMode: false,
      timestamp: { year: 2021, month: 4, day: 11, hours: 16, minutes: 19, seconds: 1 },
      otherControlBits: 0x02,
    });
  });

  it('renders the Theengs object frame 0x62: 9.55 kg, publishable, object mode, dated 2022-02-14 16:41:58', () => {
    const frame = hex(
      '62' + // control: bit 1, bit 5 stabilized, bit 6 Theengs object mode
        '7607' + // 1910 / 200 = 9.55 kg
        'e607 02 0e 10 29 3a', // 2022-02-14 16:41:58
    );
    expect(viewMiScaleV1(decodeMiScaleV1(frame))).toEqual({
      valid: true,
      transport: 'adv_service_data',
      control: 0x62,
      unit: 'kg',
      weight_kg: 9.55,
      stabilized_flag: true,
      load_removed_flag: false,
      publishable: true,
      timestamp: { year: 2022, month: 2, day: 14, hours: 16, minutes: 41, seconds: 58 },
      theengs_weighing_mode: 'object',
    });
  });

  it('renders a removed lb frame 0xA3 as 131.7 lb, not publishable', () => {
    const v = viewMiScaleV1(decodeMiScaleV1(hex('a3 7233 e607020e10293a'))); // lb, stabilized, removed
    expect([v.weight_lb, v.publishable, v.theengs_weighing_mode]).toEqual([131.7, false, 'person']);
  });

  it('reads bit 4 as jin: 0x30 with raw 12000 is 120 jin, and Theengs does not claim it', () => {
    const v = viewMiScaleV1(decodeMiScaleV1(hex('30 e02e e607020e10293a')));
    expect([v.unit, v.weight_jin, 'theengs_weighing_mode' in v]).toEqual(['jin', 120, false]);
  });

  it('rejects a 9-byte frame as PROTO_ERR_WRONG_LENGTH at byte 9', () => {
    expect(codeOf(() => decodeMiScaleV1(hex('22 9e43 e507040b1013')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 9,
    });
  });

  it('rejects month 13 as PROTO_ERR_OUT_OF_RANGE at byte 3 (the date)', () => {
    expect(codeOf(() => decodeMiScaleV1(hex('22 9e43 e507 0d 0b 10 13 01')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 3,
    });
  });

  it('refuses other control bits that would turn kg into lb with PROTO_ERR_OUT_OF_RANGE', () => {
    const m = { ...decodeMiScaleV1(hex('22 9e43 e507040b101301')), otherControlBits: 0x03 };
    expect(codeOf(() => encodeMiScaleV1(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('refuses 400 kg (raw 80000) with PROTO_ERR_OUT_OF_RANGE', () => {
    const m = { ...decodeMiScaleV1(hex('22 9e43 e507040b101301')), weight: 400 };
    expect(codeOf(() => encodeMiScaleV1(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid v1 frame and re-encodes real frames byte-exactly', () => {
    for (const f of [
      '627607e607020e10293a',
      'a37233e607020e10293a',
      'a22044b20701010a1a15',
      '339e43e507040b101301',
    ]) {
      expect(toHex(encodeMiScaleV1(decodeMiScaleV1(hex(f))))).toBe(f);
    }
    fc.assert(
      fc.property(commonArb(0x0e, 0x10 | 0x0e), (m: MiScaleV1Advertisement) => {
        expect(decodeMiScaleV1(encodeMiScaleV1(m))).toEqual(m);
      }),
    );
  });
});

describe('Mi Body Composition Scale 2 service data 0x181B', () => {
  it('renders a completed measurement with impedance 503 Ω and its date', () => {
    const frame = hex(
      '02' + // control 0: bit 1
        '26' + // control 1: bit 1 impedance present, bit 2, bit 5 stabilized
        'e607 02 0e 10 29 3a' + // 2022-02-14 16:41:58
        'f701' + // impedance 503 Ω
        '9a38', // weight 14490 / 200 = 72.45 kg
    );
    expect(viewMiBodyCompositionScale2(decodeMiBodyCompositionScale2(frame))).toEqual({
      valid: true,
      transport: 'adv_service_data',
      control: [2, 0x26],
      unit: 'kg',
      weight_kg: 72.45,
      impedance_ohm: 503,
      stabilized_flag: true,
      load_removed_flag: false,
      publishable: true,
      timestamp: FEB_14,
      theengs_weighing_mode: 'person',
    });
  });

  it('hides impedance and date on an unloaded frame whose impedance bit is still set', () => {
    const frame = hex('02 82 b207 05 04 0f 02 01 0000 0000'); // impedance bit, load removed, 1970-05-04
    const v = viewMiBodyCompositionScale2(decodeMiBodyCompositionScale2(frame));
    expect(['impedance_ohm' in v, 'timestamp' in v, 'theengs_weighing_mode' in v, v.publishable]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('reads control 1 bit 6 as jin: 0x02 0x64 with raw 14490 is 144.9 jin', () => {
    const m = decodeMiBodyCompositionScale2(hex('02 64 e607020e10293a 0000 9a38'));
    expect([m.unit, m.weight, m.otherControlBits]).toEqual(['jin', 144.9, 0x0402]);
  });

  it('rejects a 14-byte frame as PROTO_ERR_WRONG_LENGTH at byte 13', () => {
    expect(codeOf(() => decodeMiBodyCompositionScale2(hex('0226e607020e10293af7019a3800')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 13,
    });
  });

  it('refuses impedance 70000 Ω with PROTO_ERR_OUT_OF_RANGE', () => {
    const m = { ...decodeMiBodyCompositionScale2(hex('0226e607020e10293af7019a38')), impedanceOhm: 70000 };
    expect(codeOf(() => encodeMiBodyCompositionScale2(m)).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips any valid v2 frame and re-encodes real frames byte-exactly', () => {
    for (const f of [
      '0226e607020e10293af7019a38',
      '0724e607020e10293a0000ce04',
      '0282b20705040f020100000000',
    ]) {
      expect(toHex(encodeMiBodyCompositionScale2(decodeMiBodyCompositionScale2(hex(f))))).toBe(f);
    }
    const arb = fc
      .tuple(commonArb(0x1dfa, 0x4000 | 0x1dfa), fc.boolean(), fc.integer({ min: 0, max: 0xffff }))
      .map(
        ([c, impedancePresent, impedanceOhm]): MiBodyCompositionScale2Advertisement => ({
          ...c,
          impedancePresent,
          impedanceOhm,
        }),
      );
    fc.assert(
      fc.property(arb, (m) => {
        expect(decodeMiBodyCompositionScale2(encodeMiBodyCompositionScale2(m))).toEqual(m);
      }),
    );
  });
});

/** Valid values: `free` = control bits with no meaning (kg/jin); `freeLb` = the same plus jin's bit for lb. */
function commonArb(free: number, freeLb: number): fc.Arbitrary<MiScaleV1Advertisement> {
  return fc
    .record({
      unit: fc.constantFrom<MiScaleUnit>('kg', 'lb', 'jin'),
      raw: fc.integer({ min: 0, max: 0xffff }),
      stabilized: fc.boolean(),
      loadRemoved: fc.boolean(),
      theengsObjectMode: fc.boolean(),
      timestamp: dateTimeArb,
      bits: fc.integer({ min: 0, max: 0xffff }),
    })
    .map(({ unit, raw, bits, ...rest }) => ({
      ...rest,
      unit,
      weight: raw / (unit === 'kg' ? 200 : 100),
      otherControlBits: bits & (unit === 'lb' ? freeLb : free),
    }));
}
