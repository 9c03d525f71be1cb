import { describe, expect, it } from 'vitest';
import { BeatTrain } from './beats.js';
import { EnergyMeter } from './energy.js';
import { HeartRateModel } from './heart-rate.js';

const T0 = Date.UTC(2026, 0, 1, 12);

describe('HeartRateModel', () => {
  it('follows a step of effort with a lag: most of the rise within a minute, not within five seconds', () => {
    const effortFrom = T0 + 60_000;
    const model = new HeartRateModel({
      seed: 1,
      restingBpm: 60,
      maxBpm: 180,
      activity: (t) => (t >= effortFrom ? 0.8 : 0),
    });
    const rates: number[] = [];
    for (let t = T0; t <= T0 + 5 * 60_000; t += 1000) rates.push(model.sample(t));
    const before = rates[59]!;
    const target = model.targetAt(T0 + 5 * 60_000);
    expect(target - model.targetAt(T0)).toBeGreaterThan(80);
    expect(rates[65]! - before).toBeLessThan((target - before) * 0.4);
    expect(rates[150]!).toBeGreaterThan(before + (target - before) * 0.8);
  });

  it('replays the same rates for the same seed and sample times', () => {
    const sample = (seed: number) => {
      const m = new HeartRateModel({ seed });
      return Array.from({ length: 50 }, (_, i) => m.sample(T0 + i * 1000));
    };
    expect(sample(9)).toEqual(sample(9));
    expect(sample(9)).not.toEqual(sample(10));
  });
});

describe('BeatTrain', () => {
  it('yields intervals averaging 60 000 / rate and nothing after a gap', () => {
    const beats = new BeatTrain(2);
    expect(beats.beatsUntil(T0, 75)).toEqual([]);
    const rr: number[] = [];
    for (let t = T0 + 1000; t <= T0 + 120_000; t += 1000) rr.push(...beats.beatsUntil(t, 75));
    const mean = rr.reduce((a, b) => a + b, 0) / rr.length;
    expect(Math.abs(mean - 800)).toBeLessThan(15);
    expect(rr.length).toBeGreaterThan(145);
    expect(rr.length).toBeLessThan(152);
    expect(beats.beatsUntil(T0 + 200_000, 75)).toEqual([]);
  });
});

describe('EnergyMeter', () => {
  it('integrates resting and active energy, resets to zero, and saturates at 0xFFFF', () => {
    const meter = new EnergyMeter({
      origin: T0,
      intensity: (t) => (t < T0 + 3_600_000 ? 1 : 0),
      restingKjPerDay: 8640,
      activeKjPerMinute: 10,
    });
    // One hour at full effort: 360 kJ resting share + 600 kJ active.
    expect(meter.valueAt(T0 + 3_600_000)).toBe(960);
    meter.reset(T0 + 3_600_000);
    expect(meter.valueAt(T0 + 2 * 3_600_000)).toBe(360);
    expect(meter.valueAt(T0 + 30 * 86_400_000)).toBe(0xffff);
  });
});
