import { createRng } from '../prng.js';

/**
 * An independent seeded stream for one purpose ("activity", "bp-user-2", …). Separate streams keep a device's
 * behaviours apart: drawing one more activity bout never shifts the heart-rate noise that follows it.
 */
export function seededStream(seed: number, purpose: string): () => number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  // Final avalanche so seeds 1 and 2 start far apart in mulberry32's sequence.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return createRng((h ^ (h >>> 16)) >>> 0);
}

export function uniform(rng: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

export function chance(rng: () => number, p: number): boolean {
  return rng() < p;
}

/** Waiting time of a memoryless process with the given mean. */
export function exponential(rng: () => number, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Rounds to a number of decimals without the binary residue (36.85, not 36.850000000000001). */
export function roundTo(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}
