import { createRng, normal } from '../prng.js';
import { type BodyComposition, type BodyProfile, bodyComposition } from './body-composition-model.js';

const DAY_MS = 86_400_000;

/** Derives an independent stream seed per person, so adding a user does not change anyone else's numbers. */
export function mixSeed(seed: number, salt: number): number {
  let h = (seed ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export interface PersonOptions {
  seed: number;
  baseWeightKg: number;
  /** Simulation time the trend starts from (day 0 of the random walk). */
  originMs: number;
}

/**
 * One person's weight over simulated weeks: a seasonal swing of up to ±1.5 kg over 4-8 months, a
 * mean-reverting day-to-day random walk (about ±0.4 kg), the daily cycle (lightest after waking at 07:00,
 * about 0.8 kg heavier by 19:00) and 0.1 kg of noise per weighing.
 *
 * The walk draws one number per simulated day from its own stream, so a day's weight does not depend on how
 * often the person stepped on the scale before; only the per-weighing noise follows the schedule.
 */
export class SimulatedPerson {
  private readonly walkRng: () => number;
  private readonly noiseRng: () => number;
  private readonly walk: number[] = [0];
  private readonly seasonAmplitude: number;
  private readonly seasonDays: number;
  private readonly seasonPhase: number;
  /** This person's deviation from the population body-fat equation, in percentage points. */
  readonly fatOffset: number;

  constructor(private readonly opts: PersonOptions) {
    const shape = createRng(mixSeed(opts.seed, 1));
    this.walkRng = createRng(mixSeed(opts.seed, 2));
    this.noiseRng = createRng(mixSeed(opts.seed, 3));
    this.seasonAmplitude = 0.5 + shape();
    this.seasonDays = 120 + 120 * shape();
    this.seasonPhase = 2 * Math.PI * shape();
    this.fatOffset = 2.5 * normal(shape);
  }

  /** Expected weight at a time, without the noise of one weighing. */
  trendKg(atMs: number): number {
    const day = Math.max(0, Math.floor((atMs - this.opts.originMs) / DAY_MS));
    while (this.walk.length <= day) this.walk.push(0.98 * this.walk.at(-1)! + 0.08 * normal(this.walkRng));
    const season = this.seasonAmplitude * Math.sin((2 * Math.PI * day) / this.seasonDays + this.seasonPhase);
    const hour = (atMs / 3_600_000) % 24;
    const daily = 0.4 * (1 - Math.cos(((hour - 7) / 24) * 2 * Math.PI));
    return this.opts.baseWeightKg + season + this.walk[day]! + daily;
  }

  /** One weighing: the trend plus scale and posture noise. */
  weighKg(atMs: number): number {
    return this.trendKg(atMs) + 0.1 * normal(this.noiseRng);
  }

  /** Body composition for a weighing, with a few ohms of contact variation in the impedance. */
  composition(weightKg: number, profile: BodyProfile): BodyComposition {
    return bodyComposition(weightKg, profile, this.fatOffset, 4 * normal(this.noiseRng));
  }
}
