import { createRng, normal } from '../prng.js';

export interface HeartRateModelOptions {
  seed: number;
  /** Resting rate at the circadian midpoint. */
  restingBpm?: number;
}

/**
 * Resting heart rate with a circadian swing (lowest around 04:00 local, about ±6 bpm) plus
 * beat-to-beat noise. Deterministic for a seed and a sequence of sample times.
 */
export function createHeartRateModel(opts: HeartRateModelOptions): (atMs: number) => number {
  const rng = createRng(opts.seed);
  const resting = opts.restingBpm ?? 64;
  return (atMs) => {
    const hourOfDay = (atMs / 3_600_000) % 24;
    const circadian = -6 * Math.cos(((hourOfDay - 4) / 24) * 2 * Math.PI);
    const bpm = resting + 6 + circadian + 2.5 * normal(rng);
    return Math.min(220, Math.max(35, Math.round(bpm)));
  };
}

/** RR interval in 1/1024 s for a given rate, as a wrist sensor would report it. */
export function rrFromBpm(bpm: number): number {
  return Math.round((60 / bpm) * 1024);
}
