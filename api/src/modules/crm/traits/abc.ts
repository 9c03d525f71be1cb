/**
 * ABC classes: a Pareto (80/20) split of people by value_score. Ranked by value, descending; a person is A
 * while the share of the total held by the people ranked strictly above them is below the A threshold
 * (default 80 %), B below the B threshold (default 95 %), C otherwise. The person who crosses a threshold
 * is still in the class being filled, so the top person is always A; equal values share a class (they
 * have the same people above them). A value of 0 is C: it holds no share.
 */
export interface AbcThresholds {
  a: number;
  b: number;
}

export const DEFAULT_ABC: AbcThresholds = { a: 0.8, b: 0.95 };

export type AbcClass = 'A' | 'B' | 'C';

export function abcClasses(values: readonly number[], t: AbcThresholds = DEFAULT_ABC): AbcClass[] {
  const total = values.reduce((s, v) => s + v, 0);
  return values.map((v) => {
    if (v <= 0 || total <= 0) return 'C';
    const above = values.reduce((s, w) => (w > v ? s + w : s), 0);
    const share = above / total;
    if (share < t.a) return 'A';
    if (share < t.b) return 'B';
    return 'C';
  });
}

/** The usage value ABC ranks: active measuring days in 90 days × device kinds linked. */
export const valueScore = (frequency90d: number, kindsLinked: number): number => frequency90d * kindsLinked;
