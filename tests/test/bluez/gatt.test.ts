import { ManualClock, Wristband } from '@linkwell/device-sim';
import { decodeHeartRateMeasurement } from '@linkwell/firmware-protocol';
import dbus from 'dbus-next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHR, PROBE_SERVICE, Probe } from './peripherals.js';
import {
  dbusError,
  eventually,
  gattPath,
  nodeBleConnect,
  prop,
  proxy,
  startWorld,
  uuid,
  type World,
} from './world.js';

const BAND = 'D0:00:00:00:30:01';
const PROBE = 'D0:00:00:00:30:02';
const CHAR_IFACE = 'org.bluez.GattCharacteristic1';
const DESC_IFACE = 'org.bluez.GattDescriptor1';
const devicePath = (a: string) => `/org/bluez/hci0/dev_${a.replaceAll(':', '_')}`;
const bytes = (b: Buffer) => [...b];

describe('GATT through the simulated BlueZ with unmodified node-ble', () => {
  let world: World;
  let clock: ManualClock;
  let band: Wristband;
  let probe: Probe;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    band = new Wristband({ address: BAND, seed: 7, clock });
    probe = new Probe({ address: PROBE, clock });
    world = await startWorld([band, probe]);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('resolves the wristband services as 128-bit UUIDs and reads Device Information strings', async () => {
    const ble = await nodeBleConnect(BAND);
    try {
      expect(await ble.device.isConnected()).toBe(true);
      expect((await ble.gatt.services()).sort()).toEqual([uuid('180a'), uuid('180d'), uuid('180f')]);
      const text = async (c: string) =>
        (await (await ble.characteristic(uuid('180a'), uuid(c))).readValue()).toString();
      expect(await text('2a29')).toBe('Linkwell Sim');
      expect(await text('2a24')).toBe('Band 1');
      expect(await text('2a25')).toBe('D00000003001');
      expect(await (await ble.characteristic(uuid('180d'), uuid('2a37'))).getFlags()).toEqual(['notify']);
      expect(await (await ble.characteristic(uuid('180f'), uuid('2a19'))).getFlags()).toEqual([
        'read',
        'notify',
      ]);
      expect(await prop(world.raw(), devicePath(BAND), 'org.bluez.Device1', 'UUIDs')).toEqual(
        ['180d', '180f', '180a'].map(uuid).sort(),
      );
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('delivers 5 heart-rate notifications as valuechanged, decoding to exactly what the wristband sent', async () => {
    const ble = await nodeBleConnect(BAND);
    try {
      const hrm = await ble.characteristic(uuid('180d'), uuid('2a37'));
      const got: Buffer[] = [];
      hrm.on('valuechanged', (b: Buffer) => got.push(b));
      const before = band.sent.length;
      await hrm.startNotifications();
      expect(await hrm.isNotifying()).toBe(true);
      clock.advance(5000);
      await eventually('5 notifications', () => (got.length >= 5 ? true : undefined));
      const sent = band.sent.slice(before);
      expect(got.map(bytes)).toEqual(sent.map((s) => [...s.frame]));
      expect(got.map((b) => decodeHeartRateMeasurement(b).heartRateBpm)).toEqual(sent.map((s) => s.bpm));

      await hrm.stopNotifications();
      expect(await hrm.isNotifying()).toBe(false);
      clock.advance(3000);
      expect(band.sent.length).toBe(before + 5);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('writes with response, without response, and with node-ble’s default reliable write', async () => {
    const ble = await nodeBleConnect(PROBE);
    try {
      probe.writes.length = 0;
      const request = await ble.characteristic(PROBE_SERVICE, CHR.request);
      const command = await ble.characteristic(PROBE_SERVICE, CHR.command);
      await request.writeValueWithResponse(Buffer.from([1, 2]));
      await request.writeValue(Buffer.from([3]));
      await command.writeValueWithoutResponse(Buffer.from([4]));
      await eventually('the command write', () => (probe.writes.length === 3 ? true : undefined));
      expect(probe.writes).toEqual([
        { chr: CHR.request, bytes: [1, 2], offset: 0 },
        { chr: CHR.request, bytes: [3], offset: 0 },
        { chr: CHR.command, bytes: [4], offset: 0 },
      ]);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('answers refused writes the way bluetoothd does, and drops a refused Write Command silently', async () => {
    const ble = await nodeBleConnect(PROBE);
    try {
      probe.writes.length = 0;
      const command = await ble.characteristic(PROBE_SERVICE, CHR.command);
      expect(await dbusError(command.writeValueWithResponse(Buffer.from([1])))).toEqual({
        type: 'org.bluez.Error.NotPermitted',
        text: 'Write not permitted',
      });
      const picky = await ble.characteristic(PROBE_SERVICE, CHR.picky);
      expect(await dbusError(picky.writeValueWithResponse(Buffer.from([1])))).toEqual({
        type: 'org.bluez.Error.Failed',
        text: 'Operation failed with ATT error: 0x80',
      });
      const request = await ble.characteristic(PROBE_SERVICE, CHR.request);
      await request.writeValueWithoutResponse(Buffer.from([9]));
      expect(probe.writes).toEqual([]);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('reads at an offset, and refuses reads of unreadable values and offsets past the end', async () => {
    const ble = await nodeBleConnect(PROBE);
    try {
      const label = await ble.characteristic(PROBE_SERVICE, CHR.label);
      expect((await label.readValue(6)).toString()).toBe('label');
      expect(await dbusError(label.readValue(40))).toEqual({
        type: 'org.bluez.Error.InvalidArguments',
        text: 'Invalid offset',
      });
      const request = await ble.characteristic(PROBE_SERVICE, CHR.request);
      expect(await dbusError(request.readValue())).toEqual({
        type: 'org.bluez.Error.NotPermitted',
        text: 'Read not permitted',
      });
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('confirms indications itself and reports them as valuechanged', async () => {
    const ble = await nodeBleConnect(PROBE);
    try {
      const events = await ble.characteristic(PROBE_SERVICE, CHR.events);
      const got: number[][] = [];
      events.on('valuechanged', (b: Buffer) => got.push(bytes(b)));
      await events.startNotifications();
      expect(await probe.emitRaw(PROBE_SERVICE, CHR.events, Uint8Array.of(9, 8))).toBe(true);
      await eventually('the indication', () => (got.length === 1 ? true : undefined));
      expect(got).toEqual([[9, 8]]);
      expect(probe.connection?.cccd(PROBE_SERVICE, CHR.events)).toBe('indicate');
      await events.stopNotifications();
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('updates the cached Value on a read, which node-ble reports as valuechanged while notifying', async () => {
    const ble = await nodeBleConnect(PROBE);
    try {
      const level = await ble.characteristic(PROBE_SERVICE, CHR.level);
      const got: number[][] = [];
      level.on('valuechanged', (b: Buffer) => got.push(bytes(b)));
      await level.startNotifications();
      expect(bytes(await level.readValue())).toEqual([42]);
      await eventually('the read echo', () => (got.length === 1 ? true : undefined));
      expect(got).toEqual([[42]]);
      await level.stopNotifications();
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('exposes descriptors over D-Bus: the CCCD reflects notifying and cannot be written; 0x2901 reads "Label"', async () => {
    const ble = await nodeBleConnect(PROBE);
    const bus = world.raw();
    try {
      const under = devicePath(PROBE);
      const levelPath = await gattPath(bus, under, CHAR_IFACE, CHR.level);
      const cccd = await proxy(bus, await gattPath(bus, levelPath, DESC_IFACE, uuid('2902')), DESC_IFACE);
      expect(bytes(await cccd.ReadValue!({}))).toEqual([0, 0]);
      const level = await ble.characteristic(PROBE_SERVICE, CHR.level);
      await level.startNotifications();
      expect(bytes(await cccd.ReadValue!({}))).toEqual([1, 0]);
      expect(await dbusError(cccd.WriteValue!(Buffer.from([0, 0]), {}))).toEqual({
        type: 'org.bluez.Error.NotPermitted',
        text: 'Write not permitted',
      });
      await level.stopNotifications();
      expect(bytes(await cccd.ReadValue!({}))).toEqual([0, 0]);

      const labelPath = await gattPath(bus, under, CHAR_IFACE, CHR.label);
      const description = await proxy(
        bus,
        await gattPath(bus, labelPath, DESC_IFACE, uuid('2901')),
        DESC_IFACE,
      );
      expect((await description.ReadValue!({ offset: new dbus.Variant('q', 0) })).toString()).toBe('Label');
      expect(await prop(bus, labelPath, CHAR_IFACE, 'Handle')).toBe(7);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('refuses StartNotify without notify/indicate, StopNotify without a session, and Acquire*', async () => {
    const ble = await nodeBleConnect(PROBE);
    const bus = world.raw();
    try {
      const label = await proxy(
        bus,
        await gattPath(bus, devicePath(PROBE), CHAR_IFACE, CHR.label),
        CHAR_IFACE,
      );
      expect(await dbusError(label.StartNotify!())).toEqual({
        type: 'org.bluez.Error.NotSupported',
        text: 'Operation is not supported',
      });
      const levelPath = await gattPath(bus, devicePath(PROBE), CHAR_IFACE, CHR.level);
      const level = await proxy(bus, levelPath, CHAR_IFACE);
      expect(await dbusError(level.StopNotify!())).toEqual({
        type: 'org.bluez.Error.Failed',
        text: 'No notify session started',
      });
      expect((await dbusError(level.AcquireNotify!({}))).type).toBe('org.bluez.Error.NotSupported');
      expect(await prop(bus, levelPath, CHAR_IFACE, 'MTU')).toBe(247);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });
});
