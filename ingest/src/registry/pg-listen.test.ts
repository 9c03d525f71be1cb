import { migrate, openPostgres, seedDemoHome } from '@linkwell/api';
import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistryPool, pgRegistryClient } from './pg-listen.js';
import { type RegistrySync, startRegistrySync } from './registry-sync.js';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Standalone ingest's registry: a pg Pool for queries and a dedicated connection for LISTEN.
describe('registry sync on a real PostgreSQL 15', () => {
  let server: RunningPostgres;
  let pool: pg.Pool;
  let sync: RegistrySync;
  const changes: (string[] | null)[] = [];
  const idleErrors: Error[] = [];

  const claim = (id: string, address: string) =>
    pool.query(
      `WITH d AS (INSERT INTO devices (id, household_id, address, kind) VALUES ($1, 'hh_demo', $2, 'wristband') RETURNING id)
       INSERT INTO device_assignments (device_id, slot, account_id) SELECT id, NULL, 'acct_demo' FROM d`,
      [id, address],
    );

  beforeAll(async () => {
    server = await startPostgres();
    const db = await openPostgres(server.url, { max: 1 });
    await migrate(db);
    await seedDemoHome(db);
    await db.close();
    pool = openRegistryPool(server.url, { max: 2, onIdleError: (err) => idleErrors.push(err) });
    sync = await startRegistrySync(pgRegistryClient(pool, server.url), {
      logger: pino({ level: 'silent' }),
      listenRetryMs: 100,
      refreshIntervalMs: 3_600_000,
    });
    sync.onChange((gws) => changes.push(gws));
  });
  afterAll(async () => {
    await sync?.close();
    await pool?.end();
    await server?.stop();
  });

  it('answers a claim committed by another connection as soon as its NOTIFY arrives', async () => {
    expect(sync.listening).toBe(true);
    expect(await sync.resolver.resolve('gw_demo', 'E7:00:00:00:00:01', null)).toBeUndefined();
    await claim('dev_pg1', 'E7:00:00:00:00:01');
    await until('the notification', () => changes.length > 0);
    expect(changes[0]).toEqual(['gw_demo']);
    expect(await sync.resolver.resolve('gw_demo', 'E7:00:00:00:00:01', null)).toEqual({
      deviceId: 'dev_pg1',
      accountId: 'acct_demo',
      attr: { method: 'single-owner', confidence: 1, rule: 'device-owner' },
    });
  });

  it('listens again after its connection is terminated, re-reads every gateway, and hears the next claim', async () => {
    changes.length = 0;
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN%'`,
    );
    expect(rows[0]!.n).toBe(1);
    await until('the feed to listen again', () => changes.includes(null) && sync.listening);
    changes.length = 0;
    await claim('dev_pg2', 'E7:00:00:00:00:02');
    await until('the notification', () => changes.length > 0);
    expect(await sync.resolver.resolve('gw_demo', 'E7:00:00:00:00:02', null)).toMatchObject({
      deviceId: 'dev_pg2',
    });
  });

  it('survives the server ending its idle pooled connections, reports it, and queries again', async () => {
    // Two idle pooled connections: held together so the pool opens both, then released.
    const held = await Promise.all([pool.connect(), pool.connect()]);
    const pids = await Promise.all(
      held.map(async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid),
    );
    for (const c of held) c.release();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    } finally {
      await admin.end();
    }
    await until('the idle errors', () => idleErrors.length === 2);
    expect(idleErrors.map((e) => (e as Error & { code?: string }).code)).toEqual(['57P01', '57P01']);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(await sync.resolver.resolve('gw_demo', 'E7:00:00:00:00:01', null)).toMatchObject({
      deviceId: 'dev_pg1',
    });
  });
});
