import type { PointWriter } from './writer.js';

export interface WriteBatcherOptions {
  maxLines: number;
  lingerMs: number;
  /** Concurrent writes: InfluxDB on 2 cores gains ~60-90 % from a second writer (see docs/benchmarks.md). */
  maxConcurrent: number;
  onBatch?: (info: { lines: number; ms: number; ok: boolean }) => void;
}

interface Batch {
  lines: string[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Groups the lines of many concurrent publishes into few writes. `add` resolves only when the batch
 * holding its lines was written, which is what lets the broker hold each PUBACK until then.
 */
export class WriteBatcher {
  private open: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Batch[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly writer: PointWriter,
    private readonly opts: WriteBatcherOptions,
  ) {}

  add(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    if (!this.open) {
      this.open = { lines: [], waiters: [] };
      this.timer = setTimeout(() => this.seal(), this.opts.lingerMs);
    }
    const batch = this.open;
    for (const l of lines) batch.lines.push(l);
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.lines.length >= this.opts.maxLines) this.seal();
    return done;
  }

  /** Seals the open batch now and resolves once every batch has been written or has failed; for shutdown. */
  async drain(): Promise<void> {
    this.seal();
    if (this.active === 0 && this.ready.length === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.open) return;
    this.ready.push(this.open);
    this.open = undefined;
    this.pump();
  }

  private pump(): void {
    while (this.active < this.opts.maxConcurrent && this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.active++;
      const started = performance.now();
      this.writer.write(batch.lines).then(
        () => this.settle(batch, started, true, undefined),
        (err) => this.settle(batch, started, false, err),
      );
    }
  }

  private settle(batch: Batch, started: number, ok: boolean, err: unknown): void {
    this.active--;
    this.opts.onBatch?.({ lines: batch.lines.length, ms: performance.now() - started, ok });
    for (const w of batch.waiters) ok ? w.resolve() : w.reject(err);
    this.pump();
    if (this.active === 0 && this.ready.length === 0 && !this.open) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
