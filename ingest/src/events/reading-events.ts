import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
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
const INSERT_LINES = 'INSERT INTO event_outbox (lines_deflated) VALUES ($1)';
const deflate = promisify(deflateRaw);

/** Inserts one outbox row now (no grouping): the move executor's few events per step. */
export async function insertEventRows(db: SqlClient, rows: readonly OutboxEvent[]): Promise<void> {
  if (rows.length > 0) await insertBody(db, JSON.stringify(rows));
}

/** One outbox row: a JSON array of tuples (`body`), or raw-deflated line protocol (`lines_deflated`). */
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
   * Readings per outbox row at most. Default 5000, like an InfluxDB batch. The relay expands a row in one
   * transaction; on the embedded PGlite (one connection) `linkwell up` uses 1000 so that transaction never
   * holds ingest's own inserts up for long.
   */
  maxLines?: number;
  /** INSERTs in flight at once (default 2, like the InfluxDB writer): a commit's fsync overlaps the next. */
  maxConcurrent?: number;
  onInserted?: (events: number) => void;
}

/**
 * The event outbox on the readings path (docs/events.md "Durability"). `add` takes the line-protocol lines
 * of stored readings (the ones going to InfluxDB: the relay reads each back as its `reading.created`) and
 * resolves once they are committed; the readings handler awaits it before the PUBACK, next to the InfluxDB
 * write, so every acknowledged reading has its event. Reusing the lines costs ingest no serialisation.
 * Group commit: while the INSERTs in flight run, the lines of every publish that arrives queue up and go
 * into the next row together, so the cost per reading falls as load rises.
 */
export class EventOutbox {
  private queue: { lines: readonly string[]; done: (err?: Error) => void }[] = [];
  private active = 0;
  private readonly maxLines: number;
  private readonly maxConcurrent: number;

  constructor(
    private readonly db: SqlClient,
    private readonly opts: EventOutboxOptions,
  ) {
    this.maxLines = opts.maxLines ?? 5000;
    this.maxConcurrent = opts.maxConcurrent ?? 2;
  }

  add(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ lines, done: (err) => (err ? reject(err) : resolve()) });
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.maxConcurrent && this.queue.length > 0) {
      const group: typeof this.queue = [];
      let n = 0;
      while (
        this.queue.length > 0 &&
        (group.length === 0 || n + this.queue[0]!.lines.length <= this.maxLines)
      ) {
        const next = this.queue.shift()!;
        group.push(next);
        n += next.lines.length;
      }
      this.active += 1;
      void this.write(group, n).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  private async write(group: { lines: readonly string[]; done: (err?: Error) => void }[], n: number) {
    let text = '';
    for (const g of group) text += (text === '' ? '' : '\n') + g.lines.join('\n');
    try {
      // Level 1: most of the size gain for little CPU, and zlib runs in libuv's pool, not on the broker's loop.
      await insertBody(this.db, await deflate(text, { level: 1 }));
      this.opts.onInserted?.(n);
      for (const g of group) g.done();
    } catch (err) {
      this.opts.logger.warn({ code: (err as IngestError).code, events: n }, (err as Error).message);
      for (const g of group) g.done(err as Error);
    }
  }
}
