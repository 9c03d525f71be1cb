import { normal } from '../prng.js';
import { MINUTE_MS, withinHours } from './circadian.js';
import { EpisodeSchedule } from './episodes.js';
import { HeartRateModel } from './heart-rate.js';
import { clamp, seededStream, uniform } from './random.js';

export interface OximetrySample {
  spo2Percent: number;
  pulseRateBpm: number;
  /** Pulse amplitude (perfusion) index in percent. */
  perfusionIndex: number;
  /** The finger probe has slipped; the reading is questionable. */
  displaced: boolean;
}

export interface OximetryModelOptions {
  seed: number;
  origin: number;
  utcOffsetMinutes?: number;
}

/** Perfusion wanders slowly (cold fingers, vasoconstriction); log-normal around 2.5 %. */
const PERFUSION_TAU_MS = 120_000;

/**
 * What a finger pulse oximeter sees: a seeded SpO2 baseline of 96-98.5 %, brief desaturation dips while the
 * wearer sleeps (23:00-06:00 local), the pulse from a resting heart-rate model, a slowly varying perfusion
 * index, and now and then a slipped probe. Sample at increasing times.
 */
export class OximetryModel {
  readonly baselineSpo2: number;
  private readonly rng: () => number;
  private readonly heart: HeartRateModel;
  private readonly dips: EpisodeSchedule;
  private readonly slips: EpisodeSchedule;
  private readonly offset: number;
  private perfusion: { at: number; log: number } | undefined;

  constructor(opts: OximetryModelOptions) {
    const person = seededStream(opts.seed, 'oximetry:person');
    this.baselineSpo2 = uniform(person, 96, 98.5);
    this.rng = seededStream(opts.seed, 'oximetry:noise');
    this.offset = opts.utcOffsetMinutes ?? 0;
    this.heart = new HeartRateModel({ seed: opts.seed, utcOffsetMinutes: this.offset, restingBpm: 60 });
    this.dips = new EpisodeSchedule({
      rng: seededStream(opts.seed, 'oximetry:dips'),
      origin: opts.origin,
      meanGapMs: 40 * MINUTE_MS,
      durationMs: [20_000, 70_000],
      magnitude: [3, 9],
    });
    this.slips = new EpisodeSchedule({
      rng: seededStream(opts.seed, 'oximetry:slips'),
      origin: opts.origin,
      meanGapMs: 45 * MINUTE_MS,
      durationMs: [4_000, 15_000],
    });
  }

  /** `steady`: the user holds still for a spot-check, so the probe cannot slip. */
  sample(atMs: number, opts: { steady?: boolean } = {}): OximetrySample {
    const dip = this.dips.at(atMs);
    const asleep = withinHours(atMs, 23, 6, this.offset);
    const depth =
      dip && asleep ? dip.magnitude * Math.sin((Math.PI * (atMs - dip.start)) / (dip.end - dip.start)) : 0;
    const displaced = !opts.steady && this.slips.at(atMs) !== undefined;
    // Drawn whether or not the probe slipped, so a slip never shifts the readings after it.
    const scatter = normal(this.rng);
    const slipError = uniform(this.rng, 2, 6);
    const spo2 = this.baselineSpo2 - depth + 0.5 * scatter - (displaced ? slipError : 0);
    return {
      spo2Percent: clamp(Math.round(spo2), 70, 100),
      pulseRateBpm: Math.round(this.heart.sample(atMs)),
      perfusionIndex: Math.round(this.perfusionAt(atMs) * 10) / 10,
      displaced,
    };
  }

  private perfusionAt(atMs: number): number {
    const mean = Math.log(2.5);
    const sd = 0.7;
    if (!this.perfusion || atMs < this.perfusion.at) {
      this.perfusion = { at: atMs, log: sd * normal(this.rng) };
    } else {
      const keep = Math.exp(-(atMs - this.perfusion.at) / PERFUSION_TAU_MS);
      const log = keep * this.perfusion.log + sd * Math.sqrt(1 - keep * keep) * normal(this.rng);
      this.perfusion = { at: atMs, log };
    }
    return clamp(Math.exp(mean + this.perfusion.log), 0.2, 20);
  }
}
