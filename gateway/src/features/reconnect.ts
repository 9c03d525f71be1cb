import type { GatewayEventBus } from '../events.js';
import { backoffDelay } from '../uplink/backoff.js';

export interface ReconnectPolicy {
  /** First delay after a drop or a failed connect. Default 1 s. */
  initialMs: number;
  /** Ceiling of the doubling delay. Default 60 s. */
  maxMs: number;
  /** A link that stayed up this long counts as stable and resets the backoff. Default 30 s. */
  stableMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { initialMs: 1000, maxMs: 60_000, stableMs: 30_000 };

/** setTimeout returning its own cancel; injectable so tests can record delays instead of waiting. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

/**
 * Per-device reconnect with jittered exponential backoff: delay `initialMs · 2^(attempt−1)`, capped at
 * `maxMs`, spread ±20 % (backoffDelay) so devices that dropped together do not come back in lock-step. The
 * attempt count resets once a link stayed up for `stableMs`. Announces `device.reconnecting`.
 */
export class ReconnectScheduler {
  private readonly attempts = new Map<string, number>();
  private readonly pending = new Map<string, () => void>();
  private readonly stableTimers = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly opts: {
      policy: ReconnectPolicy;
      bus: GatewayEventBus;
      random?: () => number;
      schedule?: Schedule;
    },
  ) {}

  private get schedule(): Schedule {
    return this.opts.schedule ?? realSchedule;
  }

  /** The device is connected: start the stability timer that resets its backoff. */
  connected(address: string): void {
    this.stableTimers.get(address)?.();
    this.stableTimers.set(
      address,
      this.schedule(() => {
        this.stableTimers.delete(address);
        this.attempts.delete(address);
      }, this.opts.policy.stableMs),
    );
  }

  /** Plans the next connect; `immediate` for an intended hand-over that is no failure. */
  retry(address: string, connect: () => void, opts: { immediate?: boolean } = {}): void {
    if (this.closed) return;
    this.stableTimers.get(address)?.();
    this.stableTimers.delete(address);
    this.pending.get(address)?.();
    const attempt = opts.immediate
      ? (this.attempts.get(address) ?? 0)
      : (this.attempts.get(address) ?? 0) + 1;
    if (!opts.immediate) this.attempts.set(address, attempt);
    const delayMs = opts.immediate
      ? 0
      : backoffDelay(this.opts.policy, attempt, this.opts.random ?? Math.random);
    this.opts.bus.emit('device.reconnecting', { address, attempt, delayMs });
    this.pending.set(
      address,
      this.schedule(() => {
        this.pending.delete(address);
        if (!this.closed) connect();
      }, delayMs),
    );
  }

  close(): void {
    this.closed = true;
    for (const c of [...this.pending.values(), ...this.stableTimers.values()]) c();
    this.pending.clear();
    this.stableTimers.clear();
  }
}
