import { exponential, uniform } from './random.js';

/** A stretch of time with something going on: an activity bout, a fever, a loose strap. */
export interface Episode {
  start: number;
  end: number;
  /** What the episode amounts to (intensity, degrees of fever, depth of a desaturation). */
  magnitude: number;
}

export interface EpisodeScheduleOptions {
  rng: () => number;
  /** No episode starts before this instant. */
  origin: number;
  /** Mean quiet time between the end of one episode and the start of the next. */
  meanGapMs: number;
  durationMs: readonly [min: number, max: number];
  magnitude?: readonly [min: number, max: number];
  /** Moves a proposed start to an allowed time (out of the night, say); must not move it earlier. */
  shiftStart?: (atMs: number) => number;
}

/**
 * Seeded episodes laid out on the time axis. They are generated in order from their own random stream, so the
 * schedule is a pure function of the seed: sampling it every second or once a day finds the same episodes,
 * which keeps a fast-forwarded simulation identical to a real-time one.
 */
export class EpisodeSchedule {
  private readonly episodes: Episode[] = [];
  private cursor: number;

  constructor(private readonly opts: EpisodeScheduleOptions) {
    this.cursor = opts.origin;
  }

  /** The episode in progress at `atMs`, if any. */
  at(atMs: number): Episode | undefined {
    this.extendTo(atMs);
    let lo = 0;
    let hi = this.episodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = this.episodes[mid]!;
      if (atMs < e.start) hi = mid - 1;
      else if (atMs >= e.end) lo = mid + 1;
      else return e;
    }
    return undefined;
  }

  /** Episodes overlapping [from, to), oldest first. */
  between(from: number, to: number): Episode[] {
    this.extendTo(to);
    return this.episodes.filter((e) => e.end > from && e.start < to);
  }

  private extendTo(atMs: number): void {
    const { rng, meanGapMs, durationMs, magnitude, shiftStart } = this.opts;
    while (this.cursor <= atMs) {
      const proposed = this.cursor + exponential(rng, meanGapMs);
      const start = Math.round(shiftStart ? shiftStart(proposed) : proposed);
      const end = start + Math.round(uniform(rng, durationMs[0], durationMs[1]));
      const size = magnitude ? uniform(rng, magnitude[0], magnitude[1]) : 1;
      this.episodes.push({ start, end, magnitude: size });
      this.cursor = end;
    }
  }
}
