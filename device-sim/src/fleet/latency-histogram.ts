/**
 * Log-bucketed latency histogram: constant memory however long the run, at most 1 % above the exact value
 * for any percentile. Buckets grow by 1 % from 1 µs, so about 2 100 buckets cover 1 µs to 1 000 s.
 */
const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1_000_000 / MIN_MS) / LOG_GROWTH) + 1;

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private maxMs = 0;

  get count(): number {
    return this.n;
  }

  record(ms: number): void {
    if (!(ms >= 0)) return; // NaN and negatives (a clock step) carry no latency information
    this.n++;
    if (ms > this.maxMs) this.maxMs = ms;
    this.counts[bucketOf(ms)]! += 1;
  }

  /**
   * Nearest-rank percentile (the smallest recorded value with at least p % of samples at or below it),
   * reported as its bucket's upper bound, never above the largest sample. 0 when nothing was recorded.
   */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      // The last bucket also holds everything beyond the range; only the exact max bounds it.
      if (seen >= rank) return i === BUCKETS - 1 ? this.maxMs : Math.min(upperBound(i), this.maxMs);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    const r = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      p50: r(this.percentile(50)),
      p90: r(this.percentile(90)),
      p99: r(this.percentile(99)),
      max: r(this.maxMs),
    };
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
}

function upperBound(bucket: number): number {
  return MIN_MS * GROWTH ** bucket;
}
