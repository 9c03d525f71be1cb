import { describe, expect, it } from 'vitest';
import { HOUR_MS, localHour, nextOutside } from './circadian.js';
import { EpisodeSchedule } from './episodes.js';
import { seededStream } from './random.js';

const T0 = Date.UTC(2026, 0, 1);

const schedule = (seed: number) =>
  new EpisodeSchedule({
    rng: seededStream(seed, 'test'),
    origin: T0,
    meanGapMs: 2 * HOUR_MS,
    durationMs: [10 * 60_000, 30 * 60_000],
    magnitude: [0.5, 1],
    shiftStart: (t) => nextOutside(t, 22, 6),
  });

describe('EpisodeSchedule', () => {
  it('finds the same episodes whether sampled every minute or asked once for the whole range', () => {
    const fine = schedule(3);
    const seen = new Map<number, number>();
    for (let t = T0; t < T0 + 3 * 24 * HOUR_MS; t += 60_000) {
      const e = fine.at(t);
      if (e) seen.set(e.start, e.end);
    }
    const coarse = schedule(3).between(T0, T0 + 3 * 24 * HOUR_MS);
    expect(coarse.length).toBeGreaterThan(10);
    expect(coarse.map((e) => [e.start, e.end])).toEqual([...seen.entries()]);
  });

  it('keeps episodes apart, sized within bounds, starting after the origin and outside the excluded hours', () => {
    const eps = schedule(4).between(T0, T0 + 10 * 24 * HOUR_MS);
    for (const [i, e] of eps.entries()) {
      expect(e.start).toBeGreaterThanOrEqual(T0);
      expect(e.end - e.start).toBeGreaterThanOrEqual(10 * 60_000);
      expect(e.end - e.start).toBeLessThanOrEqual(30 * 60_000);
      expect(e.magnitude).toBeGreaterThanOrEqual(0.5);
      expect(localHour(e.start)).toBeGreaterThanOrEqual(6);
      expect(localHour(e.start)).toBeLessThan(22);
      if (i > 0) expect(e.start).toBeGreaterThanOrEqual(eps[i - 1]!.end);
    }
    expect(schedule(4).at(T0 - 1)).toBeUndefined();
  });

  it('differs between seeds', () => {
    const a = schedule(5).between(T0, T0 + 24 * HOUR_MS);
    const b = schedule(6).between(T0, T0 + 24 * HOUR_MS);
    expect(a.map((e) => e.start)).not.toEqual(b.map((e) => e.start));
  });
});
