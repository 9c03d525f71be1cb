import { HOUR_MS, MINUTE_MS, nextOutside } from './circadian.js';
import { type Episode, EpisodeSchedule } from './episodes.js';
import { seededStream } from './random.js';

export interface ActivityModelOptions {
  seed: number;
  /** No bout starts before this instant (usually the device's creation time). */
  origin: number;
  utcOffsetMinutes?: number;
  /** Mean rest between bouts during waking hours. */
  meanGapMs?: number;
}

/** Bouts ease in and out over this long rather than switching on at full effort. */
const RAMP_MS = 90_000;
const NIGHT_FROM = 23;
const NIGHT_TO = 7;

/**
 * Daytime activity: seeded bouts (a walk, stairs, a run) of 5-45 minutes at 20-90 % of the wearer's reserve.
 * Bouts never start between 23:00 and 07:00 local time, so nights stay at rest.
 */
export class ActivityModel {
  private readonly bouts: EpisodeSchedule;

  constructor(opts: ActivityModelOptions) {
    const offset = opts.utcOffsetMinutes ?? 0;
    this.bouts = new EpisodeSchedule({
      rng: seededStream(opts.seed, 'activity'),
      origin: opts.origin,
      meanGapMs: opts.meanGapMs ?? 2.5 * HOUR_MS,
      durationMs: [5 * MINUTE_MS, 45 * MINUTE_MS],
      magnitude: [0.2, 0.9],
      shiftStart: (t) => nextOutside(t, NIGHT_FROM, NIGHT_TO, offset),
    });
  }

  /** Effort in [0, 1] at an instant: 0 at rest, 1 at the wearer's maximum. */
  intensityAt(atMs: number): number {
    const bout = this.bouts.at(atMs);
    if (!bout) return 0;
    const ramp = Math.min(1, (atMs - bout.start) / RAMP_MS, (bout.end - atMs) / RAMP_MS);
    return bout.magnitude * Math.max(0, ramp);
  }

  boutsBetween(from: number, to: number): Episode[] {
    return this.bouts.between(from, to);
  }
}
