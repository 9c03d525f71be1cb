import type { SqlClient } from '../../db/sql-client.js';

export interface MoveRow {
  id: string;
  household_id: string;
  kind: 'file' | 'reassign';
  inbox_item_id: string | null;
  metric: string;
  device_id: string;
  /** bigint: a string from pg, a number from PGlite. */
  measured_at: number | string;
  from_account_id: string | null;
  to_account_id: string;
  state: 'pending' | 'copied' | 'done' | 'failed';
  error_code: string | null;
  requested_by: string;
  created_at: Date;
  done_at: Date | null;
}

export interface InboxRow {
  id: string;
  household_id: string;
  device_address: string;
  device_id: string | null;
  slot: number | null;
  metric: string;
  measured_at: number | string;
  /** The reading as ingest received it (firmware-protocol Reading: metric, t, values, quality, slot). */
  reading: { values?: Record<string, unknown> } | string;
  reason: 'unknown_device' | 'unassigned_slot' | 'ambiguous';
  hint: { account: string; confidence: number; rule?: string | null }[] | string;
  state: 'held' | 'filing' | 'stored' | 'discarded' | 'expired';
  target_account_id: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  received_at: Date;
}

const INBOX_COLUMNS = `id, household_id, device_address, device_id, slot, metric, measured_at, reading, reason, hint, state,
  target_account_id, decided_by, decided_at, received_at`;

export interface RuleRow {
  id: string;
  household_id: string;
  account_id: string;
  device_id: string | null;
  kind: 'weight_range' | 'weight_near_trend';
  min_kg: number | null;
  max_kg: number | null;
  tolerance_kg: number | null;
  threshold: number;
  created_by: string;
  created_at: Date;
}

const RULE_COLUMNS =
  'id, household_id, account_id, device_id, kind, min_kg, max_kg, tolerance_kg, threshold, created_by, created_at';

const MOVE_COLUMNS =
  'id, household_id, kind, inbox_item_id, metric, device_id, measured_at, from_account_id, to_account_id, state, error_code, requested_by, created_at, done_at';

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

    insertMove: (m: MoveRow) =>
      sql.query(
        `INSERT INTO reading_moves (id, household_id, kind, inbox_item_id, metric, device_id, measured_at,
           from_account_id, to_account_id, state, requested_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          m.id,
          m.household_id,
          m.kind,
          m.inbox_item_id,
          m.metric,
          m.device_id,
          m.measured_at,
          m.from_account_id,
          m.to_account_id,
          m.state,
          m.requested_by,
          m.created_at,
        ],
      ),
    move: async (householdId: string, id: string) =>
      (
        await sql.query<MoveRow>(
          `SELECT ${MOVE_COLUMNS} FROM reading_moves WHERE household_id = $1 AND id = $2`,
          [householdId, id],
        )
      ).rows[0],
    /** Wakes ingest's move executor (migration 0006); delivered when the transaction commits. */
    notifyMoves: (householdId: string) => sql.query("SELECT pg_notify('linkwell_moves', $1)", [householdId]),

    /** A page of a household's items, newest reading first; keyset after (measured_at, id). */
    items: async (q: {
      householdId: string;
      state: string;
      reasons: readonly string[];
      after?: { measuredAt: number; id: string };
      limit: number;
    }) =>
      (
        await sql.query<InboxRow>(
          `SELECT ${INBOX_COLUMNS} FROM inbox_items
           WHERE household_id = $1 AND state = $2 AND reason = ANY($3)
             AND ($4::bigint IS NULL OR (measured_at, id) < ($4::bigint, $5::text))
           ORDER BY measured_at DESC, id DESC LIMIT $6`,
          [q.householdId, q.state, q.reasons, q.after?.measuredAt ?? null, q.after?.id ?? '', q.limit],
        )
      ).rows,
    item: async (householdId: string, id: string) =>
      (
        await sql.query<InboxRow>(
          `SELECT ${INBOX_COLUMNS} FROM inbox_items WHERE household_id = $1 AND id = $2`,
          [householdId, id],
        )
      ).rows[0],
    /** held → `state`, only from held: of concurrent decisions exactly one gets the row back. */
    decide: async (d: {
      id: string;
      state: 'filing' | 'discarded';
      target: string | null;
      by: string;
      at: Date;
    }) =>
      (
        await sql.query<InboxRow>(
          `UPDATE inbox_items SET state = $2, target_account_id = $3, decided_by = $4, decided_at = $5
           WHERE id = $1 AND state = 'held' RETURNING ${INBOX_COLUMNS}`,
          [d.id, d.state, d.target, d.by, d.at],
        )
      ).rows[0],

    rules: async (householdId: string) =>
      (
        await sql.query<RuleRow>(
          `SELECT ${RULE_COLUMNS} FROM attribution_rules WHERE household_id = $1 ORDER BY created_at, id`,
          [householdId],
        )
      ).rows,
    rule: async (householdId: string, id: string) =>
      (
        await sql.query<RuleRow>(
          `SELECT ${RULE_COLUMNS} FROM attribution_rules WHERE household_id = $1 AND id = $2`,
          [householdId, id],
        )
      ).rows[0],
    insertRule: (r: RuleRow) =>
      sql.query(
        `INSERT INTO attribution_rules (${RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          r.id,
          r.household_id,
          r.account_id,
          r.device_id,
          r.kind,
          r.min_kg,
          r.max_kg,
          r.tolerance_kg,
          r.threshold,
          r.created_by,
          r.created_at,
        ],
      ),
    deleteRule: (id: string) => sql.query('DELETE FROM attribution_rules WHERE id = $1', [id]),
  };
}
