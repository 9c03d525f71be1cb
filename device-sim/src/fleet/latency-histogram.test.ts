import { describe, expect, it } from 'vitest';
import { createRng } from '../prng.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Exact nearest-rank percentile of a sorted sample: the reference the histogram must stay within 1 % of. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function check(values: number[]): void {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const p of [1, 25, 50, 90, 99, 99.9, 100]) {
    const want = exact(sorted, p);
    const got = h.percentile(p);
    expect(got, `p${p}`).toBeGreaterThanOrEqual(want * (1 - 1e-9));
    expect(got, `p${p}`).toBeLessThanOrEqual(want * 1.01 + 1e-12);
  }
  expect(h.count).toBe(values.length);
  expect(h.summary().max).toBeCloseTo(sorted.at(-1)!, 3);
}

describe('LatencyHistogram', () => {
  it('reports 0 for every percentile when nothing was recorded', () => {
    expect(new LatencyHistogram().summary()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('returns the exact value when every sample is the same', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) h.record(4.2);
    expect(h.summary()).toEqual({ p50: 4.2, p90: 4.2, p99: 4.2, max: 4.2 });
  });

  it('stays within 1 % above the exact nearest-rank percentile for 1…1000 ms', () => {
    check(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('stays within 1 % on a long-tailed (log-normal) sample of 100 000 latencies', () => {
    const rng = createRng(99);
    const values = Array.from({ length: 100_000 }, () => {
      const z = Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
      return Math.exp(0.5 + 1.2 * z);
    });
    check(values);
  });

  it('places p50/p90/p99 where a bimodal sample puts them (fast acks, then a slow 5 %)', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 950; i++) h.record(1);
    for (let i = 0; i < 50; i++) h.record(200);
    const s = h.summary();
    expect(s.p50).toBeCloseTo(1, 1);
    expect(s.p90).toBeCloseTo(1, 1);
    expect(s.p99).toBeGreaterThanOrEqual(200);
    expect(s.p99).toBeLessThanOrEqual(202);
    expect(s.max).toBe(200);
  });

  it('keeps sub-microsecond and beyond-range samples: the max stays exact', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(0.0001);
    h.record(5_000_000);
    expect(h.count).toBe(3);
    expect(h.percentile(50)).toBeLessThanOrEqual(0.001);
    expect(h.summary().max).toBe(5_000_000);
    expect(h.percentile(100)).toBe(5_000_000);
  });

  it('ignores NaN and negative samples (a clock step) instead of corrupting the counts', () => {
    const h = new LatencyHistogram();
    h.record(Number.NaN);
    h.record(-3);
    h.record(10);
    expect(h.count).toBe(1);
    expect(h.summary()).toEqual({ p50: 10, p90: 10, p99: 10, max: 10 });
  });
});
