import { SERVICE } from '../uuids.js';
import { heartRateBlock } from './blocks.js';
import type { Advertisement, DeviceProfile } from './types.js';

/** Generic SIG profiles: any device exposing the standard service is handled by its blocks. */
export const GENERIC_PROFILES: readonly DeviceProfile[] = [
  {
    id: 'sig.heart-rate',
    vendor: 'Bluetooth SIG',
    model: 'Heart Rate Service',
    kind: 'wristband',
    match: { services: [SERVICE.heartRate] },
    blocks: [heartRateBlock],
  },
];

/** Vendor records come first so a specific device wins over the generic service profile. */
export const PROFILES: readonly DeviceProfile[] = [...GENERIC_PROFILES];

export function matchProfile(
  adv: Advertisement,
  profiles: readonly DeviceProfile[] = PROFILES,
): DeviceProfile | undefined {
  return profiles.find((p) => {
    const byName = p.match.namePattern ? adv.name !== undefined && p.match.namePattern.test(adv.name) : true;
    const bySvc = p.match.services ? p.match.services.some((s) => adv.services.includes(s)) : true;
    return byName && bySvc && (p.match.namePattern !== undefined || p.match.services !== undefined);
  });
}
