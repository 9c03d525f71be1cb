import type { TemperatureType } from '@linkwell/firmware-protocol';
import { circadian, DAY_MS, HOUR_MS } from './circadian.js';
import { type Episode, EpisodeSchedule } from './episodes.js';
import { seededStream, uniform } from './random.js';

/** How far below core temperature each measurement site reads, in °C (typical clinical differences). */
export const SITE_OFFSET_C: Readonly<Record<TemperatureType, number>> = {
  armpit: -0.8,
  body: 0,
  ear: -0.2,
  finger: -2.5,
  gastrointestinal_tract: 0,
  mouth: -0.4,
  rectum: 0,
  toe: -3.5,
  tympanum: -0.2,
};

const FEVER_RISE_MS = 6 * HOUR_MS;
const FEVER_FALL_MS = 12 * HOUR_MS;

export interface BodyTemperatureModelOptions {
  seed: number;
  /** No fever starts before this instant. */
  origin: number;
  utcOffsetMinutes?: number;
  /** Mean healthy stretch between fevers. */
  meanDaysBetweenFevers?: number;
}

/**
 * Core body temperature: a seeded personal baseline, the daily rhythm (lowest early morning, highest early
 * evening, about ±0.35 °C), and seeded fever episodes of 1.5-4 days peaking 1.2-2.6 °C above normal. A pure
 * function of time, so any sampling schedule sees the same fevers.
 */
export class BodyTemperatureModel {
  readonly baselineC: number;
  private readonly fevers: EpisodeSchedule;
  private readonly offset: number;

  constructor(opts: BodyTemperatureModelOptions) {
    const person = seededStream(opts.seed, 'temperature:person');
    this.baselineC = uniform(person, 36.9, 37.3);
    this.offset = opts.utcOffsetMinutes ?? 0;
    this.fevers = new EpisodeSchedule({
      rng: seededStream(opts.seed, 'temperature:fevers'),
      origin: opts.origin,
      meanGapMs: (opts.meanDaysBetweenFevers ?? 25) * DAY_MS,
      durationMs: [1.5 * DAY_MS, 4 * DAY_MS],
      magnitude: [1.2, 2.6],
    });
  }

  /** Core temperature in °C. */
  coreAt(atMs: number): number {
    return this.baselineC + 0.35 * circadian(atMs, 18, this.offset) + this.feverAt(atMs);
  }

  /** The fever's contribution in °C (0 when healthy). Fevers also run highest in the evening. */
  feverAt(atMs: number): number {
    const e = this.fevers.at(atMs);
    if (!e) return 0;
    const envelope = Math.min(1, (atMs - e.start) / FEVER_RISE_MS, (e.end - atMs) / FEVER_FALL_MS);
    return e.magnitude * Math.max(0, envelope) * (0.85 + 0.15 * circadian(atMs, 19, this.offset));
  }

  feversBetween(from: number, to: number): Episode[] {
    return this.fevers.between(from, to);
  }
}
