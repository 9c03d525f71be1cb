import type { SqlClient } from '../../db/sql-client.js';

export interface AssignmentRow {
  device_id: string;
  slot: number | null;
  account_id: string;
  storage_account_id: string | null;
}

export interface DeviceRow {
  id: string;
  household_id: string;
  address: string;
  kind: string;
  model: string | null;
  name: string | null;
  maker: string | null;
  profile_id: string | null;
  battery_percent: number | null;
  attribution: 'single' | 'slots' | 'weight';
  slot_count: number | null;
  claimed_by: string | null;
  claimed_at: Date | null;
  created_at: Date;
}

export interface NewDevice {
  id: string;
  householdId: string;
  address: string;
  kind: string;
  model: string | null;
  name: string | null;
  maker: string | null;
  profileId: string | null;
  batteryPercent: number | null;
  attribution: DeviceRow['attribution'];
  slotCount: number | null;
  claimedBy: string;
  claimedAt: Date;
}

const DEVICE_COLUMNS = `id, household_id, address, kind, model, name, maker, profile_id, battery_percent, attribution,
  slot_count, claimed_by, claimed_at, created_at`;

/** The only SQL on devices and device_assignments. */
export function createDevicesRepository(sql: SqlClient) {
  return {
    async devicesOf(householdId: string): Promise<DeviceRow[]> {
      const { rows } = await sql.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE household_id = $1 ORDER BY created_at, id`,
        [householdId],
      );
      return rows;
    },
    /** Devices with an assignment (any slot) to this person: the ones that measure them. */
    async devicesMeasuring(accountId: string): Promise<DeviceRow[]> {
      const { rows } = await sql.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices
          WHERE id IN (SELECT device_id FROM device_assignments WHERE account_id = $1) ORDER BY created_at, id`,
        [accountId],
      );
      return rows;
    },
    /** `devicesMeasuring` for many accounts in one query (the CRM reads every person's devices per run). */
    async devicesMeasuringAny(
      accountIds: readonly string[],
    ): Promise<(DeviceRow & { account_id: string })[]> {
      const { rows } = await sql.query<DeviceRow & { account_id: string }>(
        `SELECT m.account_id, d.* FROM (SELECT DISTINCT account_id, device_id FROM device_assignments
            WHERE account_id = ANY($1::text[])) m
          JOIN LATERAL (SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = m.device_id) d ON true
          ORDER BY m.account_id, d.created_at, d.id`,
        [accountIds],
      );
      return rows;
    },
    async device(id: string): Promise<DeviceRow | undefined> {
      const { rows } = await sql.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [
        id,
      ]);
      return rows[0];
    },
    async deviceAt(householdId: string, address: string): Promise<DeviceRow | undefined> {
      const { rows } = await sql.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE household_id = $1 AND address = $2`,
        [householdId, address],
      );
      return rows[0];
    },
    /** UNIQUE (household_id, address) decides concurrent claims: undefined for the loser. */
    async insertDevice(d: NewDevice): Promise<DeviceRow | undefined> {
      const { rows } = await sql.query<DeviceRow>(
        `INSERT INTO devices (id, household_id, address, kind, model, name, maker, profile_id, battery_percent,
           attribution, slot_count, claimed_by, claimed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         ON CONFLICT (household_id, address) DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
        [
          d.id,
          d.householdId,
          d.address,
          d.kind,
          d.model,
          d.name,
          d.maker,
          d.profileId,
          d.batteryPercent,
          d.attribution,
          d.slotCount,
          d.claimedBy,
          d.claimedAt,
        ],
      );
      return rows[0];
    },
    rename: (id: string, name: string) => sql.query('UPDATE devices SET name = $2 WHERE id = $1', [id, name]),
    setAttribution: (id: string, mode: DeviceRow['attribution'], slotCount: number | null) =>
      sql.query('UPDATE devices SET attribution = $2, slot_count = $3 WHERE id = $1', [id, mode, slotCount]),
    deleteDevice: (id: string) => sql.query('DELETE FROM devices WHERE id = $1', [id]),
    async assignmentsOfDevice(deviceId: string): Promise<AssignmentRow[]> {
      const { rows } = await sql.query<AssignmentRow>(
        `SELECT device_id, slot, account_id, storage_account_id FROM device_assignments WHERE device_id = $1
         ORDER BY slot NULLS FIRST`,
        [deviceId],
      );
      return rows;
    },
    /** Gives the slot (NULL: the single owner) to `accountId`; a new holder writes under its own tag. */
    async assign(deviceId: string, slot: number | null, accountId: string): Promise<void> {
      await sql.query(
        'DELETE FROM device_assignments WHERE device_id = $1 AND slot IS NOT DISTINCT FROM $2',
        [deviceId, slot],
      );
      await sql.query('INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, $2, $3)', [
        deviceId,
        slot,
        accountId,
      ]);
    },
    async unassign(deviceId: string, slot: number | null): Promise<boolean> {
      const { rows } = await sql.query(
        'DELETE FROM device_assignments WHERE device_id = $1 AND slot IS NOT DISTINCT FROM $2 RETURNING device_id',
        [deviceId, slot],
      );
      return rows.length > 0;
    },
    /** Drops assignments that do not fit a mode: slotted ones for single/weight, the owner for slots/weight. */
    clearAssignments: (deviceId: string, keep: 'owner' | 'slots' | 'none') =>
      sql.query(
        `DELETE FROM device_assignments WHERE device_id = $1
           AND NOT (($2 = 'owner' AND slot IS NULL) OR ($2 = 'slots' AND slot IS NOT NULL))`,
        [deviceId, keep],
      ),
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
