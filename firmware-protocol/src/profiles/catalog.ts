import { toHex } from '../hex.js';
import { GENERIC_PROFILES } from './generic.js';
import type { Advertisement, DeviceProfile } from './types.js';
import { BEURER_PROFILES } from './vendors/beurer.js';
import { OMRON_PROFILES } from './vendors/omron.js';
import { XIAOMI_PROFILES } from './vendors/xiaomi.js';

export { GENERIC_PROFILES };

/** Vendor records come first so a specific device wins over the generic service profile. */
export const PROFILES: readonly DeviceProfile[] = [
  ...BEURER_PROFILES,
  ...OMRON_PROFILES,
  ...XIAOMI_PROFILES,
  ...GENERIC_PROFILES,
];

export function profileMatches(p: DeviceProfile, adv: Advertisement): boolean {
  const m = p.match;
  if (!m.namePattern && !m.services && !m.manufacturerData) return false;
  if (m.namePattern && (adv.name === undefined || !m.namePattern.test(adv.name))) return false;
  if (m.services && !m.services.some((s) => adv.services.includes(s))) return false;
  if (m.manufacturerData) {
    const data = adv.manufacturerData?.get(m.manufacturerData.companyId);
    if (!data || !toHex(data).startsWith(m.manufacturerData.prefix ?? '')) return false;
  }
  return true;
}

export function matchProfile(
  adv: Advertisement,
  profiles: readonly DeviceProfile[] = PROFILES,
): DeviceProfile | undefined {
  return profiles.find((p) => profileMatches(p, adv));
}
