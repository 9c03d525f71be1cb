import type { SqlClient } from '../../db/sql-client.js';

export const ORG_ROLES = ['admin', 'engineer', 'viewer', 'marketer'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export interface OrgRow {
  id: string;
  slug: string;
  name: string;
  created_at: Date;
}

export interface OrgWithRolesRow extends OrgRow {
  roles: OrgRole[];
}

export interface MemberRow {
  org_id: string;
  account_id: string;
  role: OrgRole;
  granted_at: Date;
  granted_by: string;
}

/** The only SQL on orgs and org_members. */
export function createOrgsRepository(sql: SqlClient) {
  return {
    /** False when the slug is taken (the unique index decides, so two racing creations cannot both win). */
    insertOrg: async (o: OrgRow & { created_by: string }): Promise<boolean> =>
      (
        await sql.query(
          `INSERT INTO orgs (id, slug, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (slug) DO NOTHING RETURNING id`,
          [o.id, o.slug, o.name, o.created_at, o.created_by],
        )
      ).rows.length === 1,

    /**
     * Locks the organisation row for the rest of the transaction: changes to its members are serialised, so
     * two admins removing each other at once cannot leave it without one.
     */
    lockOrg: async (orgId: string): Promise<boolean> =>
      (await sql.query('SELECT id FROM orgs WHERE id = $1 FOR UPDATE', [orgId])).rows.length === 1,

    orgsOf: async (accountId: string): Promise<OrgWithRolesRow[]> =>
      (
        await sql.query<OrgWithRolesRow>(
          `SELECT o.id, o.slug, o.name, o.created_at, array_agg(m.role ORDER BY m.role) AS roles
           FROM orgs o JOIN org_members m ON m.org_id = o.id
           WHERE m.account_id = $1
           GROUP BY o.id, o.slug, o.name, o.created_at
           ORDER BY o.created_at, o.id`,
          [accountId],
        )
      ).rows,

    rolesOf: async (orgId: string, accountId: string): Promise<string[]> =>
      (
        await sql.query<{ role: string }>(
          'SELECT role FROM org_members WHERE org_id = $1 AND account_id = $2',
          [orgId, accountId],
        )
      ).rows.map((r) => r.role),

    members: async (orgId: string): Promise<{ account_id: string; roles: OrgRole[] }[]> =>
      (
        await sql.query<{ account_id: string; roles: OrgRole[] }>(
          `SELECT account_id, array_agg(role ORDER BY role) AS roles FROM org_members
           WHERE org_id = $1 GROUP BY account_id ORDER BY min(granted_at), account_id`,
          [orgId],
        )
      ).rows,

    /** Makes `roles` exactly the account's roles in the organisation, keeping the grant time of kept ones. */
    setRoles: async (orgId: string, accountId: string, roles: readonly OrgRole[], at: Date, by: string) => {
      await sql.query(
        'DELETE FROM org_members WHERE org_id = $1 AND account_id = $2 AND NOT (role = ANY($3))',
        [orgId, accountId, roles],
      );
      for (const role of roles) {
        await sql.query(
          `INSERT INTO org_members (org_id, account_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (org_id, account_id, role) DO NOTHING`,
          [orgId, accountId, role, at, by],
        );
      }
    },

    removeMember: async (orgId: string, accountId: string): Promise<boolean> =>
      (
        await sql.query('DELETE FROM org_members WHERE org_id = $1 AND account_id = $2 RETURNING role', [
          orgId,
          accountId,
        ])
      ).rows.length > 0,

    /** Every role row of an account, for a merge's inventory. */
    rowsOf: async (accountId: string): Promise<MemberRow[]> =>
      (
        await sql.query<MemberRow>(
          `SELECT org_id, account_id, role, granted_at, granted_by FROM org_members WHERE account_id = $1
           ORDER BY org_id, role`,
          [accountId],
        )
      ).rows,

    moveRow: (orgId: string, role: string, from: string, to: string) =>
      sql.query(
        'UPDATE org_members SET account_id = $4 WHERE org_id = $1 AND role = $2 AND account_id = $3',
        [orgId, role, from, to],
      ),

    deleteRow: (orgId: string, role: string, accountId: string) =>
      sql.query('DELETE FROM org_members WHERE org_id = $1 AND role = $2 AND account_id = $3', [
        orgId,
        role,
        accountId,
      ]),

    insertRow: (r: MemberRow) =>
      sql.query(
        'INSERT INTO org_members (org_id, account_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5)',
        [r.org_id, r.account_id, r.role, r.granted_at, r.granted_by],
      ),

    adminIds: async (orgId: string): Promise<string[]> =>
      (
        await sql.query<{ account_id: string }>(
          "SELECT account_id FROM org_members WHERE org_id = $1 AND role = 'admin'",
          [orgId],
        )
      ).rows.map((r) => r.account_id),
  };
}
