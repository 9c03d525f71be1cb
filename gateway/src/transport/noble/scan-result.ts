import type { ScanResult } from '@linkwell/firmware-protocol';
import { addressOf, fromNobleUuid } from './identifiers.js';
import type { NoblePeripheral } from './noble-api.js';

/** What the port reports for a peripheral, from the advertisement noble has merged so far. */
export function scanResultOf(p: NoblePeripheral): ScanResult {
  const a = p.advertisement;
  const serviceData = Object.fromEntries(
    (a.serviceData ?? []).map((d) => [fromNobleUuid(d.uuid), Uint8Array.from(d.data)]),
  );
  const m = a.manufacturerData;
  return {
    address: addressOf(p),
    ...(a.localName ? { name: a.localName } : {}),
    services: (a.serviceUuids ?? []).map(fromNobleUuid),
    rssi: p.rssi,
    ...(Object.keys(serviceData).length > 0 ? { serviceData } : {}),
    // Manufacturer Specific Data starts with the company identifier, little-endian (Core Supplement Part A §1.4).
    ...(m && m.length >= 2
      ? { manufacturerData: { [m.readUInt16LE(0)]: Uint8Array.from(m.subarray(2)) } }
      : {}),
    connectable: p.connectable,
  };
}
