import type { Variant } from 'dbus-next';
import type { Advertisement } from '../../gatt/types.js';
import { bluezError } from './bluez-errors.js';
import { uuid128 } from './names.js';

/** Adapter1.SetDiscoveryFilter entries (doc/org.bluez.Adapter.rst), as one client set them. */
export interface DiscoveryFilter {
  uuids: string[];
  rssi?: number;
  pathloss?: number;
  transport: 'auto' | 'bredr' | 'le';
  duplicateData: boolean;
  discoverable: boolean;
  pattern?: string;
  autoConnect: boolean;
}

/** What GetDiscoveryFilters reports: the keys SetDiscoveryFilter understands, in bluetoothd's order. */
export const DISCOVERY_FILTER_KEYS = [
  'UUIDs',
  'RSSI',
  'Pathloss',
  'Transport',
  'DuplicateData',
  'Discoverable',
  'Pattern',
  'AutoConnect',
];

const TRANSPORTS = ['auto', 'bredr', 'le'] as const;

function typed<T>(v: Variant, signature: string): T {
  if (v.signature !== signature) throw bluezError.invalidArgs();
  return v.value as T;
}

/** Parses a{sv}; an unknown key, a wrong type, or RSSI together with Pathloss is InvalidArguments (src/adapter.c). */
export function parseDiscoveryFilter(dict: Record<string, Variant>): DiscoveryFilter {
  const f: DiscoveryFilter = {
    uuids: [],
    transport: 'auto',
    duplicateData: false,
    discoverable: false,
    autoConnect: false,
  };
  for (const [key, v] of Object.entries(dict)) {
    switch (key) {
      case 'UUIDs':
        f.uuids = typed<string[]>(v, 'as').map(uuid128);
        break;
      case 'RSSI':
        f.rssi = typed<number>(v, 'n');
        break;
      case 'Pathloss':
        f.pathloss = typed<number>(v, 'q');
        break;
      case 'Transport': {
        const t = typed<string>(v, 's');
        if (!(TRANSPORTS as readonly string[]).includes(t)) throw bluezError.invalidArgs();
        f.transport = t as DiscoveryFilter['transport'];
        break;
      }
      case 'DuplicateData':
        f.duplicateData = typed<boolean>(v, 'b');
        break;
      case 'Discoverable':
        f.discoverable = typed<boolean>(v, 'b');
        break;
      case 'Pattern':
        f.pattern = typed<string>(v, 's');
        break;
      case 'AutoConnect':
        f.autoConnect = typed<boolean>(v, 'b');
        break;
      default:
        throw bluezError.invalidArgs();
    }
  }
  if (f.rssi !== undefined && f.pathloss !== undefined) throw bluezError.invalidArgs();
  return f;
}

/**
 * Whether one client's filter lets an advertisement through. Every simulated device is LE-only, so a
 * BR/EDR-only scan finds nothing. Pathloss needs an advertised TX power, as in bluetoothd.
 */
export function filterAccepts(f: DiscoveryFilter | undefined, address: string, a: Advertisement): boolean {
  if (!f) return true;
  if (f.transport === 'bredr') return false;
  if (f.uuids.length > 0 && !a.serviceUuids.map(uuid128).some((u) => f.uuids.includes(u))) return false;
  if (f.rssi !== undefined && a.rssi < f.rssi) return false;
  if (f.pathloss !== undefined && (a.txPower === undefined || a.txPower - a.rssi > f.pathloss)) return false;
  if (f.pattern && !address.startsWith(f.pattern.toUpperCase()) && !(a.localName ?? '').startsWith(f.pattern))
    return false;
  return true;
}
