import { describe, expect, it } from 'vitest';
import { addressKey, ConnectRateLimiter, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('gives a burst, then one token per 1/rate seconds', () => {
    const b = new TokenBucket(10, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(50)).toBe(false);
    expect(b.take(100)).toBe(true);
    expect(b.take(100)).toBe(false);
  });

  it('never holds more than its burst, however long it was idle', () => {
    const b = new TokenBucket(1000, 2, 0);
    expect(b.idle(60_000)).toBe(true);
    expect([b.take(60_000), b.take(60_000), b.take(60_000)]).toEqual([true, true, false]);
  });
});

const opts = { ratePerSecond: 100, burst: 5, perAddressRatePerSecond: 1, perAddressBurst: 2, exempt: [] };

describe('ConnectRateLimiter', () => {
  it('refuses the third CONNECT from one address at once, without taking global tokens', () => {
    const l = new ConnectRateLimiter(opts, 0);
    expect([l.allow('10.0.0.1', 0), l.allow('10.0.0.1', 0), l.allow('10.0.0.1', 0)]).toEqual([
      'ok',
      'ok',
      'per_address',
    ]);
    for (let i = 0; i < 20; i++) l.allow('10.0.0.1', 0);
    // 2 of 5 global tokens used: three other addresses still get in.
    expect(['10.0.0.2', '10.0.0.3', '10.0.0.4'].map((a) => l.allow(a, 0))).toEqual(['ok', 'ok', 'ok']);
    expect(l.allow('10.0.0.5', 0)).toBe('global');
  });

  it('gives back the per-address token when the global bucket refuses', () => {
    const l = new ConnectRateLimiter(
      { ...opts, burst: 1, ratePerSecond: 1, perAddressRatePerSecond: 0.001 },
      0,
    );
    expect(l.allow('10.0.0.1', 0)).toBe('ok');
    // .2 has 2 tokens; the refused attempt at 0 must not cost one of them.
    expect([0, 1000, 2000, 3000].map((t) => l.allow('10.0.0.2', t))).toEqual([
      'global',
      'ok',
      'ok',
      'per_address',
    ]);
  });

  it('counts exempt addresses (and IPv4-mapped forms of them) only globally', () => {
    const l = new ConnectRateLimiter({ ...opts, exempt: ['127.0.0.1'] }, 0);
    expect([1, 2, 3, 4].map(() => l.allow('::ffff:127.0.0.1', 0))).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(l.trackedAddresses).toBe(0);
  });

  it('tracks a bounded number of addresses, dropping idle ones first', () => {
    const l = new ConnectRateLimiter({ ...opts, maxTrackedAddresses: 3 }, 0);
    l.allow('10.0.0.1', 0);
    l.allow('10.0.0.1', 0);
    l.allow('10.0.0.2', 0);
    l.allow('10.0.0.3', 10_000);
    // At 10 s, .1 and .2 have refilled (idle) and are dropped to make room for .4.
    l.allow('10.0.0.4', 10_000);
    expect(l.trackedAddresses).toBe(2);
  });
});

describe('addressKey', () => {
  it('limits IPv6 per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
  });
});
