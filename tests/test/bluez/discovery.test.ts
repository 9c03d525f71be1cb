import { ManualClock, Wristband } from '@linkwell/device-sim';
import dbus, { type Variant } from 'dbus-next';
import nodeBle from 'node-ble';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broadcaster, PROBE_SERVICE, Probe } from './peripherals.js';
import { dbusError, eventually, prop, proxy, startWorld, uuid, type World } from './world.js';

const BAND = 'D0:00:00:00:20:01';
const PROBE = 'D0:00:00:00:20:02';
const SCALE = 'D0:00:00:00:20:03';
const ADAPTER = '/org/bluez/hci0';
const dev = (a: string) => `${ADAPTER}/dev_${a.replaceAll(':', '_')}`;

describe('simulated BlueZ discovery', () => {
  let world: World;
  let scale: Broadcaster;

  beforeAll(async () => {
    const clock = new ManualClock(0);
    scale = new Broadcaster({ address: SCALE, clock });
    world = await startWorld([
      new Wristband({ address: BAND, seed: 1, clock }),
      new Probe({ address: PROBE, clock }),
      scale,
    ]);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('shows node-ble one powered adapter, hci0, with the simulated address and name', async () => {
    const { bluetooth, destroy } = nodeBle.createBluetooth();
    try {
      expect(await bluetooth.adapters()).toEqual(['hci0']);
      const adapter = await bluetooth.defaultAdapter();
      expect(await adapter.getAddress()).toBe('C0:DE:C0:DE:00:01');
      expect(await adapter.getName()).toBe('linkwell-sim-hci0');
      expect(await adapter.isPowered()).toBe(true);
      expect(await adapter.isDiscovering()).toBe(false);
    } finally {
      destroy();
    }
  });

  it('lets unmodified node-ble discover the wristband: waitDevice, getName, getRSSI, getAddressType', async () => {
    const { bluetooth, destroy } = nodeBle.createBluetooth();
    try {
      const adapter = await bluetooth.defaultAdapter();
      await adapter.startDiscovery();
      expect(await adapter.isDiscovering()).toBe(true);
      const device = await adapter.waitDevice(BAND, 5000, 50);
      expect(await device.getName()).toBe('Linkwell Band');
      expect(await device.getAlias()).toBe('Linkwell Band');
      expect(await device.getRSSI()).toBe(-60);
      expect(await device.getAddressType()).toBe('public');
      expect(await device.isPaired()).toBe(false);
      expect((await adapter.devices()).sort()).toEqual([BAND, PROBE, SCALE]);
      await adapter.stopDiscovery();
      expect(await adapter.isDiscovering()).toBe(false);
    } finally {
      destroy();
    }
  });

  it('drops RSSI when the discovery ends, as bluetoothd does: Get answers InvalidArgs', async () => {
    const bus = world.raw();
    expect(await dbusError(prop(bus, dev(BAND), 'org.bluez.Device1', 'RSSI'))).toEqual({
      type: 'org.freedesktop.DBus.Error.InvalidArgs',
      text: "No such property 'RSSI'",
    });
    const all = (await (
      await proxy(bus, dev(BAND), 'org.freedesktop.DBus.Properties')
    ).GetAll!('org.bluez.Device1')) as Record<string, Variant>;
    expect(Object.keys(all)).not.toContain('RSSI');
    expect(all.Name?.value).toBe('Linkwell Band');
  });

  it('answers a second StartDiscovery with InProgress and a StopDiscovery without one with Failed', async () => {
    const bus = world.raw();
    const adapter = await proxy(bus, ADAPTER, 'org.bluez.Adapter1');
    expect(await dbusError(adapter.StopDiscovery!())).toEqual({
      type: 'org.bluez.Error.Failed',
      text: 'No discovery started',
    });
    await adapter.StartDiscovery!();
    expect(await dbusError(adapter.StartDiscovery!())).toEqual({
      type: 'org.bluez.Error.InProgress',
      text: 'Operation already in progress',
    });
    await adapter.StopDiscovery!();
    expect(await prop(bus, ADAPTER, 'org.bluez.Adapter1', 'Discovering')).toBe(false);
  });

  it('creates device objects only for advertisements that pass the UUIDs filter', async () => {
    const fresh = await startWorld([
      new Wristband({ address: BAND, seed: 1, clock: new ManualClock(0) }),
      new Probe({ address: PROBE, clock: new ManualClock(0) }),
    ]);
    try {
      const bus = fresh.raw();
      const adapter = await proxy(bus, ADAPTER, 'org.bluez.Adapter1');
      await adapter.SetDiscoveryFilter!({ UUIDs: new dbus.Variant('as', [PROBE_SERVICE]) });
      await adapter.StartDiscovery!();
      await eventually('the probe', async () => ((await nodes(bus)).includes(dev(PROBE)) ? true : undefined));
      expect(await nodes(bus)).toEqual([dev(PROBE)]);
      await adapter.StopDiscovery!();
    } finally {
      await fresh.stop();
    }
  });

  it('announces devices with ObjectManager InterfacesAdded and lists them in GetManagedObjects', async () => {
    const fresh = await startWorld([new Wristband({ address: BAND, seed: 1, clock: new ManualClock(0) })]);
    try {
      const bus = fresh.raw();
      const om = await proxy(bus, '/', 'org.freedesktop.DBus.ObjectManager');
      const added: [string, Record<string, Record<string, Variant>>][] = [];
      om.on('InterfacesAdded', (path: string, ifaces: Record<string, Record<string, Variant>>) => {
        added.push([path, ifaces]);
      });
      await new Promise((r) => setTimeout(r, 50)); // AddMatch is asynchronous
      await (await proxy(bus, ADAPTER, 'org.bluez.Adapter1')).StartDiscovery!();
      const [path, ifaces] = await eventually('InterfacesAdded', () => added[0]);
      expect(path).toBe(dev(BAND));
      expect(ifaces['org.bluez.Device1']?.Address?.value).toBe(BAND);
      expect(ifaces['org.bluez.Device1']?.UUIDs?.value).toEqual([uuid('180d'), uuid('180f')]);
      const managed = (await om.GetManagedObjects!()) as Record<string, Record<string, unknown>>;
      expect(Object.keys(managed).sort()).toEqual(['/org/bluez', ADAPTER, dev(BAND)]);
      expect(Object.keys(managed['/org/bluez']!)).toContain('org.bluez.AgentManager1');
    } finally {
      await fresh.stop();
    }
  });

  it('reports an advert-only device with ServiceData (a{sv}), ManufacturerData (a{qv}) and TxPower', async () => {
    const bus = world.raw();
    const adapter = await proxy(bus, ADAPTER, 'org.bluez.Adapter1');
    await adapter.StartDiscovery!();
    try {
      await eventually('the scale RSSI', () =>
        prop(bus, dev(SCALE), 'org.bluez.Device1', 'RSSI').catch(() => undefined),
      );
      const sd = (await prop(bus, dev(SCALE), 'org.bluez.Device1', 'ServiceData')) as Record<string, Variant>;
      expect(Object.keys(sd)).toEqual([uuid('181d')]);
      expect([...(sd[uuid('181d')]!.value as Buffer)]).toEqual([0x02, 0x10, 0x27]);
      const md = (await prop(bus, dev(SCALE), 'org.bluez.Device1', 'ManufacturerData')) as Record<
        string,
        Variant
      >;
      expect(Object.keys(md)).toEqual(['343']);
      expect([...(md[343]!.value as Buffer)]).toEqual([1, 2, 3]);
      expect(await prop(bus, dev(SCALE), 'org.bluez.Device1', 'TxPower')).toBe(4);

      const props = await proxy(bus, dev(SCALE), 'org.freedesktop.DBus.Properties');
      const changes: Record<string, Variant>[] = [];
      props.on('PropertiesChanged', (_iface: string, changed: Record<string, Variant>) =>
        changes.push(changed),
      );
      await new Promise((r) => setTimeout(r, 50));
      scale.advertise({ rssi: -55, serviceData: { '181d': Uint8Array.of(0x22, 0x20, 0x4e) } });
      const change = await eventually('PropertiesChanged', () => changes[0]);
      expect(change.RSSI?.value).toBe(-55);
      const serviceData = change.ServiceData!.value as Record<string, Variant>;
      expect([...(serviceData[uuid('181d')]!.value as Buffer)]).toEqual([0x22, 0x20, 0x4e]);
    } finally {
      await adapter.StopDiscovery!();
    }
  });

  it('ends the discovery session of a client that leaves the bus', async () => {
    const bus = world.raw();
    await (await proxy(bus, ADAPTER, 'org.bluez.Adapter1')).StartDiscovery!();
    const observer = world.raw();
    expect(await prop(observer, ADAPTER, 'org.bluez.Adapter1', 'Discovering')).toBe(true);
    bus.disconnect();
    await eventually('Discovering to go false', async () =>
      (await prop(observer, ADAPTER, 'org.bluez.Adapter1', 'Discovering')) === false ? true : undefined,
    );
  });

  it('lists the discovery filter keys bluetoothd understands', async () => {
    const adapter = await proxy(world.raw(), ADAPTER, 'org.bluez.Adapter1');
    expect(await adapter.GetDiscoveryFilters!()).toEqual([
      'UUIDs',
      'RSSI',
      'Pathloss',
      'Transport',
      'DuplicateData',
      'Discoverable',
      'Pattern',
      'AutoConnect',
    ]);
    expect(
      await dbusError(adapter.SetDiscoveryFilter!({ Transport: new dbus.Variant('s', 'radio') })),
    ).toEqual({
      type: 'org.bluez.Error.InvalidArguments',
      text: 'Invalid arguments in method call',
    });
  });
});

async function nodes(bus: ReturnType<World['raw']>): Promise<string[]> {
  return (await bus.getProxyObject('org.bluez', ADAPTER)).nodes;
}
