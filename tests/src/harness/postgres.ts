import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { type BinaryLookup, findBinaries } from './binaries.js';
import { launch, type RunningServer, runToCompletion } from './managed-process.js';
import { freePort } from './ports.js';
import { unprivilegedUserForRoot } from './unprivileged-user.js';

export interface PostgresOptions extends BinaryLookup {
  readonly startTimeoutMs?: number;
}

export interface RunningPostgres extends RunningServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres — trust auth, no password. */
  readonly url: string;
  readonly port: number;
}

// Fixed rather than "whoever runs initdb" so the URL is the same as root (server runs as `postgres`
// or `linkwell-pg`) and as an ordinary user.
const SUPERUSER = 'postgres';

async function acceptsQueries(url: string, signal: AbortSignal): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  const abort = () => void client.end().catch(() => {});
  signal.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    return rows[0]?.one === 1;
  } finally {
    signal.removeEventListener('abort', abort);
    await client.end().catch(() => {});
  }
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = await findBinaries('postgres', ['initdb', 'postgres'] as const, opts);
  // PostgreSQL refuses to run as root; undefined means we are not root and run it as ourselves.
  const runAs = await unprivilegedUserForRoot();
  const port = await freePort();
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;

  const server = await launch({
    name: 'postgres',
    startTimeoutMs: opts.startTimeoutMs,
    async prepare(dataDir, logFile) {
      if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
      const pgdata = join(dataDir, 'pgdata');
      await runToCompletion(
        'initdb',
        {
          command: bin.initdb,
          args: ['--pgdata', pgdata, '--username', SUPERUSER, '--auth', 'trust'].concat([
            '--encoding',
            'UTF8',
            '--locale',
            'C',
            '--no-sync',
          ]),
          runAs,
        },
        logFile,
        dataDir,
        opts.startTimeoutMs,
      );
      const settings = {
        listen_addresses: '127.0.0.1',
        // The default /var/run/postgresql may not exist or belong to another cluster.
        unix_socket_directories: dataDir,
        // Test data is disposable: skip the flushes that dominate start-up and DDL time.
        fsync: 'off',
        synchronous_commit: 'off',
        full_page_writes: 'off',
      };
      return {
        process: {
          command: bin.postgres,
          args: [
            '-D',
            pgdata,
            '-p',
            String(port),
            ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
          ],
          runAs,
          // SIGTERM is "smart" shutdown, which waits for every client (e.g. a leaked pool) to disconnect.
          stopSignal: 'SIGINT',
        },
        ready: (signal) => acceptsQueries(url, signal),
      };
    },
  });
  return { ...server, url, port };
}
