import { createHash } from 'node:crypto';
import type { Reading } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { Attribution } from '../attribution/attribution.js';
import { IngestError } from '../errors.js';
import type { SqlClient } from '../registry/resolver.js';

/**
 * Rows of the API's event log (table `events`, migration 0011; docs/events.md), as ingest writes them. The
 * table is a database contract between ingest and the API, like `inbox_items`: ingest never imports the API.
 */
export interface EventRow {
  id: string;
  type: 'reading.created' | 'reading.deleted' | 'attribution.changed';
  account_id: string;
  metric: string;
  device_id: string;
  /** The measurement time, ms. */
  occurred_at: number;
  data: Record<string, unknown>;
}

/** A reading and where it is stored: the point key (metric, account tag, device tag, time). */
export interface StoredPoint {
  reading: Pick<Reading, 'metric' | 't' | 'values'>;
  account: string;
  deviceId: string;
  attr?: Attribution;
}

/**
 * The stable id of one event: the same stored point always gets the same `reading.created` id however often
 * it is resent, so the log keeps one row and a webhook receiver sees one `webhook-id`. `cause` separates
 * the facts of different moves (a reading moved A → B → A is created under A twice).
 */
export function eventId(
  type: EventRow['type'],
  p: Omit<StoredPoint, 'reading' | 'attr'> & { metric: string; t: number },
  cause = '',
): string {
  const h = createHash('sha256')
    .update(`${type}\u0000${p.account}\u0000${p.deviceId}\u0000${p.metric}\u0000${p.t}\u0000${cause}`)
    .digest('hex');
  return `evt_${h.slice(0, 32)}`;
}

/** One `reading.created` per stored point; `cause` names the move that created it, if any. */
export function readingCreated(points: readonly StoredPoint[], cause = ''): EventRow[] {
  return points.map((p) => ({
    id: eventId('reading.created', { ...p, metric: p.reading.metric, t: p.reading.t }, cause),
    type: 'reading.created',
    account_id: p.account,
    metric: p.reading.metric,
    device_id: p.deviceId,
    occurred_at: p.reading.t,
    data: {
      values: p.reading.values,
      ...(p.attr
        ? { attribution: { method: p.attr.method, confidence: p.attr.confidence, rule: p.attr.rule } }
        : {}),
      ...(cause ? { cause } : {}),
    },
  }));
}

export interface MoveFacts {
  /** The reading_moves id: it makes the events of this move distinct from any other move of the same point. */
  id: string;
  kind: 'file' | 'reassign';
  metric: string;
  deviceId: string;
  t: number;
  from: string | null;
  to: string;
  values: Record<string, number>;
  attr: Attribution;
}

/**
 * A move's events: a reassignment is a deletion for the old person and a creation for the new one (the
 * issue's change-feed rule); filing an inbox reading is a creation. Both add the attribution change.
 */
export function moveEventRows(m: MoveFacts): EventRow[] {
  const cause = `move:${m.id}`;
  const to = {
    reading: { metric: m.metric, t: m.t, values: m.values },
    account: m.to,
    deviceId: m.deviceId,
    attr: m.attr,
  };
  const rows = readingCreated([to], cause);
  if (m.kind === 'reassign' && m.from && m.from !== m.to) {
    const from = { account: m.from, deviceId: m.deviceId, metric: m.metric, t: m.t };
    rows.unshift({
      id: eventId('reading.deleted', from, cause),
      type: 'reading.deleted',
      account_id: m.from,
      metric: m.metric,
      device_id: m.deviceId,
      occurred_at: m.t,
      data: { reason: 'reassigned', cause },
    });
  }
  rows.push({
    id: eventId(
      'attribution.changed',
      { account: m.to, deviceId: m.deviceId, metric: m.metric, t: m.t },
      cause,
    ),
    type: 'attribution.changed',
    account_id: m.to,
    metric: m.metric,
    device_id: m.deviceId,
    occurred_at: m.t,
    data: { kind: m.kind, method: m.attr.method, rule: m.attr.rule, cause },
  });
  return rows;
}

// One statement per group; a recorded id is skipped, so a resent reading adds no row.
const INSERT = `
INSERT INTO events (event_id, type, account_id, metric, device_id, occurred_at, created_at, data)
SELECT x.id, x.type, x.account_id, x.metric, x.device_id, to_timestamp(x.occurred_at / 1000.0),
       to_timestamp($2::bigint / 1000.0), x.data
FROM jsonb_to_recordset($1::jsonb) AS x(id text, type text, account_id text, metric text, device_id text,
     occurred_at double precision, data jsonb)
ON CONFLICT (event_id) DO NOTHING`;

/** Inserts rows into the event log now (no grouping); for the move executor's few rows per step. */
export async function insertEventRows(db: SqlClient, rows: readonly EventRow[], now: number): Promise<void> {
  if (rows.length === 0) return;
  try {
    await db.query(INSERT, [JSON.stringify(rows), Math.round(now)]);
  } catch (err) {
    // The database's message may quote a row (a health value); only its SQLSTATE goes out.
    const state = (err as { code?: unknown }).code;
    throw new IngestError(
      'INGEST_ERR_EVENTS_WRITE',
      `events not recorded in the registry database${typeof state === 'string' ? ` (SQLSTATE ${state})` : ''}`,
    );
  }
}

export interface EventOutboxOptions {
  now: () => number;
  logger: Logger;
  /** Rows per INSERT at most. Default 5000, like an InfluxDB batch. */
  maxRows?: number;
  onInserted?: (rows: number) => void;
}

/**
 * The event log's writer for the readings path (docs/events.md "Durability"). `add` resolves once its rows
 * are committed; the readings handler awaits it before the PUBACK, next to the InfluxDB write, so every
 * acknowledged reading has its event. Group commit: while one INSERT runs, the rows of every publish that
 * arrives queue up and go in the next INSERT together, so the cost per reading falls as load rises and a
 * publish waits at most one INSERT more than it would alone.
 */
export class EventOutbox {
  private queue: { rows: readonly EventRow[]; done: (err?: Error) => void }[] = [];
  private running = false;
  private readonly maxRows: number;

  constructor(
    private readonly db: SqlClient,
    private readonly opts: EventOutboxOptions,
  ) {
    this.maxRows = opts.maxRows ?? 5000;
  }

  add(rows: readonly EventRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group: typeof this.queue = [];
        let n = 0;
        while (
          this.queue.length > 0 &&
          (group.length === 0 || n + this.queue[0]!.rows.length <= this.maxRows)
        ) {
          const next = this.queue.shift()!;
          group.push(next);
          n += next.rows.length;
        }
        try {
          await insertEventRows(
            this.db,
            group.flatMap((g) => g.rows),
            this.opts.now(),
          );
          this.opts.onInserted?.(n);
          for (const g of group) g.done();
        } catch (err) {
          this.opts.logger.warn({ code: (err as IngestError).code, rows: n }, (err as Error).message);
          for (const g of group) g.done(err as Error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
