import type { SqlClient } from '../../db/sql-client.js';
import type { Position } from './cursor.js';
import type { EventFilter, EventType, NewEvent } from './types.js';

/** The only SQL on `events` (migration 0011). */

export interface EventRow {
  seq: string;
  event_id: string;
  tx: string;
  type: EventType;
  account_id: string;
  metric: string | null;
  device_id: string | null;
  occurred_ms: string;
  created_ms: string;
  data: Record<string, unknown>;
}

// `tx` and `seq` come back as text (xid8 and bigint exceed JS numbers), under their own names: ORDER BY must
// therefore name the table's columns (`events.tx`), or it would sort the text (9 after 10).
const COLUMNS = `seq::text AS seq, event_id, tx::text AS tx, type, account_id, metric, device_id,
  (extract(epoch FROM occurred_at) * 1000)::bigint::text AS occurred_ms,
  (extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms, data`;

// One statement for any number of events; a recorded id is skipped, so repeating an insert adds nothing.
const INSERT = `
INSERT INTO events (event_id, type, account_id, metric, device_id, occurred_at, created_at, data)
SELECT x.id, x.type, x.account_id, x.metric, x.device_id, to_timestamp(x.occurred_at / 1000.0),
       to_timestamp($2::bigint / 1000.0), COALESCE(x.data, '{}'::jsonb)
FROM jsonb_to_recordset($1::jsonb) AS x(id text, type text, account_id text, metric text, device_id text,
     occurred_at bigint, data jsonb)
ON CONFLICT (event_id) DO NOTHING`;

export async function insertEvents(db: SqlClient, events: readonly NewEvent[], now: number): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((e) => ({
    id: e.id,
    type: e.type,
    account_id: e.accountId,
    metric: e.metric ?? null,
    device_id: e.deviceId ?? null,
    occurred_at: Math.round(e.occurredAt),
    data: e.data,
  }));
  const res = await db.query(`${INSERT} RETURNING 1`, [JSON.stringify(rows), Math.round(now)]);
  return res.rows.length;
}

/**
 * Events after `from`, oldest first. Only rows of transactions older than every running one are read
 * (migration 0011 says why), so a later read never finds a row behind a position already handed out.
 */
export async function eventsAfter(
  db: SqlClient,
  from: Position,
  filter: EventFilter,
  limit: number,
): Promise<EventRow[]> {
  const params: unknown[] = [from.tx.toString(), from.seq.toString(), limit];
  const where = ['(tx, seq) > ($1::xid8, $2::bigint)', 'tx < pg_snapshot_xmin(pg_current_snapshot())'];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (filter.accounts) add((n) => `account_id = ANY($${n}::text[])`, filter.accounts);
  if (filter.types) add((n) => `type = ANY($${n}::text[])`, filter.types);
  // A metric filter keeps events that are not about one metric (a revoked connection, a deleted user).
  if (filter.metrics) add((n) => `(metric IS NULL OR metric = ANY($${n}::text[]))`, filter.metrics);
  if (filter.fromTime !== undefined)
    add((n) => `occurred_at >= to_timestamp($${n}::bigint / 1000.0)`, Math.floor(filter.fromTime));
  if (filter.toTime !== undefined)
    add((n) => `occurred_at < to_timestamp($${n}::bigint / 1000.0)`, Math.ceil(filter.toTime));
  const res = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY events.tx, events.seq LIMIT $3`,
    params,
  );
  return res.rows;
}

export async function eventsByIds(db: SqlClient, ids: readonly string[]): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  const res = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::text[]) ORDER BY events.tx, events.seq`,
    [ids],
  );
  return res.rows;
}

/**
 * The end of the log as readers may see it: every transaction below the snapshot's xmin has ended, and
 * any row still to become visible belongs to xmin or later.
 */
export async function headPosition(db: SqlClient): Promise<Position> {
  const res = await db.query<{ xmin: string }>(
    'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
  );
  return { tx: BigInt(res.rows[0]!.xmin), seq: 0n };
}

// RELAY_LOCK: any constant shared by every API process; one relay at a time keeps the log in outbox order.
const RELAY_LOCK = 0x4c57_4556; // "LWEV"

/** Takes the relay's lock for this transaction; false when another process's relay holds it. */
export async function tryRelayLock(tx: SqlClient): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
    RELAY_LOCK,
  ]);
  return rows[0]?.ok === true;
}

/**
 * A move's JSON (`body`), or stored readings' lines: Zstandard (`lines_zstd`, migration 0014), or raw deflate
 * (`lines_deflated`, migration 0011) from ingest releases before it.
 */
export interface OutboxRow {
  seq: string;
  body: string | null;
  lines_deflated: Uint8Array | null;
  lines_zstd: Uint8Array | null;
}

/** The oldest outbox rows whose transactions have ended, in (tx, seq) order. */
export async function oldestOutboxRows(tx: SqlClient, limit: number): Promise<OutboxRow[]> {
  const { rows } = await tx.query<OutboxRow>(
    `SELECT seq::text AS seq, body, lines_deflated, lines_zstd FROM event_outbox
     WHERE tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY event_outbox.tx, event_outbox.seq LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function deleteOutboxRows(tx: SqlClient, seqs: readonly string[]): Promise<void> {
  await tx.query('DELETE FROM event_outbox WHERE seq = ANY($1::bigint[])', [seqs]);
}
