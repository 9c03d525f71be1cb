import {
  type BleCentral,
  type DeviceProfile,
  matchProfile,
  PROFILES,
  type ScanResult,
} from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';

/** The profile an advertisement matches: name, 16-bit service UUIDs and manufacturer data. */
export function profileFor(
  adv: ScanResult,
  profiles: readonly DeviceProfile[] = PROFILES,
): DeviceProfile | undefined {
  const services = adv.services.filter((s) => /^[0-9a-f]{4}$/.test(s)).map((s) => Number.parseInt(s, 16));
  const manufacturerData = adv.manufacturerData
    ? new Map(Object.entries(adv.manufacturerData).map(([k, v]) => [Number(k), v]))
    : undefined;
  return matchProfile(
    {
      ...(adv.name !== undefined ? { name: adv.name } : {}),
      services,
      ...(manufacturerData ? { manufacturerData } : {}),
    },
    profiles,
  );
}

export interface FoundDevice {
  advertisement: ScanResult;
  /** Undefined when no profile handles the device. */
  profile: DeviceProfile | undefined;
}

/** Scans for `scanMs` and returns the advertisement of `address`; GATEWAY_ERR_BLE_NOT_FOUND when it was not heard. */
export async function findDevice(
  central: BleCentral,
  address: string,
  opts: { scanMs: number; profiles?: readonly DeviceProfile[] },
): Promise<FoundDevice> {
  const wanted = address.toUpperCase();
  const found = await central.scan({ durationMs: opts.scanMs });
  const advertisement = found.find((r) => r.address.toUpperCase() === wanted);
  if (!advertisement)
    throw new GatewayError(
      'GATEWAY_ERR_BLE_NOT_FOUND',
      `${wanted} was not heard advertising within ${opts.scanMs} ms`,
    );
  return { advertisement, profile: profileFor(advertisement, opts.profiles) };
}

/** One line of what a scan found, for people: name, services and the matched profile. */
export function describeFound(d: FoundDevice): string {
  const a = d.advertisement;
  const profile = d.profile
    ? `${d.profile.id} (${d.profile.vendor} ${d.profile.model})`
    : 'no matching profile';
  return `${a.address}  ${a.name ?? '?'}  services ${a.services.join(',') || 'none'}  → ${profile}`;
}
