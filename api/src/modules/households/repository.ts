import type { SqlClient } from '../../db/sql-client.js';

export type HouseholdRole = 'owner' | 'adult' | 'dependent';

export interface MembershipRow {
  household_id: string;
  account_id: string;
  role: HouseholdRole;
}

export interface HouseholdRow {
  id: string;
  name: string;
  created_at: Date;
}

export interface InviteRow {
  id: string;
  household_id: string;
  role: 'adult';
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_by: string | null;
  revoked_at: Date | null;
}

const INVITE_COLUMNS =
  'id, household_id, role, created_by, created_at, expires_at, used_at, used_by, revoked_at';

/** The only SQL on households, household_members and household_invites. */
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
    /** The caller's membership, locked until the transaction ends (serializes role changes). */
    membershipForUpdate: async (householdId: string, accountId: string) =>
      (
        await sql.query<MembershipRow>(
          'SELECT household_id, account_id, role FROM household_members WHERE household_id = $1 AND account_id = $2 FOR UPDATE',
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
    /** False when the account already was a member. */
    join: async (householdId: string, accountId: string, role: HouseholdRole) =>
      (
        await sql.query(
          `INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING account_id`,
          [householdId, accountId, role],
        )
      ).rows.length === 1,
    setRole: (householdId: string, accountId: string, role: HouseholdRole) =>
      sql.query('UPDATE household_members SET role = $3 WHERE household_id = $1 AND account_id = $2', [
        householdId,
        accountId,
        role,
      ]),
    members: async (householdIds: readonly string[]) =>
      householdIds.length === 0
        ? []
        : (
            await sql.query<MembershipRow>(
              `SELECT household_id, account_id, role FROM household_members WHERE household_id = ANY($1)
               ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'adult' THEN 1 ELSE 2 END, account_id`,
              [householdIds],
            )
          ).rows,
    households: async (ids: readonly string[]) =>
      ids.length === 0
        ? []
        : (
            await sql.query<HouseholdRow>(
              'SELECT id, name, created_at FROM households WHERE id = ANY($1) ORDER BY created_at, id',
              [ids],
            )
          ).rows,
    insertHousehold: (h: HouseholdRow) =>
      sql.query('INSERT INTO households (id, name, created_at) VALUES ($1, $2, $3)', [
        h.id,
        h.name,
        h.created_at,
      ]),
    rename: (id: string, name: string) =>
      sql.query('UPDATE households SET name = $2 WHERE id = $1', [id, name]),
    insertInvite: (i: InviteRow & { code_hash: string }) =>
      sql.query(
        `INSERT INTO household_invites (id, household_id, code_hash, role, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [i.id, i.household_id, i.code_hash, i.role, i.created_by, i.created_at, i.expires_at],
      ),
    invites: async (householdId: string) =>
      (
        await sql.query<InviteRow>(
          `SELECT ${INVITE_COLUMNS} FROM household_invites WHERE household_id = $1 ORDER BY created_at DESC, id`,
          [householdId],
        )
      ).rows,
    invite: async (householdId: string, id: string) =>
      (
        await sql.query<InviteRow>(
          `SELECT ${INVITE_COLUMNS} FROM household_invites WHERE household_id = $1 AND id = $2`,
          [householdId, id],
        )
      ).rows[0],
    inviteByCodeHash: async (codeHash: string) =>
      (
        await sql.query<InviteRow>(`SELECT ${INVITE_COLUMNS} FROM household_invites WHERE code_hash = $1`, [
          codeHash,
        ])
      ).rows[0],
    /** Atomic: only one caller can turn an open invite into a used one. */
    useInvite: async (id: string, accountId: string, at: Date) =>
      (
        await sql.query<{ id: string }>(
          `UPDATE household_invites SET used_at = $3, used_by = $2
           WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3 RETURNING id`,
          [id, accountId, at],
        )
      ).rows.length === 1,
    revokeInvite: (id: string, at: Date) =>
      sql.query(
        'UPDATE household_invites SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL',
        [id, at],
      ),
  };
}
