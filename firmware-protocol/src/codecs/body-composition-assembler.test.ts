import { describe, expect, it } from 'vitest';
import { hex } from '../../test/support.js';
import { decodeBodyCompositionMeasurement as decode } from './body-composition.js';
import { BodyCompositionAssembler } from './body-composition-assembler.js';

/**
 * A 30-byte BCM split at the default MTU (20-byte payload) the way BCS describes: every packet is a
 * self-describing BCM with bit 12 and the mandatory body fat. The Beurer BF788 values are reused.
 */
const PACKET_1 = hex(
  '9e11' + // flags 0x119E: time stamp (1), user (2), BMR (3), muscle % (4), soft lean (7), body water (8), multi (12)
    'f300' + // body fat 24.3 %
    'ea07 07 0e 17 29 20' + // 2026-07-14 23:41:32
    '01' + // user 1
    '9623' + // basal metabolism 9110 kJ
    '8901' + // muscle 39.3 %
    '4042' + // soft lean 84.8 kg
    'fa2f', // body water 61.41 kg → 20 bytes
);
const PACKET_2 = hex(
  '0616' + // flags 0x1606: time stamp (1), user (2), impedance (9), weight (10), multi (12)
    'f300' + // body fat 24.3 % (repeated, as every packet must carry it)
    'ea07 07 0e 17 29 21' + // 2026-07-14 23:41:33: a packet stamped one second later; the first stamp wins
    '01' + // user 1
    '550f' + // impedance 392.5 Ω
    '205c', // weight 117.92 kg
);
const MERGED = {
  units: 'si',
  bodyFatPercent: 24.3,
  timestamp: { year: 2026, month: 7, day: 14, hours: 23, minutes: 41, seconds: 32 },
  userId: 1,
  basalMetabolismKj: 9110,
  musclePercent: 39.3,
  softLeanMass: 84.8,
  bodyWaterMass: 61.41,
  impedanceOhm: 392.5,
  weight: 117.92,
  multiplePacket: false,
};

describe('BodyCompositionAssembler', () => {
  it('emits a frame without bit 12 at once as a one-packet reading', () => {
    const a = new BodyCompositionAssembler();
    expect(a.push(decode(hex('0004 c800 803e')))).toEqual([
      { measurement: { units: 'si', bodyFatPercent: 20, weight: 80, multiplePacket: false }, packets: 1 },
    ]);
    expect(a.pendingPackets).toBe(0);
  });

  it('holds two bit-12 packets and merges them on flush, keeping the first time stamp', () => {
    const a = new BodyCompositionAssembler();
    expect(a.push(decode(PACKET_1))).toEqual([]);
    expect(a.push(decode(PACKET_2))).toEqual([]);
    expect(a.pendingPackets).toBe(2);
    expect(a.flush()).toEqual({ measurement: MERGED, packets: 2 });
    expect(a.flush()).toBeUndefined();
  });

  it('closes the group with a last packet that clears bit 12', () => {
    const last = decode(PACKET_2);
    last.multiplePacket = false;
    const a = new BodyCompositionAssembler();
    a.push(decode(PACKET_1));
    expect(a.push(last)).toEqual([{ measurement: MERGED, packets: 2 }]);
  });

  it('splits back-to-back stored records when a packet repeats basal metabolism', () => {
    const a = new BodyCompositionAssembler();
    a.push(decode(PACKET_1));
    a.push(decode(PACKET_2));
    const out = a.push(decode(PACKET_1)); // the next record starts: BMR is already in the group
    expect(out).toEqual([{ measurement: MERGED, packets: 2 }]);
    expect(a.pendingPackets).toBe(1);
  });

  it('splits when the next packet names user 2 instead of user 1', () => {
    const other = decode(PACKET_2);
    other.userId = 2;
    const a = new BodyCompositionAssembler();
    a.push(decode(PACKET_1));
    const out = a.push(other);
    expect(out.map((r) => [r.packets, r.measurement.userId])).toEqual([[1, 1]]);
    expect(a.flush()?.measurement.userId).toBe(2);
  });

  it('splits when the units change from kg to lb', () => {
    const imperial = decode(PACKET_2);
    imperial.units = 'imperial';
    const a = new BodyCompositionAssembler();
    a.push(decode(PACKET_1));
    expect(a.push(imperial).map((r) => r.packets)).toEqual([1]);
  });

  it('emits the pending group and then a conflicting single frame in one push (2 readings)', () => {
    const a = new BodyCompositionAssembler();
    a.push(decode(PACKET_1));
    const single = decode(hex('0800 c800 1027')); // BMR again, no bit 12: a separate one-frame reading
    const out = a.push(single);
    expect(out.map((r) => [r.packets, r.measurement.basalMetabolismKj])).toEqual([
      [1, 9110],
      [1, 10000],
    ]);
    expect(a.pendingPackets).toBe(0);
  });
});
