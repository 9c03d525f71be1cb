import type { FleetGateway } from './fleet-gateway.js';

const TICK_MS = 20;

/**
 * Starts connections at a bounded rate, with at most about one second's worth of handshakes outstanding, so
 * a slow broker sees a steady trickle rather than ten thousand SYNs at once. The same queue takes
 * reconnects and retries, each after its own delay. The timer runs only while there is work.
 */
export class ConnectRamp {
  private readonly ready: FleetGateway[] = [];
  private head = 0;
  private readonly delayed = new Set<{ gw: FleetGateway; at: number }>();
  private pending = 0;
  private tokens = 0;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly perSecond: number) {}

  enqueue(gw: FleetGateway, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) this.delayed.add({ gw, at: performance.now() + delayMs });
    else this.ready.push(gw);
    this.arm();
  }

  /** Call once per started attempt, when it has connected or failed. */
  settled(): void {
    this.pending--;
    this.checkIdle();
  }

  get idle(): boolean {
    return this.pending === 0 && this.head === this.ready.length && this.delayed.size === 0;
  }

  /** Resolves once nothing is queued, delayed or connecting. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.ready.length = 0;
    this.head = 0;
    this.delayed.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private arm(): void {
    if (this.timer || this.stopped) return;
    this.last = performance.now();
    this.tokens = 1;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  private tick(): void {
    const t = performance.now();
    this.tokens = Math.min(
      this.tokens + (this.perSecond * (t - this.last)) / 1000,
      Math.max(1, this.perSecond / 10),
    );
    this.last = t;
    for (const d of this.delayed)
      if (d.at <= t) {
        this.delayed.delete(d);
        this.ready.push(d.gw);
      }
    const maxPending = Math.max(1, Math.ceil(this.perSecond));
    while (this.tokens >= 1 && this.head < this.ready.length && this.pending < maxPending) {
      const gw = this.ready[this.head++]!;
      this.tokens--;
      this.pending++;
      gw.connect();
    }
    if (this.head === this.ready.length) {
      this.ready.length = 0;
      this.head = 0;
    }
    if (this.ready.length === 0 && this.delayed.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
  }
}
