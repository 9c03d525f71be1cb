import { ManualClock, Wristband } from '@linkwell/device-sim';
import { decodeHeartRateMeasurement } from '@linkwell/firmware-protocol';
import { createNodeBleCentral, type NodeBleCentral } from '@linkwell/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Broadcaster,
  CHR,
  LOCK_SERVICE,
  LOCKED_CHR,
  PasskeyCuff,
  PROBE_SERVICE,
  Probe,
} from './peripherals.js';
import { eventually, startWorld, type World } from './world.js';

const BAND = 'D0:00:00:00:60:01';
const PROBE = 'D0:00:00:00:60:02';
const SCALE = 'D0:00:00:00:60:03';
const CUFF = 'D0:00:00:00:60:04';

describe('the gateway’s node-ble central over the simulated BlueZ', () => {
  let world: World;
  let central: NodeBleCentral;
  let clock: ManualClock;
  let band: Wristband;
  let probe: Probe;
  const writes: { type: string | null; withResponse: boolean }[] = [];

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 3, 1));
    band = new Wristband({ address: BAND, seed: 11, clock });
    probe = new Probe({ address: PROBE, clock });
    world = await startWorld(
      [band, probe, new Broadcaster({ address: SCALE, clock }), new PasskeyCuff({ address: CUFF, clock })],
      {
        logger: {
          debug: (o, msg) => {
            if (msg?.endsWith('WriteValue')) writes.push(o as (typeof writes)[number]);
          },
          warn: () => {},
        },
      },
    );
    central = await createNodeBleCentral({
      timeouts: { discoverMs: 400, operationMs: 400 },
      pairing: { passkeyFor: (address) => (address === CUFF ? '123456' : undefined) },
    });
  });
  afterAll(async () => {
    await central?.close();
    await world?.stop();
  });

  it('scans: the 180d filter finds only the wristband, with its name, RSSI and short service UUIDs', async () => {
    const found = await central.scan({ durationMs: 200, services: ['180d'] });
    expect(found).toEqual([{ address: BAND, name: 'Linkwell Band', services: ['180d', '180f'], rssi: -60 }]);
  });

  it('scans an advert-only device with its Service Data and Manufacturer Data', async () => {
    const found = await central.scan({ durationMs: 200 });
    expect(found.map((r) => r.address).sort()).toEqual([BAND, PROBE, SCALE, CUFF].sort());
    const scale = found.find((r) => r.address === SCALE)!;
    expect(scale.serviceData).toEqual({ '181d': Uint8Array.of(0x02, 0x10, 0x27) });
    expect(scale.manufacturerData).toEqual({ 343: Uint8Array.of(1, 2, 3) });
    expect(scale.rssi).toBe(-70);
  });

  it('connects, lists services and properties, reads Device Information and relays notifications byte for byte', async () => {
    const link = await central.connect(BAND.toLowerCase());
    expect(link.address).toBe(BAND);
    expect((await link.services()).sort()).toEqual(['180a', '180d', '180f']);
    expect(await link.characteristics('180d')).toEqual(
      expect.arrayContaining([
        { uuid: '2a37', properties: ['notify'] },
        { uuid: '2a38', properties: ['read'] },
      ]),
    );
    expect(new TextDecoder().decode(await link.read('180a', '2a24'))).toBe('Band 1');

    const a: Uint8Array[] = [];
    const b: Uint8Array[] = [];
    const before = band.sent.length;
    const stopA = await link.subscribe('180d', '2a37', (v) => a.push(v));
    const stopB = await link.subscribe('180d', '2a37', (v) => b.push(v));
    clock.advance(3000);
    await eventually('3 notifications', () => (a.length === 3 ? true : undefined));
    const sent = band.sent.slice(before);
    expect(a.map((v) => [...v])).toEqual(sent.map((s) => [...s.frame]));
    expect(b.map((v) => decodeHeartRateMeasurement(v).heartRateBpm)).toEqual(sent.map((s) => s.bpm));
    await stopA();
    expect(band.connection?.cccd('180d', '2a37')).toBe('notify');
    await stopB();
    expect(band.connection?.cccd('180d', '2a37')).toBe('off');

    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    await link.disconnect();
    expect(reasons).toEqual(['local host terminated connection']);
    expect(band.connection).toBeUndefined();
  });

  it('writes with response as "request" and without as "command", never node-ble’s default "reliable"', async () => {
    const link = await central.connect(PROBE);
    try {
      writes.length = 0;
      probe.writes.length = 0;
      await link.write(PROBE_SERVICE, CHR.request, Uint8Array.of(1));
      await link.write(PROBE_SERVICE, CHR.command, Uint8Array.of(2), { withResponse: false });
      expect(writes.map((w) => [w.type, w.withResponse])).toEqual([
        ['request', true],
        ['command', false],
      ]);
      await eventually('both writes', () => (probe.writes.length === 2 ? true : undefined));
      expect(probe.writes.map((w) => w.bytes)).toEqual([[1], [2]]);
    } finally {
      await link.disconnect();
    }
  });

  it('does not pass a read’s echo of the cached Value to subscribers, but keeps real notifications', async () => {
    const link = await central.connect(PROBE);
    try {
      const got: number[][] = [];
      await link.subscribe(PROBE_SERVICE, CHR.level, (v) => got.push([...v]));
      expect([...(await link.read(PROBE_SERVICE, CHR.level))]).toEqual([42]);
      await probe.emitRaw(PROBE_SERVICE, CHR.level, Uint8Array.of(43));
      await eventually('the notification', () => (got.length === 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([[43]]);
    } finally {
      await link.disconnect();
    }
  });

  it('reports a dropped link with the BlueZ reason and fails later calls with GATEWAY_ERR_BLE_DISCONNECTED', async () => {
    const link = await central.connect(BAND);
    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    band.connection!.close('connection timeout');
    await eventually('the disconnect', () => reasons[0]);
    expect(reasons).toEqual(['connection timeout']);
    await expect(link.read('180f', '2a19')).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_DISCONNECTED',
      message: expect.stringContaining('org.bluez.Error.Failed: Not connected'),
    });
  });

  it('codes the failures of a connected link: missing attribute, ATT error, bonded-only value, stalled device', async () => {
    const link = await central.connect(PROBE);
    try {
      await expect(link.read('1234', '2a19')).rejects.toMatchObject({ code: 'GATEWAY_ERR_BLE_NOT_FOUND' });
      await expect(link.read(PROBE_SERVICE, '2a19')).rejects.toMatchObject({
        code: 'GATEWAY_ERR_BLE_NOT_FOUND',
      });
      await expect(link.write(PROBE_SERVICE, CHR.picky, Uint8Array.of(1))).rejects.toMatchObject({
        code: 'GATEWAY_ERR_BLE_OPERATION_FAILED',
        message: expect.stringContaining('Operation failed with ATT error: 0x80'),
      });
      probe.stallAfter(0, 60_000);
      await expect(link.read(PROBE_SERVICE, CHR.label)).rejects.toMatchObject({
        code: 'GATEWAY_ERR_BLE_TIMEOUT',
        message: expect.stringContaining('did not finish within 400 ms'),
      });
    } finally {
      probe.connection?.close('connection timeout');
    }
  });

  it('fails to connect with NOT_FOUND for an unknown address and TIMEOUT for a device that never answers', async () => {
    await expect(central.connect('D0:00:00:00:6F:FF')).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_NOT_FOUND',
    });
    await expect(central.connect(SCALE)).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_TIMEOUT',
      message: expect.stringContaining('le-connection-abort-by-local'),
    });
  });

  it('pairs through its own agent, then reads the bonded-only value; removeBond makes it AUTH_FAILED again', async () => {
    let link = await central.connect(CUFF);
    await expect(link.read(LOCK_SERVICE, LOCKED_CHR)).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_AUTH_FAILED',
      message: expect.stringContaining('Not paired'),
    });
    await central.pair(CUFF);
    await central.pair(CUFF);
    expect([...(await link.read(LOCK_SERVICE, LOCKED_CHR))]).toEqual([0x07, 0x00]);
    await link.disconnect();

    await central.removeBond(CUFF);
    await central.removeBond(CUFF);
    link = await central.connect(CUFF);
    await expect(link.read(LOCK_SERVICE, LOCKED_CHR)).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_AUTH_FAILED',
    });
    await link.disconnect();
  });

  it('fails pair with AUTH_FAILED when its policy has no passkey for the device', async () => {
    const other = new PasskeyCuff({ address: 'D0:00:00:00:60:05', clock });
    world.bluez.add(other);
    await expect(central.pair('D0:00:00:00:60:05')).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_AUTH_FAILED',
      message: expect.stringContaining('org.bluez.Error.AuthenticationFailed'),
    });
  });
});

describe('createNodeBleCentral without BlueZ', () => {
  it('fails with GATEWAY_ERR_BLE_UNAVAILABLE when nothing owns org.bluez on the bus', async () => {
    const world = await startWorld([]);
    await world.bluez.stop();
    try {
      await expect(createNodeBleCentral({ timeouts: { operationMs: 2000 } })).rejects.toMatchObject({
        code: 'GATEWAY_ERR_BLE_UNAVAILABLE',
        message: expect.stringContaining('org.freedesktop.DBus.Error.ServiceUnknown'),
      });
    } finally {
      await world.stop();
    }
  });

  it('fails with GATEWAY_ERR_BLE_UNAVAILABLE when the system bus socket does not exist', async () => {
    const previous = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = 'unix:path=/nonexistent/linkwell/bus.sock';
    try {
      await expect(createNodeBleCentral({ timeouts: { operationMs: 2000 } })).rejects.toMatchObject({
        code: 'GATEWAY_ERR_BLE_UNAVAILABLE',
        message: expect.stringContaining('ENOENT'),
      });
    } finally {
      if (previous === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = previous;
    }
  });
});
