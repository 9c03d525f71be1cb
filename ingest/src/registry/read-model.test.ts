import { type Database, DEMO_HOME, migrate, openPglite, seedDemoHome } from '@linkwell/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryReadModel } from './read-model.js';
import type { SqlClient } from './resolver.js';

const { wristband, bpCuff, scale } = DEMO_HOME.devices;

/** The real registry, counting queries; `gate` (when set) holds each answer back until it resolves. */
function counting(db: Database) {
  const c = {
    queries: 0,
    answered: 0,
    gate: undefined as Promise<void> | undefined,
    fail: false,
    client: {
      async query<T>(sql: string, params?: unknown[]) {
        c.queries += 1;
        if (c.fail) throw new Error('connection refused');
        const result = await db.query<T>(sql, params);
        c.answered += 1;
        if (c.gate) await c.gate;
        return result;
      },
    } satisfies SqlClient,
  };
  return c;
}

describe('registry read model on PGlite', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_o', 'Other');
      INSERT INTO households (id, name) VALUES ('hh_o', 'Other');
      INSERT INTO gateways (id, household_id, name) SELECT 'gw_o' || n, 'hh_o', 'Other' FROM generate_series(1, 200) n;
    `);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.query(`DELETE FROM devices WHERE id LIKE 'dev_t%'`);
    await db.query(`DELETE FROM device_assignments WHERE device_id = 'dev_demo_scale' AND slot <> 1`);
  });

  it('answers the wristband, cuff slot 1 and scale slot 1 of gw_demo from one query', async () => {
    const c = counting(db);
    const model = createRegistryReadModel(c.client);
    expect(await model.resolve('gw_demo', wristband.address, null)).toEqual({
      deviceId: 'dev_demo_wristband',
      accountId: 'acct_demo',
      attr: { method: 'single-owner', confidence: 1, rule: 'device-owner' },
    });
    expect(await model.resolve('gw_demo', bpCuff.address, 1)).toEqual({
      deviceId: 'dev_demo_bpcuff',
      accountId: 'acct_demo',
    });
    expect(await model.resolve('gw_demo', scale.address, 1)).toEqual({
      deviceId: 'dev_demo_scale',
      accountId: 'acct_demo',
    });
    expect(await model.resolve('gw_demo', scale.address, 2)).toBeUndefined();
    expect(c.queries).toBe(1);
    expect(model.stats()).toEqual({ gateways: 1, assignments: 3 });
  });

  it('does not resolve the demo wristband for a gateway of another household', async () => {
    const model = createRegistryReadModel(db);
    expect(await model.resolve('gw_o1', wristband.address, null)).toBeUndefined();
  });

  it('loads 200 gateways preloaded in the same turn with one query, and resolve waits for it', async () => {
    const c = counting(db);
    const model = createRegistryReadModel(c.client);
    const gws = Array.from({ length: 200 }, (_, i) => `gw_o${i + 1}`);
    for (const gw of gws) void model.preload(gw);
    expect(await model.resolve('gw_o7', wristband.address, null)).toBeUndefined();
    await Promise.all(gws.map((gw) => model.preload(gw)));
    expect(c.queries).toBe(1);
    expect(model.stats().gateways).toBe(200);
  });

  it('splits a storm into queries of batchSize gateways', async () => {
    const c = counting(db);
    const model = createRegistryReadModel(c.client, { batchSize: 64 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => model.preload(`gw_o${i + 1}`)));
    expect(c.queries).toBe(4);
  });

  it('keeps a cached answer with no TTL, and answers a new claim once the gateway is invalidated', async () => {
    const c = counting(db);
    const model = createRegistryReadModel(c.client);
    expect(await model.resolve('gw_demo', 'E0:00:00:00:00:01', null)).toBeUndefined();
    await db.query(
      `INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_t1', 'hh_demo', 'E0:00:00:00:00:01', 'wristband')`,
    );
    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_t1', NULL, 'acct_demo')`,
    );
    expect(await model.resolve('gw_demo', 'E0:00:00:00:00:01', null)).toBeUndefined();
    model.invalidate(['gw_o1']);
    expect(await model.resolve('gw_demo', 'E0:00:00:00:00:01', null)).toBeUndefined();
    model.invalidate(['gw_demo']);
    expect(await model.resolve('gw_demo', 'E0:00:00:00:00:01', null)).toEqual({
      deviceId: 'dev_t1',
      accountId: 'acct_demo',
      attr: { method: 'single-owner', confidence: 1, rule: 'device-owner' },
    });
    expect(c.queries).toBe(2);
  });

  it('queries again when an invalidation overtakes a load in flight, never keeping the older answer', async () => {
    const c = counting(db);
    const model = createRegistryReadModel(c.client);
    let open!: () => void;
    c.gate = new Promise<void>((r) => {
      open = r;
    });
    const first = model.resolve('gw_demo', 'E0:00:00:00:00:02', null);
    while (c.answered === 0) await new Promise((r) => setImmediate(r));
    // The claim commits after the load read the registry and before its answer is used.
    await db.query(
      `INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_t2', 'hh_demo', 'E0:00:00:00:00:02', 'wristband')`,
    );
    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_t2', NULL, 'acct_demo')`,
    );
    model.invalidate(['gw_demo']);
    c.gate = undefined;
    open();
    expect(await first).toEqual({
      deviceId: 'dev_t2',
      accountId: 'acct_demo',
      attr: { method: 'single-owner', confidence: 1, rule: 'device-owner' },
    });
    expect(c.queries).toBe(2);
  });

  it('tells an unassigned slot of the claimed scale from a device nobody claimed', async () => {
    const model = createRegistryReadModel(db);
    expect(await model.resolve('gw_demo', scale.address, 2)).toBeUndefined();
    expect(model.knowsDevice('gw_demo', scale.address)).toBe(true);
    expect(await model.resolve('gw_demo', 'E0:00:00:00:00:09', 2)).toBeUndefined();
    expect(model.knowsDevice('gw_demo', 'E0:00:00:00:00:09')).toBe(false);
  });

  it('rejects resolve with INGEST_ERR_REGISTRY_UNAVAILABLE when the registry fails; a preload never rejects', async () => {
    const c = counting(db);
    c.fail = true;
    const model = createRegistryReadModel(c.client);
    await expect(model.preload('gw_demo')).resolves.toBeUndefined();
    await expect(model.resolve('gw_demo', wristband.address, null)).rejects.toMatchObject({
      code: 'INGEST_ERR_REGISTRY_UNAVAILABLE',
    });
    c.fail = false;
    expect(await model.resolve('gw_demo', wristband.address, null)).toMatchObject({ accountId: 'acct_demo' });
  });

  it('refreshAll reports only the gateways whose assignments changed', async () => {
    const model = createRegistryReadModel(db);
    await Promise.all([model.preload('gw_demo'), model.preload('gw_o1')]);
    expect(await model.refreshAll()).toEqual([]);
    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_demo_scale', 2, 'acct_demo')`,
    );
    expect(await model.refreshAll()).toEqual(['gw_demo']);
    expect(await model.resolve('gw_demo', scale.address, 2)).toMatchObject({ deviceId: 'dev_demo_scale' });
  });

  it('forgets the least recently loaded gateway beyond maxGateways', async () => {
    const model = createRegistryReadModel(db, { maxGateways: 2 });
    await model.preload('gw_o1');
    await model.preload('gw_o2');
    await model.preload('gw_demo');
    expect(model.stats()).toEqual({ gateways: 2, assignments: 3 });
  });
});
