import {
  decodeMiBodyCompositionScale2,
  decodeMiScaleV1,
  isPublishable,
  matchProfile,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { MiScale, type MiScaleOptions } from './mi-scale.js';

const ADDR = '5C:CA:D3:00:00:01';
const START = Date.UTC(2026, 1, 14, 16, 41, 58);

function run(extra: Partial<MiScaleOptions> = {}, seed = 21) {
  const clock = new ManualClock(START);
  const scale = new MiScale({
    address: ADDR,
    seed,
    clock,
    users: [{ weightKg: 72.5, heightCm: 178 }],
    ...extra,
  });
  scale.step();
  clock.advance(10_000);
  return { clock, scale, adverts: scale.wire.filter((r) => r.kind === 'advertisement') };
}

describe('MiScale (Mi Body Composition Scale 2 service data)', () => {
  it('advertises 5 unsettled weights, 2 stable ones, 3 with impedance and one with load removed, 500 ms apart', () => {
    const { scale, adverts } = run();
    const frames = adverts.map((r) => decodeMiBodyCompositionScale2(r.bytes));
    const truth = scale.taken[0]!;
    expect(adverts.map((r) => r.service)).toEqual(Array(11).fill('181b'));
    expect(adverts.map((r) => r.at - START)).toEqual(Array.from({ length: 11 }, (_, i) => i * 500));
    expect(frames.map((f) => [f.stabilized, f.impedancePresent, f.loadRemoved])).toEqual([
      ...Array(5).fill([false, false, false]),
      [true, false, false],
      [true, false, false],
      ...Array(3).fill([true, true, false]),
      [true, true, true],
    ]);
    const readings = frames.filter(isPublishable);
    expect(readings.map((f) => f.weight)).toEqual(Array(5).fill(truth.weightKg));
    expect(frames.filter((f) => f.impedancePresent).map((f) => f.impedanceOhm)).toEqual(
      Array(4).fill(truth.impedanceOhm),
    );
    expect(truth.weightKg).toBeGreaterThan(70);
    expect(truth.weightKg).toBeLessThan(75);
    expect(truth.impedanceOhm).toBeGreaterThan(350);
    expect(truth.impedanceOhm).toBeLessThan(650);
    expect(frames.slice(0, 5).every((f) => f.weight < truth.weightKg + 1.5)).toBe(true);
    expect(frames[0]!.timestamp).toEqual({
      year: 2026,
      month: 2,
      day: 14,
      hours: 16,
      minutes: 41,
      seconds: 58,
    });
  });

  it('is found by scan under MIBFS with its latest frame, matches the Xiaomi profile, and refuses connections', async () => {
    const { scale, adverts } = run();
    const radio = new InMemoryRadio().add(scale);
    const [found] = await radio.scan({ durationMs: 0, services: ['181b'] });
    expect(found?.name).toBe('MIBFS');
    expect(found?.connectable).toBe(false);
    expect(toHex(found!.serviceData!['181b']!)).toBe(toHex(adverts.at(-1)!.bytes));
    expect(matchProfile({ name: 'MIBFS', services: [0x181b] })?.id).toBe('xiaomi.mi-body-composition-scale');
    await expect(radio.connect(ADDR)).rejects.toMatchObject({ code: 'SIM_ERR_NOT_PERMITTED' });
  });

  it('replays byte-identical adverts for seed 21 twice, and different ones for seed 22', () => {
    const hex = (seed: number) => run({}, seed).adverts.map((r) => `${r.at} ${toHex(r.bytes)}`);
    expect(hex(21)).toEqual(hex(21));
    expect(hex(22)).not.toEqual(hex(21));
  });

  it('cuts a weighing short when someone else steps on, and weighs each user near their own weight', () => {
    const clock = new ManualClock(START);
    const scale = new MiScale({
      address: ADDR,
      seed: 4,
      clock,
      users: [{ weightKg: 58 }, { weightKg: 96, heightCm: 190, gender: 'male' }],
    });
    scale.step({ user: 0 });
    clock.advance(1_000);
    scale.step({ user: 1 });
    clock.advance(10_000);
    const frames = scale.wire.map((r) => decodeMiBodyCompositionScale2(r.bytes));
    expect(frames).toHaveLength(3 + 11);
    expect(scale.taken.map((t) => Math.round(t.weightKg / 10) * 10)).toEqual([60, 100]);
    expect(frames.filter(isPublishable).every((f) => f.weight === scale.taken[1]!.weightKg)).toBe(true);
    expect(() => scale.step({ user: 2 })).toThrow(/SIM_ERR_INVALID_OPTION/);
  });
});

describe('MiScale (Mi Scale v1 service data)', () => {
  it('sends 0x181D frames in lb with no impedance stage under MI SCALE2, clock at 1970 when unset', () => {
    const { scale, adverts } = run({ model: 'mi-scale', unit: 'lb', unsetClock: 1970 });
    const frames = adverts.map((r) => decodeMiScaleV1(r.bytes));
    expect(scale.name).toBe('MI SCALE2');
    expect(adverts.map((r) => r.service)).toEqual(Array(9).fill('181d'));
    expect(frames.map((f) => [f.stabilized, f.loadRemoved])).toEqual([
      ...Array(5).fill([false, false]),
      ...Array(3).fill([true, false]),
      [true, true],
    ]);
    const lb = Math.round((scale.taken[0]!.weightKg / 0.45359237) * 100) / 100;
    expect(frames.filter(isPublishable).map((f) => [f.unit, f.weight])).toEqual(Array(3).fill(['lb', lb]));
    expect(scale.taken[0]!.impedanceOhm).toBeUndefined();
    expect(frames[0]!.timestamp).toEqual({ year: 1970, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 });
  });
});
