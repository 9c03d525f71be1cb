import { describe, expect, it } from 'vitest';
import { abcClasses, valueScore } from './abc.js';

describe('ABC classes (Pareto on value_score)', () => {
  it('fills A below 80 % and B below 95 % of the total held by those ranked above', () => {
    // Total 100. Above 60: 0 → A; above 20: 60 % → A; above 10: 80 % → B; above 6: 90 % → B; above 4: 96 % → C.
    expect(abcClasses([60, 20, 10, 6, 4])).toEqual(['A', 'A', 'B', 'B', 'C']);
  });

  it('keeps ties in one class and puts zero value in C', () => {
    // Total 100. 50 → 0 A; 30 → 50 % A; 10 → 80 % B; both 5s → 90 % B; 0 → C.
    expect(abcClasses([50, 30, 10, 5, 5, 0])).toEqual(['A', 'A', 'B', 'B', 'B', 'C']);
  });

  it('takes configurable thresholds', () => {
    // a = 50 %, b = 90 %: 20 has 60 % above → B; 6 has 90 % above → C.
    expect(abcClasses([60, 20, 10, 6, 4], { a: 0.5, b: 0.9 })).toEqual(['A', 'B', 'B', 'C', 'C']);
  });

  it('puts everyone in C when nobody has value', () => {
    expect(abcClasses([0, 0])).toEqual(['C', 'C']);
  });

  it('scores value as active days in 90 × device kinds', () => {
    expect(valueScore(12, 3)).toBe(36);
  });
});
