import { fleetGateway } from '@linkwell/device-sim';
import { parseReadingsEnvelope, type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import mqtt from 'mqtt';
import { expect } from 'vitest';

export interface Collector {
  payloads: { topic: string; payload: Buffer }[];
  /** Waits until `n` messages are in (or fails after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A QoS 1 subscriber to every gateway's readings topic, started before the fleet so nothing is missed. */
export async function collectReadings(url: string, auth: { username?: string; password?: string } = {}) {
  const sub = await mqtt.connectAsync(url, {
    clientId: `fleet-watch-${process.pid}`,
    reconnectPeriod: 0,
    ...auth,
  });
  await sub.subscribeAsync('lw/v1/gw/+/readings', { qos: 1 });
  const payloads: Collector['payloads'] = [];
  sub.on('message', (topic, payload) => payloads.push({ topic, payload }));
  return {
    payloads,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (payloads.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(payloads.length).toBe(n);
    },
    close: () => sub.endAsync(),
  } satisfies Collector;
}

/**
 * What every observed message must satisfy: a valid v1 envelope on its own gateway's topic, K readings,
 * envelope seq 0…n-1 once each per gateway, readings from that gateway's devices only, spread round-robin,
 * each with the gateway's idempotency key, and per device strictly increasing times.
 */
export function checkFleetEnvelopes(
  messages: { topic: string; payload: Buffer }[],
  fleet: { gateways: number; devicesPerGateway: number; readingsPerMessage: number; idPrefix?: string },
): { envelopes: number; readings: number } {
  const byGateway = new Map<string, ReadingsEnvelope[]>();
  for (const m of messages) {
    const env = parseReadingsEnvelope(m.payload);
    expect(m.topic).toBe(`lw/v1/gw/${env.gw}/readings`);
    expect(env.readings).toHaveLength(fleet.readingsPerMessage);
    byGateway.set(env.gw, [...(byGateway.get(env.gw) ?? []), env]);
  }
  const ids = new Set<string>();
  let readings = 0;
  for (let i = 0; i < fleet.gateways; i++) {
    const gw = fleetGateway(i, fleet.devicesPerGateway, fleet.idPrefix);
    const envs = (byGateway.get(gw.id) ?? []).sort((a, b) => a.seq - b.seq);
    byGateway.delete(gw.id);
    expect(envs.map((e) => e.seq)).toEqual([...Array(envs.length).keys()]);
    const addresses = gw.devices.map((d) => d.address);
    const perDevice = new Map<string, number[]>();
    for (const r of envs.flatMap((e) => e.readings)) {
      expect(addresses).toContain(r.device);
      expect(r.id).toBe(
        readingId({ gw: gw.id, device: r.device, slot: r.slot, metric: r.metric, at: r.t, raw: r.raw }),
      );
      ids.add(r.id);
      perDevice.set(r.device, [...(perDevice.get(r.device) ?? []), r.t]);
      readings++;
    }
    for (const times of perDevice.values())
      for (let k = 1; k < times.length; k++) expect(times[k]).toBeGreaterThan(times[k - 1]!);
    const counts = [...perDevice.values()].map((t) => t.length);
    if (counts.length > 0) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  }
  expect([...byGateway.keys()]).toEqual([]); // nothing from outside the fleet
  expect(ids.size).toBe(readings);
  return { envelopes: messages.length, readings };
}
