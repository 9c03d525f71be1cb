import type { Pool, PoolClient } from 'pg';
import type { Database, SqlExecutor } from './sql-client.js';

interface PgQueryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

function executor(target: PgQueryable): SqlExecutor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const { rows } = await target.query(sql, params);
      return { rows: rows as T[] };
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await target.query(sql);
    },
  };
}

async function inTransaction<T>(client: PoolClient, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await fn(executor(client));
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    // If ROLLBACK fails too the connection is unusable: destroy it rather than return it to the pool.
    const rollbackFailed = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    client.release(rollbackFailed ? (err as Error) : undefined);
    throw err;
  }
}

/** A connection of its own: a pooled one would be handed to other queries and its LISTEN lost on release. */
async function listenOn(
  pg: typeof import('pg').default,
  connectionString: string,
  channel: string,
  onPayload: (payload: string) => void,
  onError?: (err: Error) => void,
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString });
  let stopped = false;
  let failed = false;
  const fail = (err: Error) => {
    if (stopped || failed) return;
    failed = true;
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
    stopped = true;
    await client.end().catch(() => {});
    throw err;
  }
  return async () => {
    stopped = true;
    await client.end();
  };
}

export interface PostgresOptions {
  /** Pool size; defaults to 10. */
  max?: number;
  /** Called when an idle pooled connection fails (e.g. the server restarted); the pool replaces it. */
  onIdleClientError?: (err: Error) => void;
}

/**
 * Opens a PostgreSQL connection pool. `pg` is imported lazily so an embedded (PGlite) deployment
 * never loads it.
 */
export async function openPostgres(connectionString: string, opts: PostgresOptions = {}): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool: Pool = new pg.Pool({ connectionString, max: opts.max ?? 10 });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would crash the process.
  pool.on('error', (err) => opts.onIdleClientError?.(err));
  return {
    kind: 'postgres',
    ...executor(pool),
    transaction: async (fn) => inTransaction(await pool.connect(), fn),
    listen: (channel, onPayload, onError) => listenOn(pg, connectionString, channel, onPayload, onError),
    close: () => pool.end(),
  };
}
