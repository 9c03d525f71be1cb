import {
  decodeHeartRateMeasurement,
  encodeReadingsEnvelope,
  fromHex,
  heartRateBlock,
  metricDefinition,
  parseReadingsEnvelope,
  type ReadingsEnvelope,
  readingId,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { fleetGateway } from './identities.js';
import { GatewayEnvelopes } from './readings.js';

const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);

function envelopes(seed: number, count: number, k: number, now: () => number = () => T0): ReadingsEnvelope[] {
  const src = new GatewayEnvelopes(fleetGateway(4, 3), seed, now);
  return Array.from({ length: count }, () => parseReadingsEnvelope(src.next(k)));
}

describe('GatewayEnvelopes', () => {
  it('produces envelopes that pass the wire schema, numbered 0, 1, 2… with K readings each', () => {
    const envs = envelopes(1, 20, 7);
    expect(envs.map((e) => e.seq)).toEqual([...Array(20).keys()]);
    for (const e of envs) {
      expect(e.gw).toBe('fleet-gw-0005');
      expect(e.readings).toHaveLength(7);
    }
  });

  it('writes exactly the JSON that encodeReadingsEnvelope gives for the same envelope', () => {
    const src = new GatewayEnvelopes(fleetGateway(7, 4), 5, () => T0);
    for (let i = 0; i < 200; i++) {
      const text = src.next(1 + (i % 9));
      expect(text).toBe(encodeReadingsEnvelope(parseReadingsEnvelope(text)));
    }
  });

  it('spreads readings round-robin over the gateway’s devices', () => {
    const readings = envelopes(1, 10, 3).flatMap((e) => e.readings);
    const per = new Map<string, number>();
    for (const r of readings) per.set(r.device, (per.get(r.device) ?? 0) + 1);
    expect([...per.keys()].sort()).toEqual(fleetGateway(4, 3).devices.map((d) => d.address));
    expect([...per.values()]).toEqual([10, 10, 10]);
  });

  it('never repeats a time or an id per device, even when the clock stands still', () => {
    const readings = envelopes(1, 50, 10).flatMap((e) => e.readings);
    expect(new Set(readings.map((r) => r.id)).size).toBe(readings.length);
    const last = new Map<string, number>();
    for (const r of readings) {
      expect(r.t).toBeGreaterThan(last.get(r.device) ?? 0);
      last.set(r.device, r.t);
    }
  });

  it('carries the gateway’s idempotency key and values that its own parser would read from `raw`', () => {
    for (const r of envelopes(3, 5, 20).flatMap((e) => e.readings)) {
      expect(r.id).toBe(
        readingId({
          gw: 'fleet-gw-0005',
          device: r.device,
          slot: null,
          metric: r.metric,
          at: r.t,
          raw: r.raw,
        }),
      );
      const [decoded] = heartRateBlock.decode(fromHex(r.raw)!);
      expect({ values: r.values, quality: r.quality }).toEqual({
        values: decoded!.values,
        quality: decoded!.quality,
      });
      expect(r.char).toBe('2a37');
      expect(decodeHeartRateMeasurement(fromHex(r.raw)!).rrIntervals1024).toHaveLength(1);
      const { min, max } = metricDefinition('heart_rate')!.fields.bpm!.plausible;
      expect(r.values.bpm).toBeGreaterThanOrEqual(min);
      expect(r.values.bpm).toBeLessThanOrEqual(max);
    }
  });

  it('flags about 1 % of readings as without skin contact, as the gateway would', () => {
    const readings = envelopes(9, 100, 100).flatMap((e) => e.readings);
    const flagged = readings.filter((r) => r.quality.includes('no_skin_contact')).length;
    expect(flagged).toBeGreaterThan(30);
    expect(flagged).toBeLessThan(200);
  });

  it('replays the same values for the same seed and differs for another seed', () => {
    const bpm = (seed: number) => envelopes(seed, 30, 10).flatMap((e) => e.readings.map((r) => r.values.bpm));
    expect(bpm(11)).toEqual(bpm(11));
    expect(bpm(11)).not.toEqual(bpm(12));
  });

  it('stamps readings with the injected clock: t follows it, rt is the arrival time', () => {
    let now = T0;
    const src = new GatewayEnvelopes(fleetGateway(0, 1), 1, () => now);
    const a = parseReadingsEnvelope(src.next(1));
    now += 1000;
    const b = parseReadingsEnvelope(src.next(1));
    expect([a.readings[0]!.t, a.readings[0]!.rt, a.sent_at]).toEqual([T0, T0, T0]);
    expect([b.readings[0]!.t, b.readings[0]!.rt]).toEqual([T0 + 1000, T0 + 1000]);
    expect(b.readings[0]!.time_source).toBe('gateway');
  });
});
