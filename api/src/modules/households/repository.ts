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

export interface HandoverRow {
  id: string;
  household_id: string;
  account_id: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_by: string | null;
  revoked_at: Date | null;
}

export interface ShareRow {
  household_id: string;
  account_id: string;
  viewer_account_id: string;
  created_at: Date;
}

const HANDOVER_COLUMNS =
  'id, household_id, account_id, created_by, created_at, expires_at, used_at, used_by, revoked_at';

const INVITE_COLUMNS =
  'id, household_id, role, created_by, created_at, expires_at, used_at, used_by, revoked_at';

/** The only SQL on households, household_members, household_invites, household_shares, household_handovers. */
/**
 * Invites and hand-over codes share one life cycle: single use, expiring, revocable. `table` is one of these
 * two literals, never input.
 */
function singleUseCodes(sql: SqlClient, table: 'household_invites' | 'household_handovers') {
  return {
    /** Atomic: of concurrent callers only one turns an open code into a used one. */
    use: async (id: string, accountId: string, at: Date) =>
      (
        await sql.query<{ id: string }>(
          `UPDATE ${table} SET used_at = $3, used_by = $2
           WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3 RETURNING id`,
          [id, accountId, at],
        )
      ).rows.length === 1,
    revoke: (id: string, at: Date) =>
      sql.query(
        `UPDATE ${table} SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
        [id, at],
      ),
  };
}

export function createHouseholdsRepository(sql: SqlClient) {
  const invites = singleUseCodes(sql, 'household_invites');
  const handovers = singleUseCodes(sql, 'household_handovers');
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
    useInvite: invites.use,
    revokeInvite: invites.revoke,

    /** A dependent's manager, or null (any other role, or a manager who left). */
    managerOf: async (householdId: string, accountId: string) =>
      (
        await sql.query<{ managed_by: string | null }>(
          'SELECT managed_by FROM household_members WHERE household_id = $1 AND account_id = $2',
          [householdId, accountId],
        )
      ).rows[0]?.managed_by ?? null,
    insertDependent: (householdId: string, accountId: string, managedBy: string) =>
      sql.query(
        `INSERT INTO household_members (household_id, account_id, role, managed_by) VALUES ($1, $2, 'dependent', $3)`,
        [householdId, accountId, managedBy],
      ),
    /** The dependent becomes an adult who manages themselves. */
    promoteDependent: (householdId: string, accountId: string) =>
      sql.query(
        `UPDATE household_members SET role = 'adult', managed_by = NULL WHERE household_id = $1 AND account_id = $2`,
        [householdId, accountId],
      ),
    /** Management that pointed at `from` (a merged account) now points at `to`; the dependents' keys. */
    moveManagedBy: async (from: string, to: string) =>
      (
        await sql.query<{ household_id: string; account_id: string }>(
          'UPDATE household_members SET managed_by = $2 WHERE managed_by = $1 RETURNING household_id, account_id',
          [from, to],
        )
      ).rows,
    setManagedBy: (householdId: string, accountId: string, managedBy: string) =>
      sql.query('UPDATE household_members SET managed_by = $3 WHERE household_id = $1 AND account_id = $2', [
        householdId,
        accountId,
        managedBy,
      ]),
    /** Dependents in these households whose data the viewer sees: all of them for an owner, else the managed. */
    visibleDependents: async (viewer: string, householdIds: readonly string[]) =>
      householdIds.length === 0
        ? []
        : (
            await sql.query<{ household_id: string; account_id: string }>(
              `SELECT d.household_id, d.account_id FROM household_members d
               JOIN household_members v ON v.household_id = d.household_id AND v.account_id = $1
               WHERE d.household_id = ANY($2) AND d.role = 'dependent'
                 AND (v.role = 'owner' OR d.managed_by = $1)`,
              [viewer, householdIds],
            )
          ).rows,

    sharesInvolving: async (householdId: string, accountId: string) =>
      (
        await sql.query<ShareRow>(
          `SELECT household_id, account_id, viewer_account_id, created_at FROM household_shares
           WHERE household_id = $1 AND (account_id = $2 OR viewer_account_id = $2)
           ORDER BY account_id, viewer_account_id`,
          [householdId, accountId],
        )
      ).rows,
    /** Accounts sharing with the viewer in these households. */
    sharersWith: async (viewer: string, householdIds: readonly string[]) =>
      householdIds.length === 0
        ? []
        : (
            await sql.query<{ household_id: string; account_id: string }>(
              `SELECT household_id, account_id FROM household_shares
               WHERE viewer_account_id = $1 AND household_id = ANY($2)`,
              [viewer, householdIds],
            )
          ).rows,
    /** Idempotent; the row as stored (the first share's time stays). */
    insertShare: async (r: ShareRow) =>
      (
        await sql.query<ShareRow>(
          `INSERT INTO household_shares (household_id, account_id, viewer_account_id, created_at)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (household_id, account_id, viewer_account_id) DO UPDATE SET created_at = household_shares.created_at
           RETURNING household_id, account_id, viewer_account_id, created_at`,
          [r.household_id, r.account_id, r.viewer_account_id, r.created_at],
        )
      ).rows[0]!,
    deleteShare: (householdId: string, accountId: string, viewer: string) =>
      sql.query(
        'DELETE FROM household_shares WHERE household_id = $1 AND account_id = $2 AND viewer_account_id = $3',
        [householdId, accountId, viewer],
      ),

    insertHandover: (h: HandoverRow & { code_hash: string }) =>
      sql.query(
        `INSERT INTO household_handovers (id, household_id, account_id, code_hash, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [h.id, h.household_id, h.account_id, h.code_hash, h.created_by, h.created_at, h.expires_at],
      ),
    handover: async (householdId: string, id: string) =>
      (
        await sql.query<HandoverRow>(
          `SELECT ${HANDOVER_COLUMNS} FROM household_handovers WHERE household_id = $1 AND id = $2`,
          [householdId, id],
        )
      ).rows[0],
    handoverByCodeHash: async (codeHash: string) =>
      (
        await sql.query<HandoverRow>(
          `SELECT ${HANDOVER_COLUMNS} FROM household_handovers WHERE code_hash = $1`,
          [codeHash],
        )
      ).rows[0],
    useHandover: handovers.use,
    revokeHandover: handovers.revoke,
  };
}
