import type { ClientInterface, MessageBus, Variant } from 'dbus-next';
import { devicePath } from './uuids.js';

/** Device1 properties a scan reads, as plain values (optional ones absent, as BlueZ leaves them out). */
export interface DeviceProps {
  Address?: string;
  Name?: string;
  RSSI?: number;
  UUIDs?: string[];
  ServiceData?: Record<string, Uint8Array>;
  ManufacturerData?: Record<number, Uint8Array>;
}

function unwrap(v: unknown): unknown {
  return v && typeof v === 'object' && 'signature' in v && 'value' in v ? (v as Variant).value : v;
}

function bytesByKey(dict: unknown): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.entries((dict ?? {}) as Record<string, unknown>).map(([k, v]) => [
      k,
      Uint8Array.from(unwrap(v) as Buffer),
    ]),
  );
}

/** Device1 properties from a GetAll answer, or the changed ones of a PropertiesChanged signal. */
export function parseDeviceProps(raw: Record<string, Variant>): DeviceProps {
  const out: DeviceProps = {};
  if (raw.Address) out.Address = raw.Address.value as string;
  if (raw.Name) out.Name = raw.Name.value as string;
  if (raw.RSSI) out.RSSI = raw.RSSI.value as number;
  if (raw.UUIDs) out.UUIDs = raw.UUIDs.value as string[];
  if (raw.ServiceData) out.ServiceData = bytesByKey(raw.ServiceData.value);
  if (raw.ManufacturerData)
    out.ManufacturerData = Object.fromEntries(
      Object.entries(bytesByKey(raw.ManufacturerData.value)).map(([k, v]) => [Number(k), v]),
    );
  return out;
}

/**
 * What the gateway needs from BlueZ that node-ble does not offer (BLE-STACKS.md "Missing"): reading all of a
 * device's properties in one call (UUIDs, ServiceData, ManufacturerData), Adapter1.RemoveDevice, the
 * Device1.Disconnected reason signal (BlueZ ≥ 5.67), and a discovery session of its own. It uses a second
 * connection to the same system bus.
 */
export class BluezBus {
  constructor(
    readonly bus: MessageBus,
    private readonly adapter: string,
  ) {}

  devicePath(address: string): string {
    return devicePath(this.adapter, address);
  }

  async deviceProps(address: string): Promise<DeviceProps> {
    const props = await this.iface(this.devicePath(address), 'org.freedesktop.DBus.Properties');
    return parseDeviceProps((await props.GetAll!('org.bluez.Device1')) as Record<string, Variant>);
  }

  async removeDevice(address: string): Promise<void> {
    const adapter = await this.iface(`/org/bluez/${this.adapter}`, 'org.bluez.Adapter1');
    await adapter.RemoveDevice!(this.devicePath(address));
  }

  /** A discovery session owned by this connection (for when another client is already discovering). */
  async startDiscovery(): Promise<void> {
    const adapter = await this.iface(`/org/bluez/${this.adapter}`, 'org.bluez.Adapter1');
    await adapter.StartDiscovery!();
  }

  async stopDiscovery(): Promise<void> {
    const adapter = await this.iface(`/org/bluez/${this.adapter}`, 'org.bluez.Adapter1');
    await adapter.StopDiscovery!();
  }

  /** Calls `listener` with the org.bluez.Reason.* name each time the device disconnects; returns an unsubscribe. */
  async onDisconnected(address: string, listener: (reason: string) => void): Promise<() => void> {
    const device = await this.iface(this.devicePath(address), 'org.bluez.Device1');
    const handler = (reason: string) => listener(reason);
    device.on('Disconnected', handler);
    return () => {
      device.off('Disconnected', handler);
    };
  }

  private async iface(path: string, name: string): Promise<ClientInterface> {
    return (await this.bus.getProxyObject('org.bluez', path)).getInterface(name);
  }
}
