import { promisify } from 'node:util';
import { constants, zstdCompress } from 'node:zlib';
import type { Reading } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { Attribution } from '../attribution/attribution.js';
import { IngestError } from '../errors.js';
import type { SqlClient } from '../registry/resolver.js';

/**
 * What ingest adds to the API's event log (docs/events.md): rows of `event_outbox` (migration 0011), each a
 * JSON array of these tuples. The API's relay turns every tuple into one `events` row with a stable id.
 * The table and the tuple are a database contract between ingest and the API, like `inbox_items`.
 *
 * [type, metric, account tag, device tag, measured at ms, values, [method, confidence, rule] | null, cause | null]
 */
export type OutboxEvent = [
  type: 'reading.created' | 'reading.deleted' | 'attribution.changed',
  metric: string,
  account: string,
  device: string,
  t: number,
  values: Readonly<Record<string, number>> | null,
  attr: [method: string, confidence: number | null, rule: string] | null,
  cause: string | null,
];

/** A reading and where it is stored: the point key (metric, account tag, device tag, time). */
export interface StoredPoint {
  reading: Pick<Reading, 'metric' | 't' | 'values'>;
  account: string;
  deviceId: string;
  attr?: Attribution;
}

const attrTuple = (a: Attribution | undefined): OutboxEvent[6] =>
  a ? [a.method, a.confidence ?? null, a.rule] : null;

/** One `reading.created` per stored point; `cause` names the move that created it, if any. */
export function readingCreated(points: readonly StoredPoint[], cause: string | null = null): OutboxEvent[] {
  return points.map((p) => [
    'reading.created',
    p.reading.metric,
    p.account,
    p.deviceId,
    p.reading.t,
    p.reading.values,
    attrTuple(p.attr),
    cause,
  ]);
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
export function moveEventRows(m: MoveFacts): OutboxEvent[] {
  const cause = `move:${m.id}`;
  const attr = attrTuple(m.attr);
  const rows: OutboxEvent[] = [];
  if (m.kind === 'reassign' && m.from && m.from !== m.to)
    rows.push(['reading.deleted', m.metric, m.from, m.deviceId, m.t, null, null, cause]);
  rows.push(['reading.created', m.metric, m.to, m.deviceId, m.t, m.values, attr, cause]);
  rows.push(['attribution.changed', m.metric, m.to, m.deviceId, m.t, null, attr, cause]);
  return rows;
}

const INSERT = 'INSERT INTO event_outbox (body) VALUES ($1)';
const INSERT_LINES = 'INSERT INTO event_outbox (lines_zstd) VALUES ($1)';
const zstd = promisify(zstdCompress);
/** Level 1: on line protocol 3-4x faster than deflate level 1 at a third of its size (migration 0014). */
const ZSTD_FAST = { params: { [constants.ZSTD_c_compressionLevel]: 1 } };

/** Inserts one outbox row now (no grouping): the move executor's few events per step. */
export async function insertEventRows(db: SqlClient, rows: readonly OutboxEvent[]): Promise<void> {
  if (rows.length > 0) await insertBody(db, JSON.stringify(rows));
}

/** One outbox row: a JSON array of tuples (`body`), or Zstandard-compressed line protocol (`lines_zstd`). */
async function insertBody(db: SqlClient, body: string | Buffer): Promise<void> {
  try {
    await db.query(typeof body === 'string' ? INSERT : INSERT_LINES, [body]);
  } catch (err) {
    // The database's message may quote the row (health values); only its SQLSTATE goes out.
    const state = (err as { code?: unknown }).code;
    throw new IngestError(
      'INGEST_ERR_EVENTS_WRITE',
      `events not recorded in the registry database${typeof state === 'string' ? ` (SQLSTATE ${state})` : ''}`,
    );
  }
}

export interface EventOutboxOptions {
  logger: Logger;
  /**
   * Readings per outbox row at most. Default 5000, the durable sink's batch. The relay expands a row in one
   * transaction; on the embedded PGlite (one connection) `linkwell up` uses 1000 so that transaction never
   * holds ingest's own inserts up for long.
   */
  maxLines?: number;
  onInserted?: (events: number) => void;
}

/**
 * The event outbox on the readings path (docs/events.md "Durability"). The durable sink calls `record` for
 * each batch it writes, with the batch's lines and the body it already joined for InfluxDB, at the same time
 * as the InfluxDB write; the batch's PUBACKs wait for both, so every acknowledged reading has its
 * `reading.created` (the relay reads each line back as one). The sink's batches are the group commit: one
 * row per batch, as many INSERTs in flight as InfluxDB writes. Sharing the joined body is what keeps the
 * cost per reading at one fast Zstandard pass (docs/benchmarks.md "The event outbox's cost").
 */
export class EventOutbox {
  private readonly maxLines: number;

  constructor(
    private readonly db: SqlClient,
    private readonly opts: EventOutboxOptions,
  ) {
    this.maxLines = opts.maxLines ?? 5000;
  }

  /** Commits the events of `lines`; `body`, if given, must be `lines.join('\n')` as UTF-8. */
  async record(lines: readonly string[], body?: Buffer): Promise<void> {
    if (lines.length === 0) return;
    if (lines.length <= this.maxLines) return this.insert(body ?? lines.join('\n'), lines.length);
    const rows: Promise<void>[] = [];
    for (let i = 0; i < lines.length; i += this.maxLines) {
      const part = lines.slice(i, i + this.maxLines);
      rows.push(this.insert(part.join('\n'), part.length));
    }
    await Promise.all(rows);
  }

  private async insert(text: string | Buffer, n: number): Promise<void> {
    try {
      // In libuv's pool, not on the broker's loop.
      await insertBody(this.db, await zstd(text, ZSTD_FAST));
      this.opts.onInserted?.(n);
    } catch (err) {
      this.opts.logger.warn({ code: (err as IngestError).code, events: n }, (err as Error).message);
      throw err;
    }
  }
}
