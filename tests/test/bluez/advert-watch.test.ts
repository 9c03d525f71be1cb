import { ManualClock, MiScale } from '@linkwell/device-sim';
import { parseReadingsEnvelope, type Reading, type ScanResult, toHex } from '@linkwell/firmware-protocol';
import { createGateway, createNodeBleCentral, type NodeBleCentral, type Uplink } from '@linkwell/gateway';
import dbus from 'dbus-next';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../src/wait.js';
import { prop, startWorld, type World } from './world.js';

const SCALE = 'C4:00:00:00:70:01';
const FRAME_MS = 500;
/** 5 settling frames, 3 stabilised ones and "load removed" (device-sim mi-scale-sequence.ts). */
const FRAMES = 9;

/** A frame may be reported more than once (a report of another property carries it too); changes count. */
const distinct = (frames: string[]) => frames.filter((f, i) => i === 0 || f !== frames[i - 1]);
const heardFrames = (adverts: ScanResult[]) =>
  distinct(adverts.flatMap((r) => (r.serviceData?.['181d'] ? [toHex(r.serviceData['181d'])] : [])));

describe('advertisement watch over node-ble and the simulated BlueZ', () => {
  let world: World;
  let central: NodeBleCentral;
  let clock: ManualClock;
  let scale: MiScale;
  const sent: string[] = [];

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 11, 7, 7, 30));
    scale = new MiScale({ address: SCALE, seed: 5, clock, model: 'mi-scale', users: [{ weightKg: 64 }] });
    scale.onAdvertisement((a) => {
      const f = a.serviceData?.['181d'];
      if (f) sent.push(toHex(f));
    });
    world = await startWorld([scale], { scanIntervalMs: 50 });
    central = await createNodeBleCentral({ timeouts: { operationMs: 2000, discoverMs: 1000 } });
  });
  afterAll(async () => {
    await central?.close();
    await world?.stop();
  });

  /** Frames as BlueZ signals them: a frame equal to the one before changes no property, so it is not heard. */
  const changes = () => distinct(sent);

  /** Plays one weighing frame by frame, letting each change reach BlueZ and its signal reach the central. */
  async function weigh(seen: () => number): Promise<void> {
    sent.length = 0;
    const before = seen();
    scale.step();
    await until('the first frame', () => seen() === before + 1);
    for (let i = 1; i < FRAMES; i++) {
      clock.advance(FRAME_MS);
      await until(`frame ${i + 1}`, () => seen() === before + changes().length);
    }
  }

  it('reports every change of the service data, in order, byte for byte, and shares discovery with a scan', async () => {
    const adverts: ScanResult[] = [];
    const stop = await central.watchAdvertisements({ services: ['181d'] }, (r) => adverts.push(r));
    try {
      const frames = () => heardFrames(adverts).length;
      await weigh(frames);
      expect(heardFrames(adverts)).toEqual(changes());
      expect(adverts[0]).toMatchObject({ address: SCALE, name: 'MI SCALE2', services: ['181d'] });

      // A scan takes and releases the same session; the watch goes on hearing the scale afterwards.
      const found = await central.scan({ durationMs: 100 });
      expect(found.map((r) => r.address)).toEqual([SCALE]);
      const bus = world.raw();
      expect(await prop(bus, '/org/bluez/hci0', 'org.bluez.Adapter1', 'Discovering')).toBe(true);
      adverts.length = 0;
      clock.advance(60_000);
      await weigh(frames);
      expect(heardFrames(adverts)).toEqual(changes());
    } finally {
      await stop();
    }
    const bus = world.raw();
    await until(
      'discovery to end',
      async () => (await prop(bus, '/org/bluez/hci0', 'org.bluez.Adapter1', 'Discovering')) === false,
    );
  });

  it('fails with a coded error when BlueZ refuses discovery (adapter powered off)', async () => {
    const bus = world.raw();
    const props = (await bus.getProxyObject('org.bluez', '/org/bluez/hci0')).getInterface(
      'org.freedesktop.DBus.Properties',
    );
    await props.Set!('org.bluez.Adapter1', 'Powered', new dbus.Variant('b', false));
    try {
      await expect(central.watchAdvertisements({}, () => {})).rejects.toMatchObject({
        code: 'GATEWAY_ERR_BLE_UNAVAILABLE',
      });
    } finally {
      await props.Set!('org.bluez.Adapter1', 'Powered', new dbus.Variant('b', true));
    }
    // Nothing was left half-open: a watch starts cleanly afterwards.
    const stop = await central.watchAdvertisements({}, () => {});
    await stop();
  });

  it('a MiScale weighing reaches the gateway uplink as exactly one body_weight reading with the exact weight', async () => {
    const readings: Reading[] = [];
    const uplink: Uplink = {
      async publishReadings(env) {
        readings.push(...parseReadingsEnvelope(JSON.stringify(env)).readings);
      },
      async publishEvent() {},
      async close() {},
    };
    const gw = createGateway({
      id: 'gw_advert',
      central,
      uplink,
      logger: pino({ level: 'silent' }),
      batch: { maxReadings: 10, lingerMs: 50 },
    });
    // start() scans for 2 s and then starts the watch, so the scale's frames after it are all heard.
    await gw.start();
    const heard: ScanResult[] = [];
    const stopTap = await central.watchAdvertisements({ services: ['181d'] }, (r) => heard.push(r));
    clock.advance(60_000);
    await weigh(() => heardFrames(heard).length);
    await stopTap();
    await until('the reading', () => readings.length > 0);
    await gw.stop();
    const taken = scale.taken.at(-1)!;
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({
      device: SCALE,
      metric: 'body_weight',
      slot: null,
      values: { weight: taken.weightKg },
      quality: ['attribution_by_weight'],
      time_source: 'device',
      // The scale's own clock at its first stabilised frame, to the second.
      t: Math.floor((taken.at + 5 * FRAME_MS) / 1000) * 1000,
    });
  });
});
