import type { SqlClient } from '../../db/sql-client.js';

/** The only SQL on inbox_items, reading_moves and attribution_rules (migration 0006). */
export function createInboxRepository(sql: SqlClient) {
  return {
    /** Held items of one device slot become discarded; the ids it touched, sorted. */
    discardHeldForSlot: async (deviceId: string, slot: number | null, by: string, at: Date) =>
      (
        await sql.query<{ id: string }>(
          `UPDATE inbox_items SET state = 'discarded', decided_by = $3, decided_at = $4
           WHERE device_id = $1 AND slot IS NOT DISTINCT FROM $2 AND state = 'held' RETURNING id`,
          [deviceId, slot, by, at],
        )
      ).rows
        .map((r) => r.id)
        .sort(),
  };
}
