import { type CivilDay, civilDays, civilDaysIn, type ZoneSpan } from '@linkwell/firmware-protocol';
import { ApiError } from '../../../errors.js';

/** One stored reading in its canonical unit (bpm, kg, m, mmHg, Cel), as read from InfluxDB. */
export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number;
  v: number;
  source?: string;
}

/**
 * The civil days to group by: [fromMs, toMs) in one IANA zone, or in the person's zone history (spans sorted
 * by fromMs, as firmware-protocol's `civilDays` expects).
 */
export interface DayRange {
  fromMs: number;
  toMs: number;
  zone: string | readonly ZoneSpan[];
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export function daysOf(range: DayRange): CivilDay[] {
  return typeof range.zone === 'string'
    ? civilDaysIn(range.fromMs, range.toMs, range.zone)
    : civilDays(range.fromMs, range.toMs, range.zone);
}

/** Index of the day holding `t` (days are sorted and do not overlap), or -1 outside them. */
export function dayIndexOf(days: readonly CivilDay[], t: number): number {
  let lo = 0;
  let hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = days[mid]!;
    if (t < d.startMs) hi = mid - 1;
    else if (t >= d.endMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Splits points into one array per day (same order as `days`); points outside every day are dropped. */
export function groupByDay<P extends { t: number }>(points: readonly P[], days: readonly CivilDay[]): P[][] {
  const out: P[][] = days.map(() => []);
  for (const p of points) {
    const i = dayIndexOf(days, p.t);
    if (i >= 0) out[i]!.push(p);
  }
  return out;
}

/** The mean of one UTC minute [t, t + 60 s) that has at least one reading. */
export interface MinuteMean {
  t: number;
  v: number;
}

/**
 * Per-minute means, sorted by minute. Minutes are cut on the UTC epoch: every IANA offset in use since 1972
 * is a whole number of minutes, so a local minute and a UTC minute are the same interval and a civil day
 * holds whole minutes. A minute without readings is absent, never zero.
 */
export function minuteMeans(points: readonly SeriesPoint[]): MinuteMean[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const p of points) {
    if (!Number.isFinite(p.v)) continue;
    const t = Math.floor(p.t / MINUTE_MS) * MINUTE_MS;
    const s = sums.get(t);
    if (s) {
      s.sum += p.v;
      s.n += 1;
    } else sums.set(t, { sum: p.v, n: 1 });
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([t, s]) => ({ t, v: s.sum / s.n }));
}

/** A coded 400 in the shape the error handler gives schema failures: `field` plus one `issues` entry. */
export function invalidParameter(field: string, problem: string, extra?: Record<string, unknown>): ApiError {
  return new ApiError('API_ERR_VALIDATION', `Invalid ${field}: ${problem}.`, {
    field,
    issues: [{ field, problem }],
    ...extra,
  });
}
