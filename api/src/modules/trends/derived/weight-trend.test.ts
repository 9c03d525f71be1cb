import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from './series.js';
import { parseSmoother, weightTrend } from './weight-trend.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T07:00:00Z');
/** Weights at whole days after T0: [[day, kg], ...]. */
const series = (pairs: readonly (readonly [number, number])[]): SeriesPoint[] =>
  pairs.map(([d, v]) => ({ t: T0 + d * DAY, v }));
const smoothed = (r: { points: { smoothed: number }[] }) => r.points.map((p) => p.smoothed);

describe('weightTrend ema-10', () => {
  it('moves 10 % towards each reading: 100, 90, 95 → 100, 99, 98.6', () => {
    const r = weightTrend(
      series([
        [0, 100],
        [1, 90],
        [1.5, 95],
      ]),
      'ema-10',
    );
    expect(r.points.map((p) => p.raw)).toEqual([100, 90, 95]);
    expect(smoothed(r)[0]).toBe(100);
    expect(smoothed(r)[1]).toBeCloseTo(99, 12);
    expect(smoothed(r)[2]).toBeCloseTo(98.6, 12);
  });
});

describe('weightTrend ema-tau-7d', () => {
  it('gives a reading 7 days after the seed the weight 1 − e^−1', () => {
    const r = weightTrend(
      series([
        [0, 80],
        [7, 81],
      ]),
      'ema-tau-7d',
    );
    expect(smoothed(r)[1]).toBeCloseTo(80 + (1 - Math.exp(-1)), 12);
    expect(smoothed(r)[1]).toBeCloseTo(80.6321205588, 10);
  });

  it('gives a second reading at the same instant no weight, and one after 1 day 1 − e^(−1/7)', () => {
    const r = weightTrend(
      series([
        [0, 80],
        [0, 90],
        [1, 87],
      ]),
      'ema-tau-7d',
    );
    const w = 1 - Math.exp(-1 / 7);
    expect(smoothed(r)).toEqual([80, 80, 80 + w * 7]);
  });
});

describe('weightTrend holt', () => {
  it('matches a hand computation on daily data (α 0.3, β 0.1): 100, 100.3, 101.131', () => {
    // Day 1: level = .3·101 + .7·100 = 100.3, trend = .1·0.3 = 0.03.
    // Day 2: level = .3·103 + .7·(100.3 + 0.03) = 101.131.
    const r = weightTrend(
      series([
        [0, 100],
        [1, 101],
        [2, 103],
      ]),
      'holt',
    );
    expect(smoothed(r)[0]).toBe(100);
    expect(smoothed(r)[1]).toBeCloseTo(100.3, 12);
    expect(smoothed(r)[2]).toBeCloseTo(101.131, 12);
  });

  it('raises the level weight to .3/(.3 + .7²) for a 2-day gap (Wright 1986)', () => {
    // a = .3 / .79; level = 100 + a·2; trend = b·(level − 100)/2 with b = .1/.91.
    // Day 3 (k = 1): a' = a/(a + .7), level = a'·104 + (1 − a')·(level + trend).
    const a = 0.3 / 0.79;
    const level2 = 100 + a * 2;
    const trend2 = ((0.1 / 0.91) * (level2 - 100)) / 2;
    const a3 = a / (a + 0.7);
    const level3 = a3 * 104 + (1 - a3) * (level2 + trend2);
    const r = weightTrend(
      series([
        [0, 100],
        [2, 102],
        [3, 104],
      ]),
      'holt',
    );
    expect(smoothed(r)[1]).toBeCloseTo(100.759493670886, 10);
    expect(smoothed(r)[2]).toBeCloseTo(level3, 12);
  });

  it('restarts the level at a reading after a 100-day gap', () => {
    const r = weightTrend(
      series([
        [0, 90],
        [100, 80],
      ]),
      'holt',
    );
    expect(smoothed(r)[1]).toBeCloseTo(80, 6);
  });

  it('uses custom α 1: the level is each reading', () => {
    const r = weightTrend(
      series([
        [0, 70],
        [1, 71],
        [2, 69],
      ]),
      'holt',
      { alpha: 1, beta: 0.5 },
    );
    expect(smoothed(r)).toEqual([70, 71, 69]);
  });

  it('keeps the trend (0.03 kg/day) through a second reading at the same instant', () => {
    // k = 0: a = .3/(.3 + 1), level = 70.3 + a·(71 − 70.3), trend stays 0.03.
    // Day 2: a' = a/(a + .7), level = a'·72 + (1 − a')·(level + 0.03).
    const a3 = 0.3 / 1.3;
    const level3 = 70.3 + a3 * 0.7;
    const a4 = a3 / (a3 + 0.7);
    const r = weightTrend(
      series([
        [0, 70],
        [1, 71],
        [1, 71],
        [2, 72],
      ]),
      'holt',
    );
    expect(smoothed(r)[2]).toBeCloseTo(level3, 12);
    expect(smoothed(r)[3]).toBeCloseTo(a4 * 72 + (1 - a4) * (level3 + 0.03), 12);
  });

  it.each([0, 1.2, Number.NaN])('rejects α %s with API_ERR_VALIDATION', (alpha) => {
    expect(() => weightTrend(series([[0, 70]]), 'holt', { alpha })).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: expect.objectContaining({ field: 'querystring.alpha' }),
      }),
    );
  });
});

describe('weightTrend weekly_rate_kg', () => {
  it('is null with 6.9 days of history', () => {
    expect(
      weightTrend(
        series([
          [0, 80],
          [6.9, 79],
        ]),
        'ema-10',
      ).weekly_rate_kg,
    ).toBeNull();
  });

  it('is smoothed(last) − smoothed(at last − 7 d) with exactly 7 days', () => {
    // ema-10: 80, 79.9 → rate −0.1.
    const r = weightTrend(
      series([
        [0, 80],
        [7, 79],
      ]),
      'ema-10',
    );
    expect(r.weekly_rate_kg).toBeCloseTo(-0.1, 12);
  });

  it('takes the point at or before last − 7 d, not the one just after', () => {
    // ema-10 over 80, 70, 70, 70 at days 0, 2, 8, 9.5 → 80, 79, 78.1, 77.29; reference is day 2 (79).
    const r = weightTrend(
      series([
        [0, 80],
        [2, 70],
        [8, 70],
        [9.5, 70],
      ]),
      'ema-10',
    );
    expect(r.weekly_rate_kg).toBeCloseTo(77.29 - 79, 12);
  });

  it('returns no points and a null rate for no readings', () => {
    expect(weightTrend([], 'holt')).toEqual({ smoother: 'holt', points: [], weekly_rate_kg: null });
  });
});

describe('parseSmoother', () => {
  it('accepts the three ids exactly', () => {
    expect(['ema-10', 'ema-tau-7d', 'holt'].map((s) => parseSmoother(s))).toEqual([
      'ema-10',
      'ema-tau-7d',
      'holt',
    ]);
  });

  it.each(['EMA-10', 'ema10', 'holt '])('rejects %j with API_ERR_VALIDATION', (text) => {
    expect(() => parseSmoother(text)).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: expect.objectContaining({ field: 'querystring.smoother', value: text }),
      }),
    );
  });
});
