import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import { parseReadingsEnvelope, type Reading } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway } from './gateway.js';
import type { Uplink } from './uplink/mqtt-uplink.js';

const ADDR = { wristband: 'D0:00:00:00:00:01', bpCuff: 'D0:00:00:00:00:02', scale: 'D0:00:00:00:00:03' };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lw-gw-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function uplinkThat(ok: boolean) {
  const published: Reading[] = [];
  const uplink: Uplink = {
    async publishReadings(env) {
      if (!ok) throw new Error('broker unreachable');
      published.push(...parseReadingsEnvelope(JSON.stringify(env)).readings);
    },
    async publishEvent() {},
    async close() {},
  };
  return { uplink, published };
}

function gatewayOn(uplink: Uplink, clock: ManualClock, seed: number) {
  const home = createSimulatedHome({ clock, seed, addresses: ADDR });
  const gw = createGateway({
    id: 'gw_test',
    central: home.radio,
    uplink,
    logger: pino({ level: 'silent' }),
    now: () => clock.now(),
    batch: { maxReadings: 4, lingerMs: 60_000 },
    outbox: { dir },
    publishRetry: { initialMs: 60_000, maxMs: 60_000 },
  });
  return { home, gw };
}

describe('gateway with a durable outbox', () => {
  it('relays every wristband reading through the outbox and leaves it empty once all are acknowledged', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 8));
    const up = uplinkThat(true);
    const { home, gw } = gatewayOn(up.uplink, clock, 7);
    await gw.start();
    clock.advance(10_000);
    await gw.flush();
    expect(up.published.map((r) => r.values.bpm)).toEqual(home.wristband.sent.map((s) => s.bpm));
    expect(gw.stats()).toMatchObject({
      readingsTaken: 10,
      readingsAcked: 10,
      readingsRefused: 0,
      outboxItems: 0,
    });
    await gw.stop();
  });

  it('keeps readings it could not send across a restart and sends exactly those first', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 8));
    const down = uplinkThat(false);
    const first = gatewayOn(down.uplink, clock, 7);
    await first.gw.start();
    clock.advance(6_000);
    await first.gw.stop();
    expect(first.gw.stats()).toMatchObject({ readingsTaken: 6, readingsAcked: 0, outboxItems: 6 });

    const up = uplinkThat(true);
    const second = gatewayOn(up.uplink, clock, 8);
    await second.gw.start();
    await second.gw.flush();
    expect(up.published.map((r) => r.values.bpm)).toEqual(first.home.wristband.sent.map((s) => s.bpm));
    clock.advance(2_000);
    await second.gw.stop();
    expect(up.published).toHaveLength(8);
    expect(up.published.slice(6).map((r) => r.values.bpm)).toEqual(
      second.home.wristband.sent.map((s) => s.bpm),
    );
  });
});
