import { inflateRawSync, zstdDecompressSync } from 'node:zlib';
import type { Database, SqlExecutor } from '../../db/sql-client.js';
import { pointEventId } from './ids.js';
import { type ParsedPoint, parseLine } from './line-protocol.js';
import {
  deleteOutboxRows,
  insertEvents,
  type OutboxRow,
  oldestOutboxRows,
  tryRelayLock,
} from './repository.js';
import type { EventType, NewEvent } from './types.js';

/** The channel migration 0011's trigger notifies on every insert into `event_outbox`. */
export const OUTBOX_CHANNEL = 'linkwell_event_outbox';

const OUTBOX_TYPES = new Set<EventType>(['reading.created', 'reading.deleted', 'attribution.changed']);

// Fields next to a reading's values in ingest's lines (firmware-protocol's META_FIELDS), not measurements.
const META = new Set(['attr_method', 'attr_confidence', 'attr_rule', 'quality', 'slot']);

/** One line of an outbox row of stored readings (the lines ingest wrote to InfluxDB) as its `reading.created`. */
export function eventOfLine(line: string): NewEvent | undefined {
  let p: ParsedPoint;
  try {
    p = parseLine(line);
  } catch {
    return undefined;
  }
  const account = p.tags.account;
  if (account === undefined || account === '') return undefined;
  const device = p.tags.device ?? '';
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(p.fields)) if (typeof v === 'number' && !META.has(k)) values[k] = v;
  const data: Record<string, unknown> = { values };
  const f = p.fields;
  if (typeof f.attr_method === 'string')
    data.attribution = {
      method: f.attr_method,
      confidence: typeof f.attr_confidence === 'number' ? f.attr_confidence : null,
      rule: typeof f.attr_rule === 'string' ? f.attr_rule : null,
    };
  if (typeof f.quality === 'string' && f.quality !== '') data.quality = f.quality.split(',');
  const key = { account, device, metric: p.measurement, t: p.timestamp };
  return {
    id: pointEventId('reading.created', key, null),
    type: 'reading.created',
    accountId: account,
    metric: p.measurement,
    deviceId: device,
    occurredAt: p.timestamp,
    data,
  };
}

/** An outbox row's text: a move's JSON, or the stored readings' lines inflated; '' when unreadable. */
function outboxText(row: Omit<OutboxRow, 'seq'>): string {
  if (row.body !== null) return row.body;
  try {
    if (row.lines_zstd !== null) return zstdDecompressSync(row.lines_zstd).toString('utf8');
    if (row.lines_deflated === null) return '';
    return inflateRawSync(row.lines_deflated).toString('utf8');
  } catch {
    return '\u0000';
  }
}

/** The events of one outbox row: a JSON array of tuples (moves), or line protocol (stored readings). */
export function eventsOfRow(body: string): { events: NewEvent[]; malformed: number } {
  const events: NewEvent[] = [];
  let malformed = 0;
  if (body.startsWith('[')) {
    let tuples: unknown;
    try {
      tuples = JSON.parse(body);
    } catch {
      return { events, malformed: 1 };
    }
    for (const t of tuples as unknown[]) {
      const e = eventOfTuple(t);
      if (e) events.push(e);
      else malformed += 1;
    }
    return { events, malformed };
  }
  for (const line of body.split('\n')) {
    if (line === '') continue;
    const e = eventOfLine(line);
    if (e) events.push(e);
    else malformed += 1;
  }
  return { events, malformed };
}

