import { IngestError } from '../errors.js';
import type { SqlClient } from '../registry/resolver.js';
import { BASELINE_METRIC, recentKg } from './baselines.js';
import type { MemberRule, WeightContext } from './weight-proximity.js';

interface RuleRow {
  id: string;
  account_id: string;
  device_id: string | null;
  kind: MemberRule['kind'];
  min_kg: number | null;
  max_kg: number | null;
  tolerance_kg: number | null;
  threshold: number;
}

export type HouseholdWeights = Omit<WeightContext, 'deviceId' | 'gatewayHint'>;

/**
 * A household's members, their rules and recent weights, read when a shared scale's weighing needs them.
 * Not cached: weighings are a few a day per household, rules change through the API at any time, and each
 * stored weight moves a baseline, possibly on another node.
 */
export async function loadHouseholdWeights(db: SqlClient, householdId: string): Promise<HouseholdWeights> {
  try {
    const [members, rules, baselines] = await Promise.all([
      db.query<{ account_id: string }>('SELECT account_id FROM household_members WHERE household_id = $1', [
        householdId,
      ]),
      db.query<RuleRow>(
        'SELECT id, account_id, device_id, kind, min_kg, max_kg, tolerance_kg, threshold FROM attribution_rules WHERE household_id = $1 ORDER BY id',
        [householdId],
      ),
      db.query<{ account_id: string; recent: unknown }>(
        `SELECT b.account_id, b.recent FROM member_baselines b
         JOIN household_members m ON m.account_id = b.account_id
         WHERE m.household_id = $1 AND b.metric = $2`,
        [householdId, BASELINE_METRIC],
      ),
    ]);
    return {
      members: members.rows.map((r) => r.account_id),
      rules: rules.rows.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        deviceId: r.device_id,
        kind: r.kind,
        minKg: r.min_kg,
        maxKg: r.max_kg,
        toleranceKg: r.tolerance_kg,
        threshold: r.threshold,
      })),
      recent: new Map(baselines.rows.map((r) => [r.account_id, recentKg(r.recent)])),
    };
  } catch (err) {
    throw new IngestError('INGEST_ERR_REGISTRY_UNAVAILABLE', (err as Error).message, { cause: err });
  }
}
