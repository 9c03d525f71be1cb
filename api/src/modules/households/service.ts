import type { SqlClient } from '../../db/sql-client.js';
import type { AccountMover } from '../../shared/account-mover.js';
import { createHouseholdsRepository, type HouseholdRole } from './repository.js';

interface HouseholdsInventory {
  /** Memberships that changed hands: the source was a member where the target was not. */
  moved: { household_id: string; role: HouseholdRole }[];
  /** Both were members: the source's row was removed; `target_role` is what the target had before. */
  dropped: { household_id: string; role: HouseholdRole; target_role: HouseholdRole }[];
}

/** Merges move household memberships; where both accounts were members the stronger role survives. */
export const householdsAccountMover: AccountMover = {
  part: 'households',
  async move(sql: SqlClient, from: string, to: string): Promise<HouseholdsInventory> {
    const repo = createHouseholdsRepository(sql);
    const inventory: HouseholdsInventory = { moved: [], dropped: [] };
    for (const m of await repo.membershipsOf(from)) {
      const existing = await repo.membership(m.household_id, to);
      if (existing === undefined) {
        await repo.moveMembership(m.household_id, from, to);
        inventory.moved.push({ household_id: m.household_id, role: m.role });
        continue;
      }
      await repo.deleteMembership(m.household_id, from);
      if (m.role === 'owner' && existing.role !== 'owner') await repo.setRole(m.household_id, to, 'owner');
      inventory.dropped.push({ household_id: m.household_id, role: m.role, target_role: existing.role });
    }
    return inventory;
  },
  async restore(sql: SqlClient, raw: unknown, from: string, to: string): Promise<void> {
    const repo = createHouseholdsRepository(sql);
    const inventory = raw as HouseholdsInventory;
    for (const m of inventory.moved) await repo.moveMembership(m.household_id, to, from);
    for (const m of inventory.dropped) {
      await repo.setRole(m.household_id, to, m.target_role);
      await repo.insertMembership({ household_id: m.household_id, account_id: from, role: m.role });
    }
  },
};

/** What other contexts may ask of households; read-only for now. */
export function createHouseholdsService(sql: SqlClient) {
  const repo = createHouseholdsRepository(sql);
  return {
    /** The households an account belongs to, sorted by id. */
    async householdIdsOf(accountId: string): Promise<string[]> {
      return (await repo.membershipsOf(accountId)).map((m) => m.household_id);
    },
  };
}

export type HouseholdsService = ReturnType<typeof createHouseholdsService>;
