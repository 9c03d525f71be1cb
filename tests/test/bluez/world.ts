import {
  type SimLogger,
  type SimPeripheral,
  type SimulatedBluez,
  startSimulatedBluez,
} from '@linkwell/device-sim';
import dbus, { type MessageBus, type Variant } from 'dbus-next';
import nodeBle from 'node-ble';
import { type RunningDbusDaemon, startDbusDaemon } from '../../src/harness/index.js';
import { eventually } from '../../src/wait.js';

export { eventually };

/** A private dbus-daemon with the simulated BlueZ on it, and DBUS_SYSTEM_BUS_ADDRESS pointing there. */
export interface World {
  readonly daemon: RunningDbusDaemon;
  readonly bluez: SimulatedBluez;
  /** A plain dbus-next connection for what node-ble does not cover (descriptors, agents, signals). */
  raw(): MessageBus;
  stop(): Promise<void>;
}

export async function startWorld(
  peripherals: SimPeripheral[],
  opts: { agentTimeoutMs?: number; scanIntervalMs?: number; logger?: SimLogger } = {},
): Promise<World> {
  const daemon = await startDbusDaemon();
  const bluez = await startSimulatedBluez({ busAddress: daemon.address, peripherals, ...opts });
  const previous = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  process.env.DBUS_SYSTEM_BUS_ADDRESS = daemon.address;
  const buses: MessageBus[] = [];
  return {
    daemon,
    bluez,
    raw() {
      const bus = dbus.sessionBus({ busAddress: daemon.address });
      buses.push(bus);
      return bus;
    },
    async stop() {
      // Ending a connection whose connect is still pending crashes dbus-next's native socket addon.
      // A bus that is disconnecting must not answer the method calls still in its buffer (that write
      // to a closed stream throws from dbus-next's socket handler).
      for (const b of buses) {
        (b as unknown as { send: (msg: unknown) => void }).send = () => {};
        if (await connected(b)) b.disconnect();
      }
      if (previous === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = previous;
      await bluez.stop();
      await daemon.stop();
    },
  };
}

function connected(bus: MessageBus): Promise<boolean> {
  if ((bus as unknown as { name: string | null }).name) return Promise.resolve(true);
  return new Promise((resolve) => {
    bus.once('connect', () => resolve(true));
    bus.once('error', () => resolve(false));
    setTimeout(() => resolve(false), 2000);
  });
}

export async function proxy(bus: MessageBus, path: string, iface: string) {
  return (await bus.getProxyObject('org.bluez', path)).getInterface(iface);
}

/** Properties.Get through a raw connection, unwrapped. */
export async function prop(bus: MessageBus, path: string, iface: string, name: string): Promise<unknown> {
  const props = await proxy(bus, path, 'org.freedesktop.DBus.Properties');
  return ((await props.Get!(iface, name)) as Variant).value;
}

/** The D-Bus error name and text a rejected call carried. */
export async function dbusError(p: Promise<unknown>): Promise<{ type: string; text: string }> {
  try {
    await p;
  } catch (e) {
    const { type, text } = e as { type: string; text: string };
    return { type, text };
  }
  throw new Error('expected the call to fail');
}

export const uuid = (short: string) => `0000${short}-0000-1000-8000-00805f9b34fb`;

/** Unmodified node-ble, the way its README drives it: discover, wait for the device, connect, resolve GATT. */
export async function nodeBleConnect(address: string) {
  const { bluetooth, destroy } = nodeBle.createBluetooth();
  const adapter = await bluetooth.defaultAdapter();
  await adapter.startDiscovery();
  const device = await adapter.waitDevice(address, 5000, 50);
  await adapter.stopDiscovery();
  await device.connect();
  const gatt = await device.gatt();
  const characteristic = async (service: string, chr: string) =>
    (await gatt.getPrimaryService(service)).getCharacteristic(chr);
  return { bluetooth, adapter, device, gatt, characteristic, destroy };
}

/** Object path of the GATT object with `uuid` below `under`, found through ObjectManager like bluetoothctl does. */
export async function gattPath(
  bus: MessageBus,
  under: string,
  iface: string,
  uuid128: string,
): Promise<string> {
  const om = await proxy(bus, '/', 'org.freedesktop.DBus.ObjectManager');
  const objects = (await om.GetManagedObjects!()) as Record<string, Record<string, Record<string, Variant>>>;
  const hit = Object.entries(objects).find(
    ([path, ifaces]) => path.startsWith(`${under}/`) && ifaces[iface]?.UUID?.value === uuid128,
  );
  if (!hit) throw new Error(`no ${iface} ${uuid128} below ${under}`);
  return hit[0];
}
