import type { SqlClient } from '../../db/sql-client.js';

export type HouseholdRole = 'owner' | 'member';

export interface MembershipRow {
  household_id: string;
  account_id: string;
  role: HouseholdRole;
}

/** The only SQL on households and household_members. */
export function createHouseholdsRepository(sql: SqlClient) {
  return {
    membershipsOf: async (accountId: string) =>
      (
        await sql.query<MembershipRow>(
          'SELECT household_id, account_id, role FROM household_members WHERE account_id = $1 ORDER BY household_id',
          [accountId],
        )
      ).rows,
    membership: async (householdId: string, accountId: string) =>
      (
        await sql.query<MembershipRow>(
          'SELECT household_id, account_id, role FROM household_members WHERE household_id = $1 AND account_id = $2',
          [householdId, accountId],
        )
      ).rows[0],
    moveMembership: (householdId: string, from: string, to: string) =>
      sql.query('UPDATE household_members SET account_id = $3 WHERE household_id = $1 AND account_id = $2', [
        householdId,
        from,
        to,
      ]),
    deleteMembership: (householdId: string, accountId: string) =>
      sql.query('DELETE FROM household_members WHERE household_id = $1 AND account_id = $2', [
        householdId,
        accountId,
      ]),
    insertMembership: (m: MembershipRow) =>
      sql.query('INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, $3)', [
        m.household_id,
        m.account_id,
        m.role,
      ]),
    setRole: (householdId: string, accountId: string, role: HouseholdRole) =>
      sql.query('UPDATE household_members SET role = $3 WHERE household_id = $1 AND account_id = $2', [
        householdId,
        accountId,
        role,
      ]),
  };
}
