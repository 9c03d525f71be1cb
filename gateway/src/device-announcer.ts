import type { DeviceProfile, ScanResult } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { GatewayEventBus } from './events.js';

/** DIS strings are up to 512 bytes on the air; the platform keeps 64 characters (device-events.ts). */
const TEXT_MAX = 64;

export interface DeviceAnnouncer {
  /** A device heard in a scan and matched to `profile`: `device.discovered` on the events topic. */
  discovered(adv: ScanResult, profile: DeviceProfile): void;
}

/**
 * Tells the platform which supported devices this gateway hears, so a household can claim them ("nearby",
 * docs/devices.md): `device.discovered` after each scan match and on every connect (which keeps the entry
 * fresh), and `device.info` (DIS maker and model, battery level) from the device-info feature. A lost event
 * is only logged: the next scan or connect announces the device again.
 */
export function createDeviceAnnouncer(deps: {
  bus: GatewayEventBus;
  publishEvent: (event: Record<string, unknown>) => Promise<void>;
  profiles: readonly DeviceProfile[];
  logger: Logger;
  now: () => number;
}): DeviceAnnouncer {
  const publish = (event: Record<string, unknown>) =>
    void deps
      .publishEvent({ ...event, at: deps.now() })
      .catch((err: Error) => deps.logger.debug({ type: event.type, err: err.message }, 'event not sent'));
  const rssiOf = (rssi: number | undefined) =>
    rssi === undefined || !Number.isInteger(rssi) || rssi < -127 || rssi > 20 ? {} : { rssi };
  const discoveredEvent = (address: string, profile: DeviceProfile, extra: Record<string, unknown>) => ({
    type: 'device.discovered',
    address: address.toUpperCase(),
    profile: profile.id,
    vendor: profile.vendor.slice(0, TEXT_MAX),
    model: profile.model.slice(0, TEXT_MAX),
    ...extra,
  });

  deps.bus.on('device.connected', ({ address, profile }) => {
    const p = deps.profiles.find((x) => x.id === profile);
    if (p) publish(discoveredEvent(address, p, {}));
  });
  deps.bus.on('device.info', (info) => {
    const { address, battery, ...strings } = info;
    const text = Object.fromEntries(
      Object.entries(strings).map(([k, v]) => [k, String(v).slice(0, TEXT_MAX)]),
    );
    publish({
      type: 'device.info',
      address: address.toUpperCase(),
      ...(battery !== undefined && Number.isInteger(battery) && battery >= 0 && battery <= 100
        ? { battery }
        : {}),
      ...text,
    });
  });

  return {
    discovered(adv, profile) {
      publish(
        discoveredEvent(adv.address, profile, {
          ...(adv.name ? { name: adv.name.slice(0, TEXT_MAX) } : {}),
          ...rssiOf(adv.rssi),
        }),
      );
    },
  };
}
