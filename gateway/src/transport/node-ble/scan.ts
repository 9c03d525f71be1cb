import type { ScanResult } from '@linkwell/firmware-protocol';
import type NodeBle from 'node-ble';
import { toGatewayError } from './ble-errors.js';
import type { BluezBus, DeviceProps } from './bluez-bus.js';
import type { DiscoveryLease } from './discovery-lease.js';
import { type NodeBleTimeouts, sleep, withTimeout } from './timeouts.js';
import { fromBluezUuid, toBluezUuid } from './uuids.js';

export interface ScanInput {
  adapter: NodeBle.Adapter;
  raw: BluezBus;
  timeouts: NodeBleTimeouts;
  abort: Promise<never>;
  /** The central's shared discovery session (a running advertisement watch may already hold it). */
  lease: DiscoveryLease;
  durationMs: number;
  services?: string[];
}

/** The port's scan result for a device's Device1 properties. */
export function toResult(address: string, p: DeviceProps): ScanResult {
  return {
    address,
    ...(p.Name !== undefined ? { name: p.Name } : {}),
    services: (p.UUIDs ?? []).map(fromBluezUuid),
    ...(p.RSSI !== undefined ? { rssi: p.RSSI } : {}),
    ...(p.ServiceData
      ? {
          serviceData: Object.fromEntries(
            Object.entries(p.ServiceData).map(([k, v]) => [fromBluezUuid(k), v]),
          ),
        }
      : {}),
    ...(p.ManufacturerData ? { manufacturerData: p.ManufacturerData } : {}),
  };
}

/**
 * Starts this central's discovery session. node-ble refuses to start when anyone is discovering; BlueZ itself
 * gives each client its own session, so the second bus connection asks for one then.
 */
export async function startSession(
  adapter: NodeBle.Adapter,
  raw: BluezBus,
  bounded: <T>(what: string, p: Promise<T>) => Promise<T>,
): Promise<() => Promise<unknown>> {
  try {
    await bounded('start discovery', adapter.startDiscovery());
    return () => bounded('stop discovery', adapter.stopDiscovery());
  } catch (e) {
    if ((e as Error).message !== 'Discovery already in progress') throw e;
    await bounded('start discovery', raw.startDiscovery());
    return () => bounded('stop discovery', raw.stopDiscovery());
  }
}

/**
 * Discovers for `durationMs`, then reports the devices BlueZ saw advertising in that time. Only devices
 * with an RSSI qualify: bluetoothd drops RSSI when a discovery ends (src/adapter.c), so a device object
 * left from an earlier scan or a bond is not mistaken for one in range. While an advertisement watch keeps
 * the session open, that means "seen since the watch began". The service filter is applied
 * here, as doc/org.bluez.Adapter.rst asks of every client sharing the adapter.
 */
export async function scanAdvertisers(input: ScanInput): Promise<ScanResult[]> {
  const { timeouts, abort } = input;
  const bounded = async <T>(what: string, p: Promise<T>): Promise<T> => {
    try {
      return await withTimeout(p, timeouts.operationMs, what, abort);
    } catch (e) {
      throw toGatewayError(e, what);
    }
  };
  const release = await input.lease.acquire();
  try {
    await sleep(input.durationMs);
    const wanted = input.services?.map((s) => toBluezUuid(s));
    const results: ScanResult[] = [];
    for (const address of await bounded('list devices', input.adapter.devices())) {
      const props = await bounded(`read ${address}`, input.raw.deviceProps(address)).catch(() => undefined);
      if (props?.RSSI === undefined) continue;
      if (wanted && !(props.UUIDs ?? []).some((u) => wanted.includes(u.toLowerCase()))) continue;
      results.push(toResult(address, props));
    }
    return results;
  } finally {
    await release().catch(() => {});
  }
}
