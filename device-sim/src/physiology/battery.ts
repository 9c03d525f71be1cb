export interface BatteryModelOptions {
  origin: number;
  /** Charge at `origin`, in percent. */
  startPercent?: number;
  /** Standby drain. */
  percentPerDay: number;
  /** Extra drain while the radio streams or a motor runs. */
  percentPerActiveHour?: number;
  /** Where the model stops; the simulator does not model a flat battery switching the device off. */
  floorPercent?: number;
}

/** A battery that drains with time, faster while the device is busy. Pure bookkeeping on the injected clock. */
export class BatteryModel {
  private activeMs = 0;
  private activeSince: number | undefined;
  private spent = 0;

  constructor(private readonly opts: BatteryModelOptions) {}

  /** Charge in percent (fractional; Battery Level rounds it). */
  levelAt(atMs: number): number {
    const days = Math.max(0, atMs - this.opts.origin) / 86_400_000;
    const activeHours =
      (this.activeMs + (this.activeSince === undefined ? 0 : atMs - this.activeSince)) / 3_600_000;
    const drained =
      days * this.opts.percentPerDay + activeHours * (this.opts.percentPerActiveHour ?? 0) + this.spent;
    return Math.max(this.opts.floorPercent ?? 1, (this.opts.startPercent ?? 100) - drained);
  }

  /** Marks the start or end of a busy period. */
  setActive(active: boolean, atMs: number): void {
    if (active && this.activeSince === undefined) this.activeSince = atMs;
    if (!active && this.activeSince !== undefined) {
      this.activeMs += atMs - this.activeSince;
      this.activeSince = undefined;
    }
  }

  /** A one-off cost, such as inflating a cuff. */
  consume(percent: number): void {
    this.spent += percent;
  }
}
