import { type DeviceProfile, PROFILES } from '@linkwell/firmware-protocol';

export type AttributionMode = 'single' | 'slots' | 'weight';

/** Slots a multi-user device gets when its profile does not say: UDS scales and BLS cuffs commonly keep 4. */
export const DEFAULT_SLOT_COUNT = 4;

export interface DeviceFacts {
  kind: string;
  attribution: AttributionMode;
  slot_count: number | null;
}

/**
 * How a newly claimed device's readings are attributed, from its profile (docs/devices.md):
 * - a scale read over GATT (WSS/BCS with the UDS user index) or a blood-pressure cuff (BLS user id) is
 *   multi-user: `slots`, one member per user index;
 * - a scale that only advertises (no connection, no user index): `weight`, by weight proximity;
 * - anything else, or an unknown profile: `single`, one owner.
 */
export function attributionFor(
  profileId: string | null,
  profiles: readonly DeviceProfile[] = PROFILES,
): DeviceFacts {
  const profile = profileId === null ? undefined : profiles.find((p) => p.id === profileId);
  if (profile === undefined) return { kind: 'unknown', attribution: 'single', slot_count: null };
  const advertOnly = profile.blocks.length > 0 && profile.blocks.every((b) => b.delivery === 'advertisement');
  if (profile.kind === 'scale' && advertOnly)
    return { kind: profile.kind, attribution: 'weight', slot_count: null };
  if (profile.kind === 'scale' || profile.kind === 'bp_cuff')
    return { kind: profile.kind, attribution: 'slots', slot_count: DEFAULT_SLOT_COUNT };
  return { kind: profile.kind, attribution: 'single', slot_count: null };
}
