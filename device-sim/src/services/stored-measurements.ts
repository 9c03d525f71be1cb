export interface StoredMeasurementsOptions<T> {
  /** How many undelivered measurements the device keeps; the oldest is dropped when full. */
  capacity: number;
  /** The link to deliver on while a central has the measurement's CCCD enabled, else undefined. */
  listener: () => object | undefined;
  /** Sends one measurement; resolves true once the central has confirmed it. */
  send: (item: T) => Promise<boolean>;
}

/**
 * Measurements taken while nobody listened, kept until a central confirms them. Delivery is oldest first and
 * one at a time: ATT allows a single outstanding indication (Core Vol 3 Part F §3.4.7.2), and a record leaves
 * the memory only once its confirmation arrives, so a link lost mid-indication loses nothing.
 */
export class StoredMeasurements<T> {
  private readonly items: T[] = [];
  private drainingOn: object | undefined;

  constructor(private readonly opts: StoredMeasurementsOptions<T>) {}

  get size(): number {
    return this.items.length;
  }

  all(): T[] {
    return [...this.items];
  }

  /** Keeps a new measurement and delivers it at once if a central listens. */
  add(item: T): void {
    this.items.push(item);
    if (this.items.length > this.opts.capacity) this.items.shift();
    this.flush();
  }

  /** Starts delivering to the current listener, unless a delivery to it is already under way. */
  flush(): void {
    const link = this.opts.listener();
    if (!link || this.drainingOn === link) return;
    this.drainingOn = link;
    void this.drain(link);
  }

  private async drain(link: object): Promise<void> {
    while (this.items.length > 0 && this.opts.listener() === link) {
      const item = this.items[0]!;
      let confirmed = false;
      try {
        confirmed = await this.opts.send(item);
      } catch {
        confirmed = false;
      }
      if (!confirmed) break;
      const i = this.items.indexOf(item);
      if (i >= 0) this.items.splice(i, 1);
    }
    // Cleared in the same turn as the last check, so a measurement added from now on starts a new drain.
    if (this.drainingOn === link) this.drainingOn = undefined;
  }
}
