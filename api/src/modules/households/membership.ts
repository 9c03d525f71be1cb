import type { SqlClient } from '../../db/sql-client.js';
import { createHouseholdsRepository, type HouseholdRole } from './repository.js';

/** Read-only membership facts for other contexts (readings, inbox, devices). */
export const householdMembership = {
  /** The account's role in the household, or undefined when it is not a member. */
  async roleOf(sql: SqlClient, householdId: string, accountId: string): Promise<HouseholdRole | undefined> {
    return (await createHouseholdsRepository(sql).membership(householdId, accountId))?.role;
  },

  /** The households the account is a member of, sorted by id. */
  async householdsOf(sql: SqlClient, accountId: string): Promise<string[]> {
    return (await createHouseholdsRepository(sql).membershipsOf(accountId)).map((m) => m.household_id);
  },

  /**
   * Whether `caller` may act for `accountId` in the household (set their rules, file for them): themselves,
   * or a dependent the caller manages or, as the owner, may manage.
   */
  async mayActFor(sql: SqlClient, householdId: string, caller: string, accountId: string): Promise<boolean> {
    const repo = createHouseholdsRepository(sql);
    const [me, them] = await Promise.all([
      repo.membership(householdId, caller),
      repo.membership(householdId, accountId),
    ]);
    if (me === undefined || them === undefined) return false;
    if (caller === accountId) return true;
    if (them.role !== 'dependent') return false;
    return me.role === 'owner' || (await repo.managerOf(householdId, accountId)) === caller;
  },
};
