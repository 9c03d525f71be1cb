import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import type { ReadingsEnvelope } from '@linkwell/firmware-protocol';
import { parseReadingsEnvelope } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createGateway } from './gateway.js';
import type { Uplink } from './uplink/mqtt-uplink.js';

const ADDR = { wristband: 'D0:00:00:00:00:01', bpCuff: 'D0:00:00:00:00:02', scale: 'D0:00:00:00:00:03' };

function recordingUplink() {
  const envelopes: ReadingsEnvelope[] = [];
  const events: Record<string, unknown>[] = [];
  const uplink: Uplink = {
    async publishReadings(env) {
      // Round-trip through the wire validator: the gateway must only ever emit valid v1 envelopes.
      envelopes.push(parseReadingsEnvelope(JSON.stringify(env)));
    },
    async publishEvent(e) {
      events.push(e);
    },
    async close() {},
  };
  return { uplink, envelopes, events };
}

async function setup(opts: { reconnectMs?: number; batch?: { maxReadings: number; lingerMs: number } } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8));
  const home = createSimulatedHome({ clock, seed: 7, addresses: ADDR });
  const rec = recordingUplink();
  const gw = createGateway({
    id: 'gw_test',
    central: home.radio,
    uplink: rec.uplink,
    logger: pino({ level: 'silent' }),
    now: () => clock.now(),
    batch: opts.batch ?? { maxReadings: 5, lingerMs: 60_000 },
    ...(opts.reconnectMs ? { reconnectMs: opts.reconnectMs } : {}),
  });
  const unsupported: string[] = [];
  const connected: string[] = [];
  gw.bus.on('device.unsupported', (d) => unsupported.push(d.address));
  gw.bus.on('device.connected', (d) => connected.push(d.address));
  await gw.start();
  return { clock, home, gw, unsupported, connected, ...rec };
}

describe('gateway with the in-memory radio', () => {
  it('relays 10 wristband frames as two envelopes of 5 with the exact bpm values sent', async () => {
    const { clock, home, gw, envelopes } = await setup();
    clock.advance(10_000);
    await gw.stop();
    expect(envelopes.map((e) => e.readings.length)).toEqual([5, 5]);
    expect(envelopes.map((e) => e.seq)).toEqual([0, 1]);
    const readings = envelopes.flatMap((e) => e.readings);
    expect(readings.map((r) => r.values.bpm)).toEqual(home.wristband.sent.map((s) => s.bpm));
    expect(readings[0]).toMatchObject({
      device: ADDR.wristband,
      metric: 'heart_rate',
      char: '2a37',
      slot: null,
      time_source: 'gateway',
      t: home.wristband.sent[0]!.at,
    });
  });

  it('connects all three demo devices through their generic SIG profiles and reports none unsupported', async () => {
    const { unsupported, connected, gw } = await setup();
    await gw.stop();
    expect(unsupported).toEqual([]);
    expect([...connected].sort()).toEqual([ADDR.wristband, ADDR.bpCuff, ADDR.scale]);
  });

  it('rejects a corrupt frame with its PROTO_ERR code and keeps relaying the next frames', async () => {
    const { clock, home, gw, envelopes, events } = await setup();
    home.wristband.emitRaw('180d', '2a37', Uint8Array.of(0x10, 0x48)); // 8-bit HR with the RR flag but no RR bytes
    clock.advance(5_000);
    await gw.stop();
    // The events topic also carries device.discovered and device.info (device-announcer.ts).
    expect(events.filter((e) => e.type === 'frame.rejected')).toEqual([
      {
        type: 'frame.rejected',
        address: ADDR.wristband,
        characteristic: '2a37',
        code: 'PROTO_ERR_TRUNCATED',
        offset: 2,
        raw: '1048',
        message: 'PROTO_ERR_TRUNCATED: RR interval needs 2 byte(s) but 0 remain (at byte 2)',
      },
    ]);
    expect(envelopes.flatMap((e) => e.readings)).toHaveLength(5);
  });

  it('reconnects after the wristband drops and keeps streaming', async () => {
    const { clock, home, gw, connected, envelopes } = await setup({ reconnectMs: 10 });
    home.radio.dropLink(ADDR.wristband);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(3_000);
    await gw.stop();
    expect(connected.filter((a) => a === ADDR.wristband)).toHaveLength(2);
    expect(envelopes.flatMap((e) => e.readings)).toHaveLength(3);
  });
});
