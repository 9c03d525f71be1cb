import { isIPv6 } from 'node:net';

/** A token bucket: `burst` tokens at most, refilled at `ratePerSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  give(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /** True when the bucket has refilled completely, i.e. it remembers nothing worth keeping. */
  idle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
  }
}

export interface ConnectRateOptions {
  ratePerSecond: number;
  burst: number;
  perAddressRatePerSecond: number;
  perAddressBurst: number;
  /** Addresses counted only against the global bucket (a TLS-terminating proxy on the same host). */
  exempt: readonly string[];
  /** Per-address buckets kept at most; idle ones are dropped first, then the oldest. */
  maxTrackedAddresses?: number;
}

export type RateDecision = 'ok' | 'per_address' | 'global';

/**
 * CONNECT rate limiting, per source address and globally. The per-address bucket is asked first and a
 * refusal there takes no global token, so one flooding address cannot use up the rate of everyone else.
 */
export class ConnectRateLimiter {
  private readonly global: TokenBucket;
  private readonly perAddress = new Map<string, TokenBucket>();
  private readonly exempt: ReadonlySet<string>;
  private readonly maxTracked: number;

  constructor(
    private readonly opts: ConnectRateOptions,
    now: number,
  ) {
    this.global = new TokenBucket(opts.ratePerSecond, opts.burst, now);
    this.exempt = new Set(opts.exempt.map(addressKey));
    this.maxTracked = opts.maxTrackedAddresses ?? 65_536;
  }

  allow(address: string | undefined, now: number): RateDecision {
    const key = address === undefined ? undefined : addressKey(address);
    let bucket: TokenBucket | undefined;
    if (key !== undefined && !this.exempt.has(key)) {
      bucket = this.perAddress.get(key);
      if (!bucket) {
        this.makeRoom(now);
        bucket = new TokenBucket(this.opts.perAddressRatePerSecond, this.opts.perAddressBurst, now);
        this.perAddress.set(key, bucket);
      }
      if (!bucket.take(now)) return 'per_address';
    }
    if (!this.global.take(now)) {
      bucket?.give();
      return 'global';
    }
    return 'ok';
  }

  get trackedAddresses(): number {
    return this.perAddress.size;
  }

  private makeRoom(now: number): void {
    if (this.perAddress.size < this.maxTracked) return;
    for (const [k, b] of this.perAddress) if (b.idle(now)) this.perAddress.delete(k);
    // Still full: every tracked address is busy. Forget the oldest, which at worst gives it a fresh burst.
    for (const k of this.perAddress.keys()) {
      if (this.perAddress.size < this.maxTracked) break;
      this.perAddress.delete(k);
    }
  }
}

/**
 * The key a source address is limited under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, since a
 * single host commonly holds a whole /64 and could otherwise rotate through fresh addresses.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
