import { IngestError } from '../errors.js';

export interface InfluxHealthOptions {
  /** Resolves true when InfluxDB answers (e.g. /ping 204); a rejection counts as false. */
  probe: () => Promise<boolean>;
  probeIntervalMs: number;
  onChange: (up: boolean, reason?: IngestError) => void;
}

/**
 * A two-state circuit breaker. While down, writers skip InfluxDB and spool at once, so an outage costs
 * publishes one fsync instead of a retry ladder; a probe every `probeIntervalMs` closes it again.
 * `signal` aborts the retries of writes already in flight when the breaker opens.
 */
export class InfluxHealth {
  private isUp = true;
  private controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: InfluxHealthOptions) {}

  get up(): boolean {
    return this.isUp;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  markDown(reason: unknown): void {
    if (!this.isUp || this.stopped) return;
    this.isUp = false;
    const err =
      reason instanceof IngestError && reason.code === 'INGEST_ERR_INFLUX_DOWN'
        ? reason
        : new IngestError('INGEST_ERR_INFLUX_DOWN', `InfluxDB marked down: ${(reason as Error)?.message}`, {
            cause: reason,
          });
    this.controller.abort(err);
    this.opts.onChange(false, err);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.opts.probe().then(
        (ok) => (ok ? this.markUp() : this.schedule()),
        () => this.schedule(),
      );
    }, this.opts.probeIntervalMs);
  }

  private markUp(): void {
    if (this.isUp || this.stopped) return;
    this.isUp = true;
    this.controller = new AbortController();
    this.opts.onChange(true);
  }
}
