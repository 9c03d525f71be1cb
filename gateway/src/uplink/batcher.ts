import type { Reading } from '@linkwell/firmware-protocol';

export interface BatcherOptions {
  /** Size cap: an envelope never carries more readings than this. */
  maxReadings: number;
  /** How long the first reading of a batch may wait for company. */
  lingerMs: number;
  send(readings: Reading[]): Promise<void>;
  onError(err: unknown, readings: Reading[]): void;
  /** Injected so tests can run on simulated time. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

const realTimer = (fn: () => void, ms: number) => {
  const h = setTimeout(fn, ms);
  return () => clearTimeout(h);
};

/**
 * Collects readings into envelopes bounded by size and linger. A failed send puts its readings back at
 * the front so order is kept and nothing is dropped; the next flush retries them.
 */
export class ReadingBatcher {
  private queue: Reading[] = [];
  private cancelTimer: (() => void) | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** After a failed send, size-triggered flushes wait for the retry timer instead of hammering the uplink. */
  private backingOff = false;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;

  constructor(private readonly opts: BatcherOptions) {
    this.setTimer = opts.setTimer ?? realTimer;
  }

  get pending(): number {
    return this.queue.length;
  }

  add(r: Reading): void {
    this.queue.push(r);
    if (this.queue.length >= this.opts.maxReadings && !this.backingOff) void this.flush();
    else if (!this.cancelTimer) this.cancelTimer = this.setTimer(() => void this.flush(), this.opts.lingerMs);
  }

  /** Sends everything queued, one envelope at a time, and resolves when those sends have settled. */
  flush(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.inFlight = this.inFlight.then(() => this.drain());
    return this.inFlight;
  }

  private async drain(): Promise<void> {
    this.backingOff = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxReadings);
      try {
        await this.opts.send(batch);
      } catch (err) {
        this.queue.unshift(...batch);
        this.opts.onError(err, batch);
        this.backingOff = true;
        if (!this.cancelTimer)
          this.cancelTimer = this.setTimer(() => void this.flush(), Math.max(this.opts.lingerMs, 1000));
        return;
      }
    }
  }
}
