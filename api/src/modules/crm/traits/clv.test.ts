import { describe, expect, it } from 'vitest';
import { clvOf, cohortRetention, monthsBetween } from './clv.js';

describe('CLV from cohort retention', () => {
  it('takes the geometric mean monthly retention of the cohort', () => {
    // 25 of 100 still active after 2 months: √0.25 = 0.5 a month.
    expect(cohortRetention(100, 25, 2)).toBe(0.5);
    // A cohort younger than a month counts as one month old.
    expect(cohortRetention(50, 40, 0)).toBe(0.8);
    expect(cohortRetention(0, 0, 3)).toBe(0);
    expect(cohortRetention(10, 0, 3)).toBe(0);
  });

  it('sums the discounted retained margin over the horizon', () => {
    // 10 × (0.5 + 0.25 + 0.125) with no discount.
    expect(clvOf(0.5, { marginPerMonth: 10, annualDiscount: 0, horizonMonths: 3 })).toBe(8.75);
    expect(clvOf(1, { marginPerMonth: 1, annualDiscount: 0, horizonMonths: 12 })).toBe(12);
    // (1 + 4095)^(1/12) = 2 a month: 1/2 + 1/4.
    expect(clvOf(1, { marginPerMonth: 1, annualDiscount: 4095, horizonMonths: 2 })).toBe(0.75);
  });

  it('counts calendar months between cohort and run', () => {
    expect(monthsBetween('2026-01', '2026-12-08')).toBe(11);
    expect(monthsBetween('2025-11-30', '2026-01-01')).toBe(2);
  });
});
