export interface BatteryLevelReporterOptions {
  /** Charge in percent, fractional. */
  level: () => number;
  /** Notifies Battery Level 0x2A19; resolves false when nobody subscribed. */
  notify: (value: Uint8Array) => Promise<boolean>;
}

/**
 * Battery Level notifications on change (BAS v1.0 §3.1): `check` sends the whole-percent value whenever it
 * differs from the one last seen, so a subscriber hears each step down exactly once.
 */
export class BatteryLevelReporter {
  private last: number;

  constructor(private readonly opts: BatteryLevelReporterOptions) {
    this.last = this.current();
  }

  /** Takes the present level as known, e.g. when a central subscribes after reading it. */
  sync(): void {
    this.last = this.current();
  }

  check(): void {
    const now = this.current();
    if (now === this.last) return;
    this.last = now;
    void this.opts.notify(Uint8Array.of(now));
  }

  private current(): number {
    return Math.round(this.opts.level());
  }
}
