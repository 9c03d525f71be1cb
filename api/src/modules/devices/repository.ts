import type { SqlClient } from '../../db/sql-client.js';

export interface AssignmentRow {
  device_id: string;
  slot: number | null;
  account_id: string;
  storage_account_id: string | null;
}

/** The only SQL on devices and device_assignments. */
export function createDevicesRepository(sql: SqlClient) {
  return {
    assignmentsOf: async (accountId: string) =>
      (
        await sql.query<AssignmentRow>(
          `SELECT device_id, slot, account_id, storage_account_id FROM device_assignments
           WHERE account_id = $1 ORDER BY device_id, slot NULLS FIRST`,
          [accountId],
        )
      ).rows,
    /** Gives the slot to `to`; readings keep the storage tag they had, or the old owner's id. */
    moveAssignment: (deviceId: string, slot: number | null, from: string, to: string) =>
      sql.query(
        `UPDATE device_assignments SET account_id = $4, storage_account_id = COALESCE(storage_account_id, $3)
         WHERE device_id = $1 AND slot IS NOT DISTINCT FROM $2 AND account_id = $3`,
        [deviceId, slot, from, to],
      ),
    restoreAssignment: (a: AssignmentRow, currentOwner: string) =>
      sql.query(
        `UPDATE device_assignments SET account_id = $3, storage_account_id = $4
         WHERE device_id = $1 AND slot IS NOT DISTINCT FROM $2 AND account_id = $5`,
        [a.device_id, a.slot, a.account_id, a.storage_account_id, currentOwner],
      ),
  };
}
