import { uniform } from './random.js';

/** One inflate-and-deflate cycle of an oscillometric cuff. */
export interface CuffCycle {
  peakMmHg: number;
  /** Where the valve opens fully and the cuff empties. */
  endMmHg: number;
  inflateMs: number;
  deflateMs: number;
  /** Pressure where the pulse oscillations are largest (the mean arterial pressure). */
  meanArterial: number;
  /** Half-width of the oscillation envelope. */
  envelopeMmHg: number;
  pulseRate: number;
}

/**
 * Plans a cycle the way home cuffs run one: pump to about 30 mmHg above systolic at 16-22 mmHg/s, then bleed
 * down through the diastolic pressure; 26-38 s in all.
 */
export function planCuffCycle(
  rng: () => number,
  r: { systolic: number; diastolic: number; meanArterial: number; pulseRate: number },
): CuffCycle {
  const peakMmHg = Math.ceil((r.systolic + 30) / 10) * 10;
  const inflateMs = Math.round((peakMmHg / uniform(rng, 16, 22)) * 1000);
  const totalMs = Math.round(uniform(rng, 26_000, 38_000));
  return {
    peakMmHg,
    endMmHg: Math.max(30, r.diastolic - 15),
    inflateMs,
    deflateMs: Math.max(12_000, totalMs - inflateMs),
    meanArterial: r.meanArterial,
    envelopeMmHg: Math.max(10, (r.systolic - r.diastolic) / 2),
    pulseRate: r.pulseRate,
  };
}

export function cycleDurationMs(c: CuffCycle): number {
  return c.inflateMs + c.deflateMs;
}

/** Cuff pressure in whole mmHg at `elapsedMs` into the cycle; undefined once the cuff has emptied. */
export function cuffPressureAt(c: CuffCycle, elapsedMs: number): number | undefined {
  if (elapsedMs < 0 || elapsedMs >= cycleDurationMs(c)) return undefined;
  if (elapsedMs < c.inflateMs) return Math.round((c.peakMmHg * elapsedMs) / c.inflateMs);
  const f = (elapsedMs - c.inflateMs) / c.deflateMs;
  const p = c.peakMmHg - (c.peakMmHg - c.endMmHg) * f;
  // The arterial pulse shows up as a small ripple, strongest near the mean arterial pressure.
  const envelope = Math.exp(-(((p - c.meanArterial) / c.envelopeMmHg) ** 2));
  const phase = ((elapsedMs * c.pulseRate) / 60_000) % 1;
  return Math.round(p + 2.5 * envelope * Math.sin(2 * Math.PI * phase));
}
