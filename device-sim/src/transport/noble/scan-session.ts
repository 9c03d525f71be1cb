import type { Clock } from '../../clock.js';
import type { SimPeripheral } from '../../peripheral.js';

/**
 * One LE scan: reports every hosted peripheral once at the start, again whenever its advertisement
 * changes (how an advert-only scale publishes a weighing), and, when duplicates are allowed, once per
 * advertising interval as a controller without duplicate filtering would.
 */
export class ScanSession {
  private readonly unwatch = new Map<SimPeripheral, () => void>();
  private readonly stopTimer: (() => void) | undefined;
  private active = true;

  constructor(
    readonly filter: readonly string[],
    readonly allowDuplicates: boolean,
    private readonly opts: {
      clock: Clock;
      advertisingIntervalMs: number;
      peripherals: () => Iterable<SimPeripheral>;
      report: (p: SimPeripheral) => void;
    },
  ) {
    for (const p of opts.peripherals()) this.watch(p);
    // The first advertising reports arrive after the scan has started, never in the same tick.
    setImmediate(() => this.reportAll());
    this.stopTimer = allowDuplicates
      ? opts.clock.setInterval(() => this.reportAll(), opts.advertisingIntervalMs)
      : undefined;
  }

  /** A device that starts advertising mid-scan. */
  add(p: SimPeripheral): void {
    this.watch(p);
    setImmediate(() => this.reportOne(p));
  }

  forget(p: SimPeripheral): void {
    this.unwatch.get(p)?.();
    this.unwatch.delete(p);
  }

  stop(): void {
    this.active = false;
    this.stopTimer?.();
    for (const off of this.unwatch.values()) off();
    this.unwatch.clear();
  }

  private watch(p: SimPeripheral): void {
    if (!this.active || this.unwatch.has(p)) return;
    this.unwatch.set(
      p,
      p.onAdvertisement(() => this.reportOne(p)),
    );
  }

  private reportAll(): void {
    for (const p of this.unwatch.keys()) this.reportOne(p);
  }

  private reportOne(p: SimPeripheral): void {
    if (this.active && this.unwatch.has(p)) this.opts.report(p);
  }
}
