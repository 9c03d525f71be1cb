import type { BloodPressureCuff } from '@linkwell/device-sim';
import { parseEvent } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { startedCommandHome } from '../../../test/command-home.js';
import { T0 } from '../../../test/feature-home.js';

const BAND = 'D0:00:00:00:00:01';
const CUFF = 'D0:00:00:00:00:02';
const SCALE = 'D0:00:00:00:00:03';
const HOME = [
  { kind: 'wristband' as const, address: BAND },
  { kind: 'bp-cuff' as const, address: CUFF },
  { kind: 'scale' as const, address: SCALE },
];

describe('sync command', () => {
  it('reconnects the cuff, which replays the measurement it stored while away, and counts it as stored', async () => {
    const h = await startedCommandHome(HOME);
    const cuff = h.home.find('bp-cuff') as BloodPressureCuff;
    await h.gw.devices.hold(CUFF);
    cuff.measure({ user: 1 });
    h.clock.advance(60_000);
    expect(cuff.stored).toBe(1);
    const r = await h.send({ op: 'sync', address: CUFF }, 'sync-1');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'sync-1',
      status: 'ok',
      data: { address: CUFF, ok: true, readings: 1, stored: 1 },
    });
    expect(cuff.stored).toBe(0);
    expect(h.gw.devices.get(CUFF)?.connected).toBe(true);
  });

  it('syncs every managed device at once and reports each', async () => {
    const h = await startedCommandHome(HOME);
    const r = await h.send({ op: 'sync' }, 'sync-all');
    expect(r).toMatchObject({ status: 'ok' });
    const devices = (r.status === 'ok' ? r.data?.devices : []) as { address: string; ok: boolean }[];
    expect(devices.map((d) => [d.address, d.ok]).sort()).toEqual([
      [BAND, true],
      [CUFF, true],
      [SCALE, true],
    ]);
    // Each device got a fresh link: the start-up connect plus one per sync.
    expect(h.of('device.connected').length).toBe(6);
  });

  it('answers GATEWAY_ERR_UNKNOWN_DEVICE for an address it does not manage', async () => {
    const h = await startedCommandHome(HOME);
    const r = await h.send({ op: 'sync', address: 'D0:00:00:00:00:77' }, 'sync-x');
    expect(r).toMatchObject({ status: 'error', error: { code: 'GATEWAY_ERR_UNKNOWN_DEVICE' } });
  });
});

describe('set_time command', () => {
  it('sets the cuff clock to gateway time and reports how far off it was', async () => {
    const h = await startedCommandHome(HOME);
    const cuff = h.home.find('bp-cuff') as BloodPressureCuff;
    // The connect-time sync set it; push the clock 90 s ahead of gateway time again.
    cuff.deviceClock.set(h.clock.now() + 90_000);
    h.clock.advance(5_000);
    const r = await h.send({ op: 'set_time', address: CUFF }, 'time-1');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'time-1',
      status: 'ok',
      data: { address: CUFF, offset_ms: -90_000 },
    });
    expect(cuff.deviceClock.now()).toBe(h.clock.now());
    expect(h.of('device.time_synced').at(-1)).toEqual({
      type: 'device.time_synced',
      address: CUFF,
      offsetMs: -90_000,
    });
  });

  it('answers GATEWAY_ERR_UNSUPPORTED for the wristband, which has no Current Time', async () => {
    const h = await startedCommandHome(HOME);
    const r = await h.send({ op: 'set_time', address: BAND }, 'time-2');
    expect(r).toMatchObject({
      status: 'error',
      error: { code: 'GATEWAY_ERR_UNSUPPORTED', message: `${BAND} has no writable Current Time (0x2A2B)` },
    });
  });

  it('answers GATEWAY_ERR_NOT_CONNECTED for a managed device that is away', async () => {
    const h = await startedCommandHome(HOME);
    await h.gw.devices.hold(CUFF);
    const r = await h.send({ op: 'set_time', address: CUFF }, 'time-3');
    expect(r).toMatchObject({ status: 'error', error: { code: 'GATEWAY_ERR_NOT_CONNECTED' } });
  });

  it('sets every connected device that has Current Time and lists the ones without it', async () => {
    const h = await startedCommandHome(HOME);
    const r = await h.send({ op: 'set_time' }, 'time-all');
    expect(r).toMatchObject({ status: 'ok' });
    const data = (r.status === 'ok' && r.data) || {};
    expect((data.devices as { address: string }[]).map((d) => d.address).sort()).toEqual([CUFF, SCALE]);
    expect(data.skipped).toEqual([BAND]);
    expect(data.failed).toEqual([]);
  });
});

describe('capture command', () => {
  it('captures the connected wristband, publishes it as device.capture, and connects it again', async () => {
    const h = await startedCommandHome(HOME);
    const r = await h.send({ op: 'capture', address: BAND, seconds: 1 }, 'cap-1');
    expect(r).toMatchObject({
      status: 'ok',
      data: { address: BAND, advertised: true, unreadable: 0, published: true },
    });
    const data = r.status === 'ok' ? r.data : {};
    // Heart Rate, Battery and Device Information.
    expect(data?.services).toBe(3);
    const event = h.events.find((e) => e.type === 'device.capture')!;
    expect(parseEvent(JSON.stringify({ v: 1, gw: 'gw_cmd', ...event }))).toMatchObject({
      type: 'device.capture',
      at: T0,
      address: BAND,
      capture: { v: 1, address: BAND },
    });
    expect(h.gw.devices.get(BAND)?.connected).toBe(true);
  });

  it('answers with the transport error for an address nobody answers at', async () => {
    const h = await startedCommandHome(HOME);
    const r = await h.send({ op: 'capture', address: 'D0:00:00:00:00:77', seconds: 1 }, 'cap-2');
    expect(r).toMatchObject({ status: 'error', error: { code: 'SIM_ERR_UNKNOWN_DEVICE' } });
  });
});
