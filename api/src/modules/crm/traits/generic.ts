/** The generic CDP traits: counts, first and last, most frequent, over the activity days. */
import { within } from './days.js';

export interface DayCount {
  day: number;
  metric: string;
  readings: number;
}

export function readingsIn(rows: readonly DayCount[], today: number, window: number): number {
  return rows.reduce((s, r) => (within(r.day, today, window) ? s + r.readings : s), 0);
}

export const readingsTotal = (rows: readonly DayCount[]): number => rows.reduce((s, r) => s + r.readings, 0);

/** The metric with most readings in the 90 days ending on the run date; ties alphabetical; null with none. */
export function topMetric(rows: readonly DayCount[], today: number): string | null {
  const n = new Map<string, number>();
  for (const r of rows)
    if (r.readings > 0 && within(r.day, today, 90)) n.set(r.metric, (n.get(r.metric) ?? 0) + r.readings);
  let best: string | null = null;
  for (const [m, c] of n) {
    const b = best === null ? -1 : (n.get(best) ?? 0);
    if (c > b || (c === b && best !== null && m < best)) best = m;
  }
  return best;
}
