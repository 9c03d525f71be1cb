/**
 * Next-device propensity (a market-basket "next product to buy" rule): among people who own every kind this
 * person owns and more, the kind they own that this person lacks most often. Without such people, the
 * most-owned kind this person lacks in the whole population. Ties go to DEVICE_KINDS order; `none` when the
 * person owns every kind.
 */
import { DEVICE_KINDS, type DeviceKind } from '../catalog.js';

export interface KindGroup {
  kinds: ReadonlySet<DeviceKind>;
  /** How many people own exactly these kinds. */
  count: number;
}

export function nextDevice(
  owned: ReadonlySet<DeviceKind>,
  population: readonly KindGroup[],
): DeviceKind | 'none' {
  const lacking = DEVICE_KINDS.filter((k) => !owned.has(k));
  if (lacking.length === 0) return 'none';
  const tally = (groups: readonly KindGroup[]) => {
    const n = new Map<DeviceKind, number>();
    for (const g of groups) for (const k of lacking) if (g.kinds.has(k)) n.set(k, (n.get(k) ?? 0) + g.count);
    return n;
  };
  const supersets = population.filter((g) => g.count > 0 && [...owned].every((k) => g.kinds.has(k)));
  let n = tally(supersets);
  if (n.size === 0) n = tally(population.filter((g) => g.count > 0));
  let best: DeviceKind = lacking[0]!;
  for (const k of lacking) if ((n.get(k) ?? 0) > (n.get(best) ?? 0)) best = k;
  return best;
}

/** A kind set as a bit mask (DEVICE_KINDS order), the key the batch groups people by. */
export const maskOf = (kinds: Iterable<DeviceKind>): number => {
  let m = 0;
  for (const k of kinds) m |= 1 << DEVICE_KINDS.indexOf(k);
  return m;
};

export const kindsOfMask = (mask: number): Set<DeviceKind> =>
  new Set(DEVICE_KINDS.filter((_, i) => (mask & (1 << i)) !== 0));
