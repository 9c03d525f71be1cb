/** Injectable time so simulations can run on wall time or be fast-forwarded in tests. */
export interface Clock {
  now(): number;
  setInterval(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval(fn, ms) {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  },
};

interface Timer {
  fn: () => void;
  every: number;
  due: number;
}

/** A clock that only moves when told to; `advance` fires every due interval in time order. */
export class ManualClock implements Clock {
  private timers = new Set<Timer>();
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  setInterval(fn: () => void, ms: number): () => void {
    const timer = { fn, every: ms, due: this.t + ms };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const tm of this.timers) if (tm.due <= end && (!next || tm.due < next.due)) next = tm;
      if (!next) break;
      this.t = next.due;
      next.due += next.every;
      next.fn();
    }
    this.t = end;
  }
}
