import type { Reading } from '@linkwell/firmware-protocol';
import type { IngestErrorCode } from '../errors.js';
import type { DeviceAccount, DeviceAccountResolver, SqlClient } from '../registry/resolver.js';
import type { Attribution, Candidate, InboxReason } from './attribution.js';
import { type HouseholdWeights, loadHouseholdWeights } from './weight-context.js';
import { decideWeight } from './weight-proximity.js';

export type Decision =
  | { kind: 'store'; who: DeviceAccount; attr?: Attribution }
  | {
      kind: 'inbox';
      reason: InboxReason;
      code: IngestErrorCode;
      message: string;
      deviceId: string | null;
      hint: Candidate[];
    };

const CODE: Record<InboxReason, IngestErrorCode> = {
  unknown_device: 'INGEST_ERR_UNKNOWN_DEVICE',
  unassigned_slot: 'INGEST_ERR_UNASSIGNED_SLOT',
  ambiguous: 'INGEST_ERR_AMBIGUOUS_READING',
};

const inbox = (
  reason: InboxReason,
  message: string,
  deviceId: string | null = null,
  hint: Candidate[] = [],
): Decision => ({ kind: 'inbox', reason, code: CODE[reason], message, deviceId, hint });

/** Metrics whose `weight` value a shared scale's proximity rule can judge. */
const WEIGHED = new Set(['body_weight', 'body_composition']);

export interface Attributor {
  /**
   * Decides, for readings the registry's (device, slot) map does not attribute, whether a rule does (weight
   * proximity) or why they wait in the inbox. `decide` for the live path and replay alike.
   */
  decide(gw: string, readings: readonly Reading[]): Promise<Decision[]>;
}

export function createAttributor(
  resolver: Pick<DeviceAccountResolver, 'resolve' | 'device'>,
  db: SqlClient,
): Attributor {
  return {
    async decide(gw, readings) {
      const households = new Map<string, Promise<HouseholdWeights>>();
      const out: Decision[] = [];
      for (const r of readings) {
        const who = await resolver.resolve(gw, r.device, r.slot);
        if (who) {
          out.push({ kind: 'store', who });
          continue;
        }
        const dev = await resolver.device?.(gw, r.device);
        if (!dev) {
          out.push(inbox('unknown_device', `${r.device} is not claimed by ${gw}'s household`));
          continue;
        }
        const byWeight = dev.attribution === 'weight' || (dev.attribution === 'slots' && r.slot === null);
        if (byWeight) {
          const kg = r.values.weight;
          if (!WEIGHED.has(r.metric) || typeof kg !== 'number') {
            out.push(
              inbox(
                'ambiguous',
                `${r.device} does not say whose ${r.metric} reading this is (no user slot)`,
                dev.deviceId,
              ),
            );
            continue;
          }
          let ctx = households.get(dev.householdId);
          if (!ctx) {
            ctx = loadHouseholdWeights(db, dev.householdId);
            households.set(dev.householdId, ctx);
          }
          const d = decideWeight(kg, { ...(await ctx), deviceId: dev.deviceId, gatewayHint: r.hint ?? null });
          out.push(
            d.kind === 'attributed'
              ? { kind: 'store', who: { deviceId: dev.deviceId, accountId: d.account }, attr: d.attribution }
              : inbox('ambiguous', d.message, dev.deviceId, d.hint),
          );
          continue;
        }
        // UDS user indexes and BLS user ids count from 0, so a device with n slots offers 0..n-1.
        if (r.slot !== null && dev.slotCount !== null && (r.slot < 0 || r.slot >= dev.slotCount)) {
          out.push(
            inbox(
              'unassigned_slot',
              `${r.device} user slot ${r.slot} is outside the device's slots 0..${dev.slotCount - 1}`,
              dev.deviceId,
            ),
          );
        } else if (r.slot === null) {
          out.push(
            inbox('unassigned_slot', `${r.device} has no owner assigned in ${gw}'s household`, dev.deviceId),
          );
        } else {
          // The first-sync guard: a multi-user device's history waits until its slot is mapped to a member.
          out.push(
            inbox(
              'unassigned_slot',
              `${r.device} user slot ${r.slot} is not mapped to a member of ${gw}'s household`,
              dev.deviceId,
            ),
          );
        }
      }
      return out;
    },
  };
}
