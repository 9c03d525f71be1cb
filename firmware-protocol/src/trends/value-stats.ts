/**
 * Window statistics that two stores can compute identically: from raw points, or by merging rollup rows.
 * Every statistic is exact under merging because a row keeps the whole value distribution (`hist`, value →
 * count) instead of pre-computed percentiles. Only `mean` may differ in the last bits (float sums added in
 * another order).
 */
export interface ValueStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** First and last value in time order, with the instants used to order merged pieces. */
  first: number;
  firstT: number;
  last: number;
  lastT: number;
  hist: Map<number, number>;
  /** Distinct minutes (ms since epoch / 60,000) seen in raw points, and minutes counted by merged rows. */
  minuteSet: Set<number>;
  minutesMerged: number;
  /**
   * The percentiles a single rollup row brought with it: exact while that row is all these stats hold
   * (null once anything else is added). Lets a reader skip the histogram when a window is one row.
   */
  quantiles: Quantiles | null | undefined;
  /** A piece arrived without its histogram; percentiles can then only come from `quantiles`. */
  histMissing: boolean;
}

/** Thrown by summarize when stats merged rows read without histograms: read them again with histograms. */
export class HistogramNeeded extends Error {
  override readonly name = 'HistogramNeeded';
  constructor() {
    super('percentiles over several rollup rows need their histograms');
  }
}

export interface Quantiles {
  p10: number;
  median: number;
  p90: number;
}

export interface StatsSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  first: number;
  last: number;
  p10: number;
  median: number;
  p90: number;
  /** Distinct minutes with at least one value. */
  minutes: number;
}

export function emptyStats(): ValueStats {
  return {
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    first: Number.NaN,
    firstT: Number.POSITIVE_INFINITY,
    last: Number.NaN,
    lastT: Number.NEGATIVE_INFINITY,
    hist: new Map(),
    minuteSet: new Set(),
    minutesMerged: 0,
    quantiles: undefined,
    histMissing: false,
  };
}

/**
 * Keeps the earliest and latest value. Two sources can measure at the same millisecond; then the smaller
 * value is first and the larger last, so the answer does not depend on the order things were merged in.
 */
function takeEnds(s: ValueStats, firstT: number, first: number, lastT: number, last: number): void {
  if (firstT < s.firstT || (firstT === s.firstT && first < s.first)) {
    s.firstT = firstT;
    s.first = first;
  }
  if (lastT > s.lastT || (lastT === s.lastT && last > s.last)) {
    s.lastT = lastT;
    s.last = last;
  }
}

/** Adds one raw point (t in ms). Points may arrive in any order. */
export function addPoint(s: ValueStats, t: number, v: number): void {
  s.quantiles = null;
  s.count += 1;
  s.sum += v;
  if (v < s.min) s.min = v;
  if (v > s.max) s.max = v;
  takeEnds(s, t, v, t, v);
  s.hist.set(v, (s.hist.get(v) ?? 0) + 1);
  s.minuteSet.add(Math.floor(t / 60_000));
}

/**
 * A pre-aggregated piece, e.g. a rollup row covering [startMs, endMs). Pieces must not overlap each other
 * or the raw points added to the same stats.
 */
export interface StatsPiece {
  startMs: number;
  endMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  last: number;
  /** Instants of `first` and `last`, so pieces of several sources merge like their points would. */
  firstT: number;
  lastT: number;
  hist: ReadonlyMap<number, number>;
  minutes: number;
  /** Read from a row: its own percentiles, and whether its histogram was left out of the query. */
  quantiles?: Quantiles;
  histMissing?: boolean;
}

export function addPiece(s: ValueStats, p: StatsPiece): void {
  if (p.count === 0) return;
  s.quantiles = s.count === 0 && p.quantiles !== undefined ? p.quantiles : null;
  if (p.histMissing) s.histMissing = true;
  s.count += p.count;
  s.sum += p.sum;
  if (p.min < s.min) s.min = p.min;
  if (p.max > s.max) s.max = p.max;
  takeEnds(s, p.firstT, p.first, p.lastT, p.last);
  for (const [v, c] of p.hist) s.hist.set(v, (s.hist.get(v) ?? 0) + c);
  s.minutesMerged += p.minutes;
}

/** Merges `b` into `a`: two sources over the same window (their points may share minutes). */
export function mergeStats(a: ValueStats, b: ValueStats): void {
  if (b.count === 0) return;
  a.quantiles = a.count === 0 ? b.quantiles : null;
  if (b.histMissing) a.histMissing = true;
  a.count += b.count;
  a.sum += b.sum;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
  takeEnds(a, b.firstT, b.first, b.lastT, b.last);
  for (const [v, c] of b.hist) a.hist.set(v, (a.hist.get(v) ?? 0) + c);
  for (const m of b.minuteSet) a.minuteSet.add(m);
  a.minutesMerged += b.minutesMerged;
}

/** The piece a set of raw points makes, for writing a rollup row. */
export function toPiece(s: ValueStats, startMs: number, endMs: number): StatsPiece {
  return {
    startMs,
    endMs,
    count: s.count,
    sum: s.sum,
    min: s.min,
    max: s.max,
    first: s.first,
    last: s.last,
    firstT: s.firstT,
    lastT: s.lastT,
    hist: s.hist,
    minutes: s.minuteSet.size + s.minutesMerged,
    ...(s.count > 0 && !s.histMissing ? { quantiles: percentiles(s.hist, s.count) } : {}),
  };
}

/**
 * The p-quantile (0 ≤ p ≤ 1) by linear interpolation between closest ranks: Hyndman & Fan (1996),
 * "Sample quantiles in statistical packages", definition 7 (also R's default and NumPy's "linear").
 */
export function quantile(hist: ReadonlyMap<number, number>, count: number, p: number): number {
  return quantileSorted(
    [...hist.keys()].sort((a, b) => a - b),
    hist,
    count,
    p,
  );
}

function quantileSorted(
  values: readonly number[],
  hist: ReadonlyMap<number, number>,
  count: number,
  p: number,
): number {
  if (count === 0) return Number.NaN;
  const h = (count - 1) * p;
  const lo = Math.floor(h);
  let seen = 0;
  let low = Number.NaN;
  for (const v of values) {
    seen += hist.get(v)!;
    if (Number.isNaN(low) && seen > lo) low = v;
    if (seen > lo + 1 || (seen > lo && h === lo)) {
      return h === lo ? low : low + (h - lo) * (v - low);
    }
  }
  return low;
}

/** p10, median and p90 with one sort of the distinct values. */
export function percentiles(hist: ReadonlyMap<number, number>, count: number): Quantiles {
  const sorted = [...hist.keys()].sort((a, b) => a - b);
  return {
    p10: quantileSorted(sorted, hist, count, 0.1),
    median: quantileSorted(sorted, hist, count, 0.5),
    p90: quantileSorted(sorted, hist, count, 0.9),
  };
}

/** The summary of non-empty stats; undefined for a window with no values (which is not a zero). */
export function summarize(s: ValueStats): StatsSummary | undefined {
  if (s.count === 0) return undefined;
  let q = s.quantiles ?? undefined;
  if (q === undefined) {
    if (s.histMissing) throw new HistogramNeeded();
    q = percentiles(s.hist, s.count);
  }
  return {
    count: s.count,
    min: s.min,
    max: s.max,
    mean: s.sum / s.count,
    first: s.first,
    last: s.last,
    p10: q.p10,
    median: q.median,
    p90: q.p90,
    minutes: s.minuteSet.size + s.minutesMerged,
  };
}
