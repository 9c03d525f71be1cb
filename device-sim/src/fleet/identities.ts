/**
 * Fleet ids depend only on the prefix and the 1-based position, never on the seed or the fleet size, so a
 * registry seeded once for N gateways serves every later run with N or fewer, whatever its seed.
 */
export const DEFAULT_FLEET_PREFIX = 'fleet';

/** MAC layout F1:GG:GG:GG:DD:DD (gateway and device index), so every fleet device address is distinct. */
export const MAX_FLEET_GATEWAYS = 0xffffff;
export const MAX_FLEET_DEVICES_PER_GATEWAY = 0xffff;

export interface FleetDevice {
  /** Registry device id, e.g. `fleet-dev-0001-01`. */
  id: string;
  /** BLE address as readings carry it, e.g. `F1:00:00:01:00:01`. */
  address: string;
}

export interface FleetGatewayIdentity {
  /** 0-based position in the fleet. */
  index: number;
  /** Gateway id, MQTT username and topic segment, e.g. `fleet-gw-0001`. */
  id: string;
  devices: FleetDevice[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, '0').toUpperCase();

export function fleetGatewayId(index: number, prefix = DEFAULT_FLEET_PREFIX): string {
  return `${prefix}-gw-${pad(index + 1, 4)}`;
}

export function fleetDevice(
  gatewayIndex: number,
  deviceIndex: number,
  prefix = DEFAULT_FLEET_PREFIX,
): FleetDevice {
  const g = gatewayIndex + 1;
  const d = deviceIndex + 1;
  return {
    id: `${prefix}-dev-${pad(g, 4)}-${pad(d, 2)}`,
    address: ['F1', hex2(g >> 16), hex2(g >> 8), hex2(g), hex2(d >> 8), hex2(d)].join(':'),
  };
}

export function fleetGateway(index: number, devicesPerGateway: number, prefix = DEFAULT_FLEET_PREFIX) {
  const devices = Array.from({ length: devicesPerGateway }, (_, d) => fleetDevice(index, d, prefix));
  return { index, id: fleetGatewayId(index, prefix), devices } satisfies FleetGatewayIdentity;
}

/** Every gateway of a fleet with its devices, in fleet order; what a test or bench seeds the registry with. */
export function* fleetIdentities(opts: {
  gateways: number;
  devicesPerGateway: number;
  idPrefix?: string;
}): Generator<FleetGatewayIdentity> {
  for (let i = 0; i < opts.gateways; i++) yield fleetGateway(i, opts.devicesPerGateway, opts.idPrefix);
}
