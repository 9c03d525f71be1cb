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

/** A pg Pool as ingest's registry client, with `listen` on a dedicated connection. */
export function pgRegistryClient(pool: pg.Pool, connectionString: string): SqlClient {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return { rows: (await pool.query(sql, params)).rows as T[] };
    },
    listen: pgListen(connectionString),
  };
}
