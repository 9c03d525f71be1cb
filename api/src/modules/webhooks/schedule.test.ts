import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS } from './schedule.js';

const HOUR = 3_600_000;

describe('retry schedule', () => {
  it('spans more than 72 hours from the first failure to the last attempt, even with the lowest jitter', () => {
    let t = 0;
    for (let failed = 1; failed < MAX_ATTEMPTS; failed++) t = nextAttemptAt(failed, t, () => 0) as number;
    expect(t).toBeGreaterThanOrEqual(72 * HOUR);
    expect(t).toBe(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0));
    expect(t).toBe(75 * HOUR + 35 * 60_000 + 5_000);
  });

  it('waits 5 s after the first failure and 24 h after the ninth, without jitter', () => {
    expect(nextAttemptAt(1, 1_000, () => 0)).toBe(6_000);
    expect(nextAttemptAt(9, 0, () => 0)).toBe(24 * HOUR);
  });

  it('adds at most 10 % of the base delay as jitter', () => {
    expect(nextAttemptAt(2, 0, () => 0.5)).toBe(315_000);
    expect(nextAttemptAt(2, 0, () => 0.999_999)).toBeLessThanOrEqual(330_000);
    expect(nextAttemptAt(2, 0, () => 0.999_999)).toBeGreaterThan(329_000);
  });

  it('gives up after ten attempts', () => {
    expect(MAX_ATTEMPTS).toBe(10);
    expect(nextAttemptAt(10, 0, () => 0.5)).toBeNull();
  });
});
