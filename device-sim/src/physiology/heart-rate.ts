import { createRng, normal } from '../prng.js';
import { circadian } from './circadian.js';
import { clamp, seededStream } from './random.js';

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
    const circadianSwing = -6 * Math.cos(((hourOfDay - 4) / 24) * 2 * Math.PI);
    const bpm = resting + 6 + circadianSwing + 2.5 * normal(rng);
    return Math.min(220, Math.max(35, Math.round(bpm)));
  };
}

/** RR interval in 1/1024 s for a given rate, as a wrist sensor would report it. */
export function rrFromBpm(bpm: number): number {
  return Math.round((60 / bpm) * 1024);
}

export interface HeartRateDynamicsOptions {
  seed: number;
  /** Lowest rate of the day (deep sleep); the daytime resting rate is about 12 bpm higher. */
  restingBpm?: number;
  maxBpm?: number;
  utcOffsetMinutes?: number;
  /** Effort in [0, 1] over time; none means the wearer stays at rest. */
  activity?: (atMs: number) => number;
}

/** The heart follows a change of effort with a lag: faster speeding up than settling back. */
const RISE_TAU_MS = 25_000;
const FALL_TAU_MS = 60_000;
/** Slow wander of the rate around its target (breathing, posture, mood). */
const NOISE_SD_BPM = 2.5;
const NOISE_TAU_MS = 40_000;

/**
 * Heart rate over time: a circadian baseline (lowest around 04:00 local), raised towards the maximum by
 * activity, reached with a physiological lag, plus slowly wandering noise. Sample it at increasing times;
 * the same seed and sample times give the same rates.
 */
export class HeartRateModel {
  private readonly rng: () => number;
  private readonly resting: number;
  private readonly max: number;
  private readonly offset: number;
  private readonly activity: (atMs: number) => number;
  private last: { at: number; rate: number; noise: number } | undefined;

  constructor(opts: HeartRateDynamicsOptions) {
    this.rng = seededStream(opts.seed, 'heart-rate');
    this.resting = opts.restingBpm ?? 58;
    this.max = opts.maxBpm ?? 185;
    this.offset = opts.utcOffsetMinutes ?? 0;
    this.activity = opts.activity ?? (() => 0);
  }

  /** Where the rate is heading at an instant, before lag and noise. */
  targetAt(atMs: number): number {
    const base = this.resting + 6 + 6 * circadian(atMs, 16, this.offset);
    return base + this.activity(atMs) * (this.max - base);
  }

  /** The rate at `atMs` in beats per minute (fractional; devices round it). */
  sample(atMs: number): number {
    const target = this.targetAt(atMs);
    if (!this.last || atMs < this.last.at) {
      this.last = { at: atMs, rate: target, noise: NOISE_SD_BPM * normal(this.rng) };
    } else {
      const dt = atMs - this.last.at;
      const tau = target > this.last.rate ? RISE_TAU_MS : FALL_TAU_MS;
      const rate = target + (this.last.rate - target) * Math.exp(-dt / tau);
      const keep = Math.exp(-dt / NOISE_TAU_MS);
      const noise = keep * this.last.noise + NOISE_SD_BPM * Math.sqrt(1 - keep * keep) * normal(this.rng);
      this.last = { at: atMs, rate, noise };
    }
    return clamp(this.last.rate + this.last.noise, 35, 220);
  }
}
