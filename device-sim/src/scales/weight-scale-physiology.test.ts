import {
  codecFor,
  currentTimeFromEpochMs,
  decodeWeightMeasurement,
  encodeCurrentTime,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { openUdsSession, settle } from './uds-session.js';
import { WeightScale } from './weight-scale.js';

const ADDR = 'D0:5C:A1:E0:00:04';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 5, 0);
const UCP = codecFor('2a9f');
const consent = (userIndex: number, consentCode: number) =>
  UCP.encode({ opCode: 'consent', userIndex, consentCode });
const USERS = [
  { index: 0, consent: 1000, weightKg: 84, heightCm: 181, gender: 'male' as const },
  {
    index: 1,
    consent: 2000,
    weightKg: 61,
    heightCm: 166,
    gender: 'female' as const,
    dateOfBirth: { year: 1992, month: 8, day: 1 },
  },
];

/**
 * Two weeks of a household: both weigh every morning with nobody connected, a phone comes by every third
 * evening, sets the clock and collects user 0, and twice a guest steps on while it is there.
 */
async function household(seed: number) {
  const clock = new ManualClock(START);
  const scale = new WeightScale({ address: ADDR, seed, clock, users: USERS, unsuccessfulRate: 0.1 });
  const radio = new InMemoryRadio().add(scale);
  for (let day = 0; day < 14; day++) {
    clock.advance(7 * HOUR);
    scale.step({ user: 0 });
    clock.advance(5 * 60_000);
    scale.step({ user: 1 });
    clock.advance(12 * HOUR);
    if (day % 3 === 2) {
      const s = await openUdsSession(radio, scale, { pair: day === 2 });
      await s.link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
      await s.control(consent(0, 1000));
      if (day % 6 === 2) scale.step();
      await settle();
      await s.link.disconnect();
    }
    clock.advance(DAY - 19 * HOUR - 5 * 60_000);
  }
  const wire = scale.wire.map((r) => `${r.at} ${r.service}/${r.characteristic} ${r.kind} ${toHex(r.bytes)}`);
  return { scale, wire };
}

describe('WeightScale determinism and physiology', () => {
  it('puts byte-identical frames on the wire for seed 42 twice, and different ones for seed 43', async () => {
    const a = await household(42);
    const b = await household(42);
    const c = await household(43);
    expect(a.wire.length).toBeGreaterThan(40);
    expect(a.wire).toEqual(b.wire);
    expect(c.wire).not.toEqual(a.wire);
    expect(a.scale.taken).toEqual(b.scale.taken);
  });

  it('delivers every reading of user 0 exactly once across the visits, keeping user 1 stored', async () => {
    const { scale } = await household(42);
    const sent = scale.wire
      .filter((r) => r.characteristic === '2a9d')
      .map((r) => decodeWeightMeasurement(r.bytes))
      .filter((w) => w.userId === 0);
    // Day 13's morning reading waits for a visit that never comes.
    const owed = scale.taken.filter((t) => t.userId === 0).slice(0, 12);
    expect(sent.map((w) => w.weight)).toEqual(owed.map((t) => t.weightKg));
    expect(scale.storedReadings(0)).toHaveLength(2);
    expect(scale.storedReadings(1)).toHaveLength(14);
  });

  it('stamps readings taken before the first clock write in 2000, later ones in 2026', async () => {
    const { scale } = await household(42);
    const years = scale.taken.filter((t) => t.userId === 0).map((t) => t.timestamp.year);
    expect(years).toEqual([2000, 2000, 2000, ...Array(11).fill(2026)]);
  });

  it('fast-forwards 180 days of morning weighings: a slow, bounded drift with small daily changes', () => {
    const clock = new ManualClock(START + 7 * HOUR);
    const scale = new WeightScale({ address: ADDR, seed: 5, clock, users: USERS, unsuccessfulRate: 0 });
    for (let day = 0; day < 180; day++) {
      scale.step({ user: 0 });
      clock.advance(DAY);
    }
    const w = scale.taken.map((t) => t.weightKg!);
    const steps = w.slice(1).map((x, i) => Math.abs(x - w[i]!));
    expect(Math.min(...w)).toBeGreaterThan(84 - 4);
    expect(Math.max(...w)).toBeLessThan(84 + 4);
    expect(Math.max(...steps)).toBeLessThan(1.2);
    expect(Math.max(...w) - Math.min(...w)).toBeGreaterThan(0.8);
    expect(scale.storedReadings(0)).toHaveLength(30);
  });

  it('weighs about 0.8 kg more at 19:00 than at 07:00 on the same days', () => {
    const clock = new ManualClock(START + 7 * HOUR);
    const scale = new WeightScale({ address: ADDR, seed: 9, clock, users: USERS, unsuccessfulRate: 0 });
    for (let day = 0; day < 30; day++) {
      scale.step({ user: 1 });
      clock.advance(12 * HOUR);
      scale.step({ user: 1 });
      clock.advance(12 * HOUR);
    }
    const w = scale.taken.map((t) => t.weightKg!);
    const diffs = Array.from({ length: 30 }, (_, d) => w[2 * d + 1]! - w[2 * d]!);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    expect(mean).toBeGreaterThan(0.6);
    expect(mean).toBeLessThan(1.0);
  });

  it('computes body composition consistent with weight, height and sex', () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 7));
    const scale = new WeightScale({ address: ADDR, seed: 2, clock, users: USERS, unsuccessfulRate: 0 });
    scale.step({ user: 0 });
    scale.step({ user: 1 });
    const [him, her] = scale.taken.map((t) => t.composition!);
    for (const c of [him!, her!]) {
      const fatKg = (c.weightKg * c.bodyFatPercent) / 100;
      expect(Math.abs(fatKg + c.fatFreeMassKg - c.weightKg)).toBeLessThan(0.1);
      expect(c.bodyWaterMassKg / c.fatFreeMassKg).toBeCloseTo(0.72, 2);
      expect(c.softLeanMassKg).toBeLessThan(c.fatFreeMassKg);
      expect(c.muscleMassKg).toBeLessThan(c.softLeanMassKg);
      expect(c.impedanceOhm).toBeGreaterThan(350);
      expect(c.impedanceOhm).toBeLessThan(650);
    }
    expect(her!.bodyFatPercent).toBeGreaterThan(him!.bodyFatPercent);
    expect(her!.impedanceOhm).toBeGreaterThan(him!.impedanceOhm);
    expect(her!.basalMetabolismKj).toBeLessThan(him!.basalMetabolismKj);
  });
});
