/**
 * Usage RFM ("RFE"): recency, frequency and engagement in place of RFM's monetary value (Hughes, A. M.,
 * "Strategic Database Marketing", 1994: recency, frequency and monetary value scored in quintiles). Each score
 * is the quintile of the person's value within the scored population, 5 the best, with ties sharing a score.
 */
import { within } from './days.js';

export function recencyDays(lastDay: number | null, today: number): number | null {
  return lastDay === null ? null : Math.max(0, today - lastDay);
}

/** Distinct measuring days among `days` in the `window` days ending on `today`. */
export function activeDays(days: Iterable<number>, today: number, window: number): number {
  const seen = new Set<number>();
  for (const d of days) if (within(d, today, window)) seen.add(d);
  return seen.size;
}

/** Device kinds linked × 10 + sessions in 30 days, capped at the catalog's range (1000). */
export function engagementOf(kindsLinked: number, sessions30d: number): number {
  return Math.min(1000, kindsLinked * 10 + sessions30d);
}

/**
 * The quintile score of each value: ⌈5 × cume_dist⌉, where cume_dist is the share of the scored population
 * whose value is as good as or worse than this one (SQL's cume_dist() over the same order, so equal values
 * get equal scores). `lower_better` for recency (fewer days since the last reading is better). Null values
 * are not scored and do not count in the population.
 */
export function quintileScores(
  values: readonly (number | null)[],
  direction: 'higher_better' | 'lower_better',
): (number | null)[] {
  const scored = values.filter((v): v is number => v !== null);
  const n = scored.length;
  return values.map((v) => {
    if (v === null) return null;
    const notBetter = scored.filter((w) => (direction === 'higher_better' ? w <= v : w >= v)).length;
    // 5k/n is exact in binary floating point whenever it is a whole number, so ceil never overshoots.
    return Math.ceil((5 * notBetter) / n);
  });
}

export function rfeCode(r: number | null, f: number | null, e: number | null): string | null {
  return r === null || f === null || e === null ? null : `${r}${f}${e}`;
}
