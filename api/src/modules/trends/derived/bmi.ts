import type { SeriesPoint } from './series.js';

export interface BmiReading {
  t: number;
  source: string | null;
}

export interface Bmi {
  /** kg/m², unrounded. */
  bmi: number;
  /** For display: one decimal, the precision of WHO's cut-offs (18.5, 25.0, 30.0). */
  bmi_rounded: number;
  weight: BmiReading & { kg: number };
  height: BmiReading & { m: number };
}

function latest(points: readonly SeriesPoint[]): SeriesPoint | null {
  let last: SeriesPoint | null = null;
  for (const p of points) if (Number.isFinite(p.v) && p.v > 0 && (last === null || p.t >= last.t)) last = p;
  return last;
}

/**
 * Body-mass index, weight (kg) / height (m)², from the latest weight and the latest height wherever each
 * came from (WHO, "A healthy lifestyle - WHO recommendations": BMI = kg/m²). Null without a positive value
 * of each. The two readings may be years apart; both times are returned so a client can say so.
 */
export function bmiFrom(weights: readonly SeriesPoint[], heights: readonly SeriesPoint[]): Bmi | null {
  const w = latest(weights);
  const h = latest(heights);
  if (!w || !h) return null;
  const bmi = w.v / (h.v * h.v);
  return {
    bmi,
    bmi_rounded: Math.round(bmi * 10) / 10,
    weight: { kg: w.v, t: w.t, source: w.source ?? null },
    height: { m: h.v, t: h.t, source: h.source ?? null },
  };
}
