import {
  BodyCompositionAssembler,
  type BodyCompositionMeasurement,
  decodeBodyCompositionMeasurement,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { splitBodyComposition } from './bcm-packets.js';

const FULL: BodyCompositionMeasurement = {
  units: 'si',
  bodyFatPercent: 24.3,
  timestamp: { year: 2026, month: 7, day: 14, hours: 23, minutes: 41, seconds: 32 },
  userId: 1,
  basalMetabolismKj: 9110,
  musclePercent: 39.3,
  muscleMass: 46.3,
  fatFreeMass: 89.3,
  softLeanMass: 84.8,
  bodyWaterMass: 61.41,
  impedanceOhm: 392.5,
  weight: 117.92,
  height: 1.92,
  multiplePacket: false,
};

describe('splitBodyComposition (BCS v1.0 §3.2, flags bit 12)', () => {
  it('splits a 30-byte BCM into 20 + 20 + 14 bytes at ATT MTU 23, each repeating fat, time and user', () => {
    const packets = splitBodyComposition(FULL, { maxPayload: 20 });
    expect(packets.map(toHex)).toEqual([
      // flags 0x107e (time, user, BMR, muscle %, muscle mass, fat-free mass, bit 12) · fat 243 ·
      // 2026-07-14 23:41:32 · user 1 · 9110 kJ · 393 ‰ · 9260 × 5 g · 17860 × 5 g
      '7e10f300ea07070e17292001962389012c24c445',
      // flags 0x1786 (time, user, soft lean, water, impedance, weight, bit 12) · same head ·
      // 16960 × 5 g · 12282 × 5 g · 3925 × 0.1 Ω · 23584 × 5 g
      '8617f300ea07070e172920014042fa2f550f205c',
      // flags 0x0806 (time, user, height; bit 12 clear: the last packet) · same head · 1920 mm
      '0608f300ea07070e172920018007',
    ]);
  });

  it('lets BodyCompositionAssembler rebuild exactly the original measurement', () => {
    const assembler = new BodyCompositionAssembler();
    const done = splitBodyComposition(FULL, { maxPayload: 20 })
      .map(decodeBodyCompositionMeasurement)
      .flatMap((p) => assembler.push(p));
    expect(done).toEqual([{ packets: 3, measurement: FULL }]);
  });

  it('fits 5 fields per packet without time stamp and user: 2 packets of 14 and 12 bytes', () => {
    const { timestamp: _t, userId: _u, ...bare } = FULL;
    expect(splitBodyComposition(bare, { maxPayload: 14 }).map((p) => p.length)).toEqual([14, 12]);
  });

  it('sends one frame without bit 12 when the measurement fits', () => {
    const packets = splitBodyComposition(FULL, { maxPayload: 244 });
    expect(packets).toHaveLength(1);
    expect(decodeBodyCompositionMeasurement(packets[0]!)).toEqual(FULL);
  });

  it('refuses a payload too small for even one field with SIM_ERR_VALUE_REJECTED', () => {
    expect(() => splitBodyComposition(FULL, { maxPayload: 13 })).toThrow(/SIM_ERR_VALUE_REJECTED/);
  });
});
