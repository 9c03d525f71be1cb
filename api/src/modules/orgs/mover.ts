import type { SqlClient } from '../../db/sql-client.js';
import type { AccountMover } from '../../shared/account-mover.js';
import { createOrgsRepository, type OrgRole } from './repository.js';

interface RoleRow {
  org_id: string;
  role: OrgRole;
  granted_at: string;
  granted_by: string;
}

/** What a merge changed: roles handed to the surviving account, and roles it already held (dropped). */
interface OrgsInventory {
  moved: RoleRow[];
  dropped: RoleRow[];
}

/**
 * A merge (docs/identity.md) hands the merged account's organisation roles to the surviving account, so the
 * person keeps their access and an organisation whose admin merged keeps an admin. Undo puts each row back.
 */
export const orgsAccountMover: AccountMover = {
  part: 'orgs',
  async move(sql: SqlClient, from: string, to: string): Promise<OrgsInventory> {
    const repo = createOrgsRepository(sql);
    const held = new Set((await repo.rowsOf(to)).map((r) => `${r.org_id}/${r.role}`));
    const inventory: OrgsInventory = { moved: [], dropped: [] };
    for (const r of await repo.rowsOf(from)) {
      const row: RoleRow = {
        org_id: r.org_id,
        role: r.role,
        granted_at: new Date(r.granted_at).toISOString(),
        granted_by: r.granted_by,
      };
      if (held.has(`${r.org_id}/${r.role}`)) {
        await repo.deleteRow(r.org_id, r.role, from);
        inventory.dropped.push(row);
      } else {
        await repo.moveRow(r.org_id, r.role, from, to);
        inventory.moved.push(row);
      }
    }
    return inventory;
  },
  async restore(sql: SqlClient, raw: unknown, from: string, to: string): Promise<void> {
    const repo = createOrgsRepository(sql);
    const inventory = raw as OrgsInventory;
    for (const r of inventory.moved) await repo.moveRow(r.org_id, r.role, to, from);
    for (const r of inventory.dropped) {
      await repo.insertRow({ ...r, account_id: from, granted_at: new Date(r.granted_at) });
    }
  },
};
