import type { SqlClient } from '../../db/sql-client.js';
import type { AccountMover } from '../../shared/account-mover.js';
import { type AssignmentRow, createDevicesRepository } from './repository.js';

/**
 * Merges move device slots to the surviving account. The slot keeps writing readings under the merged
 * account's InfluxDB tag (`storage_account_id`), which the survivor's trends include while the merge
 * stands; an undo gives the slot back and new readings were never under the wrong tag.
 */
export const devicesAccountMover: AccountMover = {
  part: 'devices',
  async move(sql: SqlClient, from: string, to: string): Promise<AssignmentRow[]> {
    const repo = createDevicesRepository(sql);
    const before = await repo.assignmentsOf(from);
    for (const a of before) await repo.moveAssignment(a.device_id, a.slot, from, to);
    return before;
  },
  async restore(sql: SqlClient, raw: unknown, _from: string, to: string): Promise<void> {
    const repo = createDevicesRepository(sql);
    for (const a of raw as AssignmentRow[]) await repo.restoreAssignment(a, to);
  },
};

/** A device that measures a person, as the CRM's trait computation reads it (no address or household). */
export interface OwnedDevice {
  accountId: string;
  deviceId: string;
  householdId: string;
  kind: string;
  linkedAt: Date;
  batteryPercent: number | null;
}

/** The devices with an assignment to each of these people, read in one query. */
export async function devicesOwnedBy(sql: SqlClient, accounts: readonly string[]): Promise<OwnedDevice[]> {
  const byAccount = new Map<string, OwnedDevice[]>();
  for (const d of await createDevicesRepository(sql).devicesMeasuringAny(accounts)) {
    const list = byAccount.get(d.account_id) ?? [];
    list.push({
      accountId: d.account_id,
      deviceId: d.id,
      householdId: d.household_id,
      kind: d.kind,
      linkedAt: new Date(d.created_at),
      batteryPercent: d.battery_percent,
    });
    byAccount.set(d.account_id, list);
  }
  // In the order the accounts were asked for, each one's devices oldest first, as one query per account gave.
  return accounts.flatMap((a) => byAccount.get(a) ?? []);
}
