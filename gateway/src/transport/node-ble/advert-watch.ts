import type { ScanResult } from '@linkwell/firmware-protocol';
import type { Message, MessageBus, Variant } from 'dbus-next';
import { type BluezBus, type DeviceProps, parseDeviceProps } from './bluez-bus.js';
import type { DiscoveryLease } from './discovery-lease.js';
import { toResult } from './scan.js';

export interface AdvertWatchInput {
  adapter: string;
  raw: BluezBus;
  lease: DiscoveryLease;
  services?: string[];
  onAdvert: (r: ScanResult) => void;
  /** Bounds a D-Bus call with the central's operation timeout and maps its error to a GATEWAY_ERR_* code. */
  bounded: <T>(what: string, p: Promise<T>) => Promise<T>;
  onError?: (e: unknown, address: string) => void;
}

const DEVICE1 = 'org.bluez.Device1';
/** What bluetoothd updates from an advertising report (src/device.c, device_set_*; src/adapter.c). */
const ADVERT_PROPS = ['ServiceData', 'ManufacturerData', 'RSSI'] as const;

function addressOf(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const tail = path.slice(prefix.length);
  return /^[0-9A-F]{2}(_[0-9A-F]{2}){5}$/i.test(tail) ? tail.replaceAll('_', ':').toUpperCase() : undefined;
}

/** D-Bus message type 4 (D-Bus Specification, "Message Format"). */
const SIGNAL = 4;

async function callDaemon(
  bus: MessageBus,
  member: 'AddMatch' | 'RemoveMatch',
  rule: string,
): Promise<unknown> {
  // Loaded lazily like the rest of dbus-next (central.ts): by now the central has it in the module cache.
  const { default: dbus } = await import('dbus-next');
  return bus.call(
    new dbus.Message({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member,
      signature: 's',
      body: [rule],
    }),
  );
}

/**
 * Reports advertisements through BlueZ while it holds the central's discovery session. bluetoothd turns
 * each advertising report into Device1 property changes (ServiceData, ManufacturerData, RSSI), or into a
 * new device object the first time, and signals those (doc/org.bluez.Device.rst); node-ble exposes neither
 * signal in a usable form, so the watch subscribes on the raw bus with match rules of its own. Only what
 * arrives after the watch starts is reported: data BlueZ cached from an earlier discovery may be old.
 * Each report is the device's whole advertisement, its last known properties with the change applied.
 */
export async function watchBluezAdverts(input: AdvertWatchInput): Promise<() => Promise<void>> {
  const { raw, bounded } = input;
  const bus = raw.bus;
  const prefix = `/org/bluez/${input.adapter}/dev_`;
  const wanted = input.services?.map((s) => s.toLowerCase());
  const rules = [
    `type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',arg0='${DEVICE1}',path_namespace='/org/bluez/${input.adapter}'`,
    `type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager',member='InterfacesAdded'`,
    `type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager',member='InterfacesRemoved'`,
  ];
  /** Last known properties per device, and the chain that keeps its reports in signal order. */
  const known = new Map<string, DeviceProps>();
  const chains = new Map<string, Promise<void>>();
  let open = true;

  const report = (address: string, p: DeviceProps) => {
    if (!open) return;
    const r = toResult(address, p);
    if (wanted && ![...r.services, ...Object.keys(r.serviceData ?? {})].some((s) => wanted.includes(s)))
      return;
    input.onAdvert(r);
  };

  const enqueue = (address: string, step: () => Promise<void>) => {
    const next = (chains.get(address) ?? Promise.resolve()).then(step).catch((e: unknown) => {
      known.delete(address);
      input.onError?.(e, address);
    });
    chains.set(address, next);
    void next.finally(() => {
      if (chains.get(address) === next) chains.delete(address);
    });
  };

  const onChanged = (address: string, changed: Record<string, Variant>, invalidated: string[]) => {
    if (!ADVERT_PROPS.some((k) => k in changed)) {
      // Keep the cache honest (a name learnt later, RSSI dropped at the end of a discovery).
      const base = known.get(address);
      if (base) {
        Object.assign(base, parseDeviceProps(changed));
        for (const k of invalidated) delete base[k as keyof DeviceProps];
      }
      return;
    }
    const delta = parseDeviceProps(changed);
    enqueue(address, async () => {
      const base = known.get(address) ?? (await bounded(`read ${address}`, raw.deviceProps(address)));
      const merged: DeviceProps = { ...base, ...delta };
      for (const k of invalidated) delete merged[k as keyof DeviceProps];
      known.set(address, merged);
      report(address, merged);
    });
  };

  const onMessage = (msg: Message) => {
    if ((msg.type as number) !== SIGNAL || !msg.path) return;
    if (msg.interface === 'org.freedesktop.DBus.Properties' && msg.member === 'PropertiesChanged') {
      const [iface, changed, invalidated] = msg.body as [string, Record<string, Variant>, string[]];
      const address = addressOf(msg.path, prefix);
      if (iface === DEVICE1 && address) onChanged(address, changed, invalidated ?? []);
    } else if (msg.interface === 'org.freedesktop.DBus.ObjectManager' && msg.member === 'InterfacesAdded') {
      const [path, ifaces] = msg.body as [string, Record<string, Record<string, Variant>>];
      const address = addressOf(path, prefix);
      const props = ifaces[DEVICE1];
      if (!address || !props) return;
      const p = parseDeviceProps(props);
      enqueue(address, async () => {
        known.set(address, p);
        // A new object is the device's first advertisement in this discovery.
        if (p.RSSI !== undefined || p.ServiceData || p.ManufacturerData) report(address, p);
      });
    } else if (msg.interface === 'org.freedesktop.DBus.ObjectManager' && msg.member === 'InterfacesRemoved') {
      // bluetoothd removes devices it has not heard for a while (TemporaryTimeout): so does the cache.
      const [path, ifaces] = msg.body as [string, string[]];
      const address = addressOf(path, prefix);
      if (address && ifaces.includes(DEVICE1)) enqueue(address, async () => void known.delete(address));
    }
  };

  bus.on('message', onMessage);
  const added: string[] = [];
  let release: (() => Promise<void>) | undefined;
  const close = async () => {
    open = false;
    bus.off('message', onMessage);
    for (const rule of added.splice(0))
      await bounded('remove a signal match', callDaemon(bus, 'RemoveMatch', rule)).catch(() => {});
    await release?.();
  };
  try {
    for (const rule of rules) {
      await bounded('add a signal match', callDaemon(bus, 'AddMatch', rule));
      added.push(rule);
    }
    release = await input.lease.acquire();
  } catch (e) {
    await close();
    throw e;
  }
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await close();
  };
}