/** One outbox tuple (ingest's `OutboxEvent`, docs/events.md) as an event, or undefined when malformed. */
export function eventOfTuple(x: unknown): NewEvent | undefined {
  if (!Array.isArray(x) || x.length !== 8) return undefined;
  const [type, metric, account, device, t, values, attr, cause] = x as unknown[];
  if (typeof type !== 'string' || !OUTBOX_TYPES.has(type as EventType)) return undefined;
  if (typeof metric !== 'string' || typeof account !== 'string' || account === '') return undefined;
  if (typeof device !== 'string' || typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  if (cause !== null && typeof cause !== 'string') return undefined;
  const data: Record<string, unknown> = {};
  if (values !== null && typeof values === 'object') data.values = values;
  if (Array.isArray(attr) && typeof attr[0] === 'string')
    data.attribution = { method: attr[0], confidence: attr[1] ?? null, rule: attr[2] ?? null };
  if (cause) data.cause = cause;
  if (type === 'reading.deleted') data.reason = 'reassigned';
  return {
    id: pointEventId(type as EventType, { account, device, metric, t }, cause),
    type: type as EventType,
    accountId: account,
    metric,
    deviceId: device,
    occurredAt: t,
    data,
  };
}

export interface RelayPass {
  /** Outbox rows expanded and removed. */
  rows: number;
  /** Events recorded (repeats of recorded ids excluded). */
  events: number;
  /** Tuples that were not events (logged and dropped: they cannot be made right by retrying). */
  malformed: number;
}

/**
 * Expands the oldest outbox rows into `events` and deletes them, in one transaction: a crash undoes both,
 * and the ids make a repeat harmless. Only rows of transactions older than every running one are taken
 * (as the log's readers do), in (tx, seq) order, so the log keeps ingest's order. Another API process
 * relaying at the same time makes this pass a no-op.
 */
export async function relayOnce(
  db: Pick<Database, 'transaction'>,
  now: number,
  maxRows = 1,
): Promise<RelayPass> {
  return db.transaction(async (tx: SqlExecutor) => {
    if (!(await tryRelayLock(tx))) return { rows: 0, events: 0, malformed: 0 };
    const rows = await oldestOutboxRows(tx, maxRows);
    if (rows.length === 0) return { rows: 0, events: 0, malformed: 0 };
    let events = 0;
    let malformed = 0;
    for (const row of rows) {
      const { events: batch, malformed: bad } = eventsOfRow(outboxText(row));
      malformed += bad;
      for (let i = 0; i < batch.length; i += 5000)
        events += await insertEvents(tx, batch.slice(i, i + 5000), now);
    }
    await deleteOutboxRows(
      tx,
      rows.map((r) => r.seq),
    );
    return { rows: rows.length, events, malformed };
  });
}

export interface EventRelay {
  close(): Promise<void>;
}

/**
 * The relay loop: on every `linkwell_event_outbox` notification and every `intervalMs` (a lost LISTEN only
 * delays it). Failures are logged and retried on the next wake-up; nothing is lost, the rows stay.
 */
export function startEventRelay(
  db: Pick<Database, 'transaction' | 'listen'>,
  opts: {
    now: () => number;
    logger: { warn(obj: object, msg: string): void };
    intervalMs?: number;
    onRelayed?: (pass: RelayPass) => void;
  },
): EventRelay {
  let closed = false;
  let wanted = false;
  let loop: Promise<number> | undefined;
  let stopListening: (() => Promise<void>) | undefined;

  async function run(): Promise<number> {
    let total = 0;
    while (wanted && !closed) {
      wanted = false;
      try {
        for (;;) {
          const pass = await relayOnce(db, opts.now());
          if (pass.malformed > 0)
            opts.logger.warn({ count: pass.malformed }, 'malformed event outbox tuples dropped');
          if (pass.rows === 0) break;
          total += pass.events;
          opts.onRelayed?.(pass);
          if (closed) break;
        }
      } catch (err) {
        opts.logger.warn(
          { err: (err as Error).message },
          'event relay pass failed; retrying on the next wake-up',
        );
      }
    }
    return total;
  }

  function request(): Promise<number> {
    if (closed) return Promise.resolve(0);
    wanted = true;
    loop ??= run().finally(() => {
      loop = undefined;
      if (wanted && !closed) void request();
    });
    return loop;
  }

  const listen = () =>
    db
      .listen(
        OUTBOX_CHANNEL,
        () => void request(),
        () => {
          stopListening = undefined;
        },
      )
      .then((stop) => {
        stopListening = stop;
      })
      .catch(() => undefined);
  void listen().then(() => request());
  const timer = setInterval(() => {
    if (!stopListening) void listen();
    void request();
  }, opts.intervalMs ?? 1000);
  timer.unref();

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await stopListening?.().catch(() => undefined);
      await loop;
    },
  };
}
