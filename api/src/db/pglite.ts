import { PGlite } from '@electric-sql/pglite';
import type { Database, SqlExecutor } from './sql-client.js';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

function executor(target: PgliteLike): SqlExecutor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const { rows } = await target.query<T>(sql, params);
      return { rows };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * Opens an embedded PGlite database. `dataDir` undefined keeps everything in memory (tests, demos);
 * otherwise the directory is created if needed and reused on the next start.
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  const pg = await PGlite.create(dataDir);
  return {
    kind: 'pglite',
    ...executor(pg),
    transaction: (fn) => pg.transaction((tx) => fn(executor(tx))),
    // In-process: there is no connection to lose, so onError is never called.
    listen: async (channel, onPayload) => {
      const unlisten = await pg.listen(channel, onPayload);
      return () => unlisten();
    },
    close: () => pg.close(),
  };
}
