import pg from 'pg';
import type { SqlClient } from './resolver.js';

/**
 * The `listen` capability for a pg Pool registry (standalone ingest, `main.ts`): each call LISTENs on a
 * connection of its own, because a pooled one is handed to other queries and loses its LISTEN on release.
 * `onError` is called once when that connection fails or ends; the change feed then listens again.
 */
export function pgListen(connectionString: string): NonNullable<SqlClient['listen']> {
  return async (channel, onPayload, onError) => {
    const client = new pg.Client({ connectionString });
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      onError?.(err);
      client.end().catch(() => {});
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('LISTEN connection ended')));
    client.on('notification', (n) => {
      if (n.channel === channel) onPayload(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      done = true;
      await client.end().catch(() => {});
      throw err;
    }
    return async () => {
      done = true;
      await client.end();
    };
  };
}

/**
 * Opens the registry's pg Pool. An idle pooled connection that the server ends (a restart, an operator's
 * pg_terminate_backend) emits 'error' on the pool, and an EventEmitter 'error' with no listener kills the
 * process; the pool has already discarded that connection, so the error is only reported.
 */
export function openRegistryPool(
  connectionString: string,
  opts: { max?: number; onIdleError?: (err: Error) => void } = {},
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 4 });
  pool.on('error', (err) => opts.onIdleError?.(err));
  return pool;
}

/** A pg Pool as ingest's registry client, with `listen` on a dedicated connection. */
export function pgRegistryClient(pool: pg.Pool, connectionString: string): SqlClient {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return { rows: (await pool.query(sql, params)).rows as T[] };
    },
    listen: pgListen(connectionString),
    kind: 'postgres',
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn({
          async query<R>(sql: string, params?: unknown[]) {
            return { rows: (await client.query(sql, params)).rows as R[] };
          },
        });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
