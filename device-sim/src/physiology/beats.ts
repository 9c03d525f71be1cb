import { normal } from '../prng.js';
import { seededStream } from './random.js';

/** Respiratory sinus arrhythmia: beats come a little faster on the in-breath, about every 4 s. */
const BREATH_MS = 4_000;
const RSA = 0.03;
/** After a longer silence there is no beat history worth reporting. */
const MAX_GAP_MS = 5_000;

/**
 * A train of heartbeats at a given rate, yielding the R-R intervals completed since the last call. Intervals
 * average 60 000 / rate ms, with breathing-linked and random variability that shrinks at high rates, as real
 * heart-rate variability does.
 */
export class BeatTrain {
  private readonly rng: () => number;
  private lastBeat: number | undefined;
  private pendingMs = 0;

  constructor(seed: number) {
    this.rng = seededStream(seed, 'beats');
  }

  /** R-R intervals in ms of the beats completed in (previous call, atMs], oldest first. */
  beatsUntil(atMs: number, bpm: number): number[] {
    if (this.lastBeat === undefined || atMs - this.lastBeat > MAX_GAP_MS || atMs < this.lastBeat) {
      this.restart(atMs, bpm);
      return [];
    }
    const out: number[] = [];
    while (this.lastBeat + this.pendingMs <= atMs) {
      this.lastBeat += this.pendingMs;
      out.push(this.pendingMs);
      this.pendingMs = this.draw(this.lastBeat, bpm);
    }
    return out;
  }

  /** Beats happen but nobody detects them (no skin contact): the next report starts afresh. */
  lose(): void {
    this.lastBeat = undefined;
  }

  private restart(atMs: number, bpm: number): void {
    this.pendingMs = this.draw(atMs, bpm);
    // Place the last (unreported) beat somewhere in the current cycle.
    this.lastBeat = atMs - this.rng() * this.pendingMs;
  }

  private draw(atMs: number, bpm: number): number {
    const mean = 60_000 / bpm;
    const variability = bpm < 100 ? 0.035 : 0.015;
    const breath = RSA * Math.sin((2 * Math.PI * (atMs % BREATH_MS)) / BREATH_MS);
    return Math.max(250, Math.round(mean * (1 + breath + variability * normal(this.rng))));
  }
}

/** Milliseconds to the 1/1024 s unit of the RR-Interval field (HRS v1.0 §3.1.1.4). */
export function msTo1024(ms: number): number {
  return Math.round((ms * 1024) / 1000);
}
