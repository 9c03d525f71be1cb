import { type Database, migrate, openPglite, seedDemoHome } from '@linkwell/api';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRegistryChange, REGISTRY_CHANNEL } from './change-feed.js';
import { type RegistrySync, startRegistrySync } from './registry-sync.js';
import type { SqlClient } from './resolver.js';

const logger = pino({ level: 'silent' });

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let n = 0;
async function claim(db: Database, address: string, slot: number | null = null): Promise<string> {
  const id = `dev_s${++n}`;
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO devices (id, household_id, address, kind) VALUES ($1, 'hh_demo', $2, 'scale')`,
      [id, address],
    );
    await tx.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, $2, 'acct_demo')`,
      [id, slot],
    );
  });
  return id;
}

describe('registry sync', () => {
  let db: Database;
  let sync: RegistrySync | undefined;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
  });
  afterEach(async () => {
    await sync?.close();
    sync = undefined;
  });
  afterAll(async () => {
    await db?.close();
  });

  it('answers a claim committed in the registry at once, through NOTIFY, without invalidate or refresh', async () => {
    sync = await startRegistrySync(db, { logger, refreshIntervalMs: 3_600_000 });
    const changes: (string[] | null)[] = [];
    sync.onChange((gws) => changes.push(gws));
    expect(sync.listening).toBe(true);
    expect(await sync.resolver.resolve('gw_demo', 'F0:00:00:00:00:01', null)).toBeUndefined();
    const id = await claim(db, 'F0:00:00:00:00:01');
    await until('the change notification', () => changes.length > 0);
    expect(changes[0]).toEqual(['gw_demo']);
    expect(await sync.resolver.resolve('gw_demo', 'F0:00:00:00:00:01', null)).toEqual({
      deviceId: id,
      accountId: 'acct_demo',
      attr: { method: 'single-owner', confidence: 1, rule: 'device-owner' },
    });
  });

  it('notices a claim through the periodic refresh when the registry client cannot LISTEN', async () => {
    const noListen: SqlClient = { query: (sql, params) => db.query(sql, params) };
    sync = await startRegistrySync(noListen, { logger, refreshIntervalMs: 50 });
    const changes: (string[] | null)[] = [];
    sync.onChange((gws) => changes.push(gws));
    expect(sync.listening).toBe(false);
    expect(await sync.resolver.resolve('gw_demo', 'F0:00:00:00:00:02', null)).toBeUndefined();
    const id = await claim(db, 'F0:00:00:00:00:02');
    await until('the periodic refresh to report gw_demo', () => changes.length > 0);
    expect(changes).toEqual([['gw_demo']]);
    expect(await sync.resolver.resolve('gw_demo', 'F0:00:00:00:00:02', null)).toMatchObject({ deviceId: id });
  });

  it('listens again after the LISTEN connection is lost and then re-reads every gateway', async () => {
    const lost: ((err: Error) => void)[] = [];
    let listens = 0;
    const flaky: SqlClient = {
      query: (sql, params) => db.query(sql, params),
      async listen(channel, onPayload, onError) {
        listens += 1;
        if (onError) lost.push(onError);
        return db.listen(channel, onPayload);
      },
    };
    sync = await startRegistrySync(flaky, { logger, listenRetryMs: 20, refreshIntervalMs: 3_600_000 });
    const changes: (string[] | null)[] = [];
    sync.onChange((gws) => changes.push(gws));
    await sync.resolver.preload('gw_demo');
    expect(sync.resolver.stats().gateways).toBe(1);
    lost[0]!(new Error('terminating connection due to administrator command'));
    expect(sync.listening).toBe(false);
    await until('a second LISTEN', () => listens === 2 && sync!.listening);
    expect(changes).toEqual([null]);
  });

  it('reads a payload it cannot parse as "every gateway may have changed"', () => {
    expect(parseRegistryChange('{"household":"hh_1","table":"devices","gateways":["gw_1","gw_2"]}')).toEqual({
      household: 'hh_1',
      gateways: ['gw_1', 'gw_2'],
    });
    expect(parseRegistryChange('{"household":"hh_1","gateways":null}')).toEqual({
      household: 'hh_1',
      gateways: null,
    });
    expect(parseRegistryChange('sentinel')).toEqual({ household: null, gateways: null });
    expect(REGISTRY_CHANNEL).toBe('linkwell_registry');
  });
});
