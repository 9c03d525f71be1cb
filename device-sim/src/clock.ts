/** Injectable time so simulations can run on wall time or be fast-forwarded (days in seconds) in tests. */
export interface Clock {
  now(): number;
  setInterval(fn: () => void, ms: number): () => void;
  setTimeout(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval(fn, ms) {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  },
  setTimeout(fn, ms) {
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
};

interface Timer {
  fn: () => void;
  /** 0 for a one-shot timer. */
  every: number;
  due: number;
  seq: number;
}

/**
 * A clock that only moves when told to. `advance` fires every due timer in time order (ties in creation
 * order), so a seeded simulation replays identically however it is fast-forwarded.
 */
export class ManualClock implements Clock {
  private timers = new Set<Timer>();
  private seq = 0;
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  setInterval(fn: () => void, ms: number): () => void {
    return this.add(fn, Math.max(1, ms), this.t + Math.max(1, ms));
  }

  setTimeout(fn: () => void, ms: number): () => void {
    return this.add(fn, 0, this.t + Math.max(0, ms));
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const tm of this.timers)
        if (tm.due <= end && (!next || tm.due < next.due || (tm.due === next.due && tm.seq < next.seq)))
          next = tm;
      if (!next) break;
      this.t = next.due;
      if (next.every > 0) next.due += next.every;
      else this.timers.delete(next);
      next.fn();
    }
    this.t = end;
  }

  /** Number of pending timers, for tests that check a device cleaned up after itself. */
  get pending(): number {
    return this.timers.size;
  }

  private add(fn: () => void, every: number, due: number): () => void {
    const timer = { fn, every, due, seq: this.seq++ };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }
}
