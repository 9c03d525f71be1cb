import { LatencyHistogram } from './latency-histogram.js';

export type FleetPhase = 'connecting' | 'publishing' | 'draining' | 'closing' | 'done';

/** What the progress callback gets about once a second. */
export interface FleetProgress {
  phase: FleetPhase;
  elapsedS: number;
  gateways: number;
  connected: number;
  sent: number;
  acknowledged: number;
  failed: number;
  connectFailures: number;
  /** Acknowledgements per second since the previous progress call; for phase `done`, over the whole run. */
  ackRate: number;
}

/** Distinct failure reasons kept; a broker that invents a new message per failure cannot grow the report. */
const MAX_REASONS = 32;

/** Counters shared by the ramp and the publishers. Every failure lands in `reasons`, none is dropped. */
export class FleetStats {
  readonly latency = new LatencyHistogram();
  readonly reasons = new Map<string, number>();
  sent = 0;
  acknowledged = 0;
  failed = 0;
  connectFailures = 0;
  disconnects = 0;
  connected = 0;
  /** Gateways with at least one acknowledged message. */
  publishingGateways = 0;

  fail(kind: 'connect' | 'publish' | 'disconnect', reason: string, count = 1): void {
    if (kind === 'connect') this.connectFailures += count;
    else if (kind === 'publish') this.failed += count;
    else this.disconnects += count;
    let key = `${kind}: ${reason}`;
    if (!this.reasons.has(key) && this.reasons.size >= MAX_REASONS) key = `${kind}: (other reasons)`;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + count);
  }

  /** The most frequent connect failure, for the error thrown when no gateway got in. */
  topConnectReason(): string | undefined {
    let best: [string, number] | undefined;
    for (const [k, n] of this.reasons)
      if (k.startsWith('connect: ') && (!best || n > best[1])) best = [k.slice('connect: '.length), n];
    return best?.[0];
  }
}
