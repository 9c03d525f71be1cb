// Trait vectors for RFE: every expected number below was worked out by hand from the formula in catalog.ts.
import { describe, expect, it } from 'vitest';
import { activeDays, engagementOf, quintileScores, recencyDays, rfeCode } from './rfe.js';

describe('RFE quintile scores', () => {
  it('splits ten distinct frequencies into quintiles of two', () => {
    // cume_dist of k is (k+1)/10; ⌈5 × (k+1)/10⌉.
    expect(quintileScores([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'higher_better')).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]);
  });

  it('gives five distinct values one quintile each, at the exact boundaries', () => {
    expect(quintileScores([3, 1, 5, 2, 4], 'higher_better')).toEqual([3, 1, 5, 2, 4]);
  });

  it('lets ties share a score (the score of the highest of them)', () => {
    // Three 5s: 4 of 5 values are ≤ 5, so ⌈5 × 4/5⌉ = 4 for all three.
    expect(quintileScores([5, 5, 5, 1, 9], 'higher_better')).toEqual([4, 4, 4, 1, 5]);
  });

  it('scores recency lower-better and leaves people without a reading unscored', () => {
    // Population of 5 (null not counted): 0 → 5/5, 3 → 4/5 (two of them), 10 → 2/5, 40 → 1/5.
    expect(quintileScores([0, 3, 3, 10, null, 40], 'lower_better')).toEqual([5, 4, 4, 2, null, 1]);
  });

  it('builds the code recency first, and none without all three scores', () => {
    expect(rfeCode(5, 4, 5)).toBe('545');
    expect(rfeCode(5, null, 5)).toBeNull();
  });

  it('computes recency, frequency windows and engagement', () => {
    expect(recencyDays(100, 103)).toBe(3);
    expect(recencyDays(null, 103)).toBeNull();
    // Window of 30 ending on day 101 is 72…101: days 72, 100, 101 (100 twice).
    expect(activeDays([100, 100, 101, 70, 72, 71], 101, 30)).toBe(3);
    expect(activeDays([100, 100, 101, 70, 72, 71], 101, 90)).toBe(5);
    expect(engagementOf(3, 12)).toBe(42);
    expect(engagementOf(200, 5000)).toBe(1000);
  });
});
