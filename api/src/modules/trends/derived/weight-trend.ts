import { DAY_MS, invalidParameter, type SeriesPoint } from './series.js';

export const SMOOTHERS = ['ema-10', 'ema-tau-7d', 'holt'] as const;
export type SmootherId = (typeof SMOOTHERS)[number];

export interface HoltOptions {
  /** Level weight per day of spacing, in (0, 1]. */
  alpha?: number;
  /** Trend weight per day of spacing, in (0, 1]. */
  beta?: number;
}

export interface WeightTrendPoint {
  t: number;
  raw: number;
  smoothed: number;
}

export interface WeightTrend {
  smoother: SmootherId;
  points: WeightTrendPoint[];
  /** smoothed(last) − smoothed(at or before last − 7 d), kg; null with under 7 days of history. */
  weekly_rate_kg: number | null;
}

/**
 * The Hacker's Diet (John Walker, "Signal and Noise") moves the trend 10 % of the way to each new weight;
 * we apply that per reading, whatever the spacing.
 */
export const EMA10_ALPHA = 0.1;
export const EMA_TAU_MS = 7 * DAY_MS;
export const HOLT_DEFAULTS = Object.freeze({ alpha: 0.3, beta: 0.1 });
const WEEK_MS = 7 * DAY_MS;

export function parseSmoother(text: string, field = 'querystring.smoother'): SmootherId {
  if ((SMOOTHERS as readonly string[]).includes(text)) return text as SmootherId;
  throw invalidParameter(field, `expected one of ${SMOOTHERS.join(', ')}`, { value: text });
}

function ema10(points: readonly SeriesPoint[]): number[] {
  const out: number[] = [];
  let s = points[0]!.v;
  for (const p of points) {
    s += EMA10_ALPHA * (p.v - s);
    out.push(s);
  }
  return out;
}

/**
 * Exponential smoothing in continuous time: a reading after a gap dt gets weight 1 − exp(−dt/τ), so a
 * week-long gap forgets as much as a week of daily readings would. The first reading seeds the level; a
 * second reading at the same instant gets weight 0.
 */
function emaTau(points: readonly SeriesPoint[]): number[] {
  const out: number[] = [];
  let s = points[0]!.v;
  let prevT = points[0]!.t;
  for (const p of points) {
    const alpha = 1 - Math.exp(-(p.t - prevT) / EMA_TAU_MS);
    s += alpha * (p.v - s);
    prevT = p.t;
    out.push(s);
  }
  return out;
}

function checkWeight(name: 'alpha' | 'beta', v: number): number {
  if (!(v > 0 && v <= 1))
    throw invalidParameter(`querystring.${name}`, 'expected a number in (0, 1]', { value: v });
  return v;
}

/**
 * Holt's linear trend for irregular spacing after Wright (1986), "Forecasting data published at irregular
 * time intervals using an extension of Holt's method", Management Science 32(4):499-510. With the gap k in
 * days, the weights follow a_n = a_{n−1} / (a_{n−1} + (1 − α)^k) (and likewise b from β), which reduce to
 * α and β for daily data; a long gap drives them towards 1, so the level restarts at the new reading.
 * Seeds: level = first reading, trend = 0 kg/day, weights = α and β (their daily steady state). The
 * smoothed value is the level.
 */
function holt(points: readonly SeriesPoint[], opts: HoltOptions): number[] {
  const alpha = checkWeight('alpha', opts.alpha ?? HOLT_DEFAULTS.alpha);
  const beta = checkWeight('beta', opts.beta ?? HOLT_DEFAULTS.beta);
  let level = points[0]!.v;
  let trend = 0;
  let a = alpha;
  let b = beta;
  const out = [level];
  for (let i = 1; i < points.length; i++) {
    const k = (points[i]!.t - points[i - 1]!.t) / DAY_MS;
    a = a / (a + (1 - alpha) ** k);
    const prev = level;
    level = a * points[i]!.v + (1 - a) * (prev + k * trend);
    // Two readings at one instant say nothing about the slope, and the slope would divide by zero.
    if (k > 0) {
      b = b / (b + (1 - beta) ** k);
      trend = (b * (level - prev)) / k + (1 - b) * trend;
    }
    out.push(level);
  }
  return out;
}

function weeklyRate(points: readonly WeightTrendPoint[]): number | null {
  const last = points.at(-1);
  if (!last) return null;
  const cutoff = last.t - WEEK_MS;
  let before: WeightTrendPoint | undefined;
  for (const p of points) {
    if (p.t > cutoff) break;
    before = p;
  }
  return before === undefined ? null : last.smoothed - before.smoothed;
}

/** Smooths weights (kg, sorted by t). Non-finite values are dropped before smoothing. */
export function weightTrend(
  weights: readonly SeriesPoint[],
  smoother: SmootherId,
  holtOptions: HoltOptions = {},
): WeightTrend {
  const clean = weights.filter((p) => Number.isFinite(p.v) && Number.isFinite(p.t));
  if (clean.length === 0) return { smoother, points: [], weekly_rate_kg: null };
  const smoothed =
    smoother === 'ema-10'
      ? ema10(clean)
      : smoother === 'ema-tau-7d'
        ? emaTau(clean)
        : holt(clean, holtOptions);
  const points = clean.map((p, i) => ({ t: p.t, raw: p.v, smoothed: smoothed[i]! }));
  return { smoother, points, weekly_rate_kg: weeklyRate(points) };
}
