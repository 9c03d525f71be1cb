import { describe, expect, it } from 'vitest';
import { type FleetOptions, resolveFleetOptions } from './options.js';
import { formatFleetProgress } from './progress.js';

const base: FleetOptions = {
  brokerUrl: 'mqtt://127.0.0.1:1883',
  gateways: 2,
  devicesPerGateway: 1,
  readingsPerMessage: 1,
  rate: 10,
  durationS: 1,
};

describe('resolveFleetOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveFleetOptions(base)).toMatchObject({
      inflight: 10,
      connectRate: 500,
      protocolVersion: 4,
      seed: 1,
      idPrefix: 'fleet',
      keepaliveS: 60,
    });
  });

  it.each<[Partial<FleetOptions>, RegExp]>([
    [{ brokerUrl: 'localhost:1883' }, /brokerUrl/],
    [{ gateways: 0 }, /gateways/],
    [{ devicesPerGateway: 1.5 }, /devicesPerGateway/],
    [{ readingsPerMessage: 1001 }, /readingsPerMessage/],
    [{ rate: -1 }, /rate/],
    [{ durationS: 0 }, /durationS/],
    [{ inflight: 0 }, /inflight/],
    [{ protocolVersion: 3 as 4 }, /protocolVersion/],
    [{ idPrefix: 'a/b' }, /idPrefix/],
  ])('rejects %o', (bad, message) => {
    expect(() => resolveFleetOptions({ ...base, ...bad })).toThrow(message);
  });
});

describe('formatFleetProgress', () => {
  it('prints the one-line summary, with connect failures only when there are some', () => {
    const p = {
      phase: 'publishing' as const,
      elapsedS: 12,
      gateways: 10000,
      connected: 9500,
      sent: 120000,
      acknowledged: 119800,
      failed: 0,
      connectFailures: 0,
      ackRate: 19_800,
    };
    expect(formatFleetProgress(p)).toBe(
      'connected 9500/10000  sent 120000  acked 119800  failed 0  19.8k msg/s',
    );
    expect(formatFleetProgress({ ...p, connectFailures: 3, ackRate: 512.4 })).toBe(
      'connected 9500/10000  connect failures 3  sent 120000  acked 119800  failed 0  512 msg/s',
    );
  });
});
