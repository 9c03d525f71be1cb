import type { Database, SqlClient } from '../../db/sql-client.js';
import { decodeCursor, encodeCursor, type Position, START } from './cursor.js';
import { type EventRow, eventsAfter, eventsByIds, headPosition, insertEvents } from './repository.js';
import type { EventsService, NewEvent, StoredEvent } from './types.js';

/** The channel migration 0011's trigger notifies on every insert into `events`. */
export const EVENTS_CHANNEL = 'linkwell_events';

/** Adds events inside a caller's transaction (e.g. a revocation and its event commit together). */
export async function recordEvents(
  sql: SqlClient,
  events: readonly NewEvent[],
  now: number,
): Promise<number> {
  return insertEvents(sql, events, now);
}

function toStored(row: EventRow): StoredEvent {
  return {
    id: row.event_id,
    type: row.type,
    accountId: row.account_id,
    metric: row.metric,
    deviceId: row.device_id,
    occurredAt: Number(row.occurred_ms),
    createdAt: Number(row.created_ms),
    data: row.data,
    cursor: encodeCursor({ tx: BigInt(row.tx), seq: BigInt(row.seq) }),
  };
}

/**
 * The event log (docs/events.md). `subscribe` listens on `linkwell_events` once, on first use, and also
 * wakes listeners after this process's own appends; a lost LISTEN connection is retried, and readers poll
 * anyway, so a missed notification only delays them.
 */
export function createEventsService(
  db: Pick<Database, 'query' | 'listen'>,
  opts: { now?: () => number; logger?: { warn(obj: object, msg: string): void } } = {},
): EventsService {
  const now = opts.now ?? Date.now;
  const listeners = new Set<() => void>();
  let listening: Promise<void> | undefined;
  let stop: (() => Promise<void>) | undefined;
  const wake = () => {
    for (const l of listeners) l();
  };

  function listen(): Promise<void> {
    listening ??= db
      .listen(EVENTS_CHANNEL, wake, (err) => {
        opts.logger?.warn({ err: err.message }, 'event log notifications lost; listening again');
        stop = undefined;
        listening = undefined;
        setTimeout(() => {
          if (listeners.size > 0) void listen();
        }, 1000).unref();
      })
      .then((s) => {
        stop = s;
      })
      .catch((err: Error) => {
        listening = undefined;
        opts.logger?.warn({ err: err.message }, 'cannot listen for event log notifications');
      });
    return listening;
  }

  return {
    async append(events) {
      const n = await insertEvents(db, events, now());
      if (n > 0) wake();
      return n;
    },
    async after(cursor, filter, limit) {
      const from: Position = cursor === null ? START : decodeCursor(cursor);
      const rows = await eventsAfter(db, from, filter, limit);
      const events = rows.map(toStored);
      return { events, next: events.at(-1)?.cursor ?? encodeCursor(from) };
    },
    async byIds(ids) {
      return (await eventsByIds(db, ids)).map(toStored);
    },
    async head() {
      return encodeCursor(await headPosition(db));
    },
    subscribe(onAppended) {
      listeners.add(onAppended);
      void listen();
      return () => {
        listeners.delete(onAppended);
        if (listeners.size === 0 && stop) {
          const s = stop;
          stop = undefined;
          listening = undefined;
          void s().catch(() => undefined);
        }
      };
    },
  };
}
