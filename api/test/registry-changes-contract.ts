import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, seedDemoHome } from '../src/index.js';

const CHANNEL = 'linkwell_registry';

/**
 * Migration 0003's NOTIFY triggers, which ingest's registry read model listens to (docs/ingest.md), run
 * against every Database implementation with its own `listen`.
 */
export function describeRegistryChangeFeed(name: string, open: () => Promise<Database>): void {
  describe(`registry change notifications on ${name}`, () => {
    let db: Database;
    let unlisten: (() => Promise<void>) | undefined;
    const received: string[] = [];
    let sentinels = 0;

    /** Everything notified by `action`: a sentinel sent after it commits arrives after its notifications. */
    async function notifiedBy(action: () => Promise<unknown>): Promise<unknown[]> {
      received.length = 0;
      await action();
      const sentinel = `sentinel-${++sentinels}`;
      await db.query('SELECT pg_notify($1, $2)', [CHANNEL, sentinel]);
      const deadline = Date.now() + 5000;
      while (!received.includes(sentinel)) {
        if (Date.now() > deadline) throw new Error(`${sentinel} not received; got ${received.join(' ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received.filter((p) => !p.startsWith('sentinel-')).map((p) => JSON.parse(p));
    }

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      await seedDemoHome(db);
      await db.query(`INSERT INTO accounts (id, display_name) VALUES ('acct_n2', 'Second')`);
      unlisten = await db.listen(CHANNEL, (p) => received.push(p));
    });
    afterAll(async () => {
      await unlisten?.();
      await db?.close();
    });

    it('notifies hh_demo with gw_demo for a device claimed and assigned in one transaction', async () => {
      const got = await notifiedBy(() =>
        db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_n1', 'hh_demo', 'E0:00:00:00:00:01', 'wristband')`,
          );
          await tx.query(
            `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_n1', NULL, 'acct_n2')`,
          );
        }),
      );
      expect(got).toEqual([
        { household: 'hh_demo', table: 'devices', gateways: ['gw_demo'] },
        { household: 'hh_demo', table: 'device_assignments', gateways: ['gw_demo'] },
      ]);
    });

    it('notifies once for a slot assignment of the demo scale', async () => {
      const got = await notifiedBy(() =>
        db.query(
          `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_demo_scale', 2, 'acct_n2')`,
        ),
      );
      expect(got).toEqual([{ household: 'hh_demo', table: 'device_assignments', gateways: ['gw_demo'] }]);
    });

    it('notifies for a deleted device (its assignments go with it)', async () => {
      const got = await notifiedBy(() => db.query(`DELETE FROM devices WHERE id = 'dev_n1'`));
      expect(got).toEqual([{ household: 'hh_demo', table: 'devices', gateways: ['gw_demo'] }]);
    });

    it('names a new gateway and the household it joins', async () => {
      const got = await notifiedBy(() =>
        db.query(`INSERT INTO gateways (id, household_id, name) VALUES ('gw_n2', 'hh_demo', 'Second')`),
      );
      expect(got).toEqual([{ household: 'hh_demo', table: 'gateways', gateways: ['gw_demo', 'gw_n2'] }]);
    });

    it('notifies both households when a gateway moves, and a membership change', async () => {
      await db.query(`INSERT INTO households (id, name) VALUES ('hh_n2', 'Other')`);
      const moved = await notifiedBy(() =>
        db.query(`UPDATE gateways SET household_id = 'hh_n2' WHERE id = 'gw_n2'`),
      );
      expect(moved).toEqual(
        expect.arrayContaining([
          { household: 'hh_n2', table: 'gateways', gateways: ['gw_n2'] },
          { household: 'hh_demo', table: 'gateways', gateways: ['gw_demo', 'gw_n2'] },
        ]),
      );
      expect(moved).toHaveLength(2);
      const joined = await notifiedBy(() =>
        db.query(
          `INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_n2', 'acct_n2', 'adult')`,
        ),
      );
      expect(joined).toEqual([{ household: 'hh_n2', table: 'household_members', gateways: ['gw_n2'] }]);
    });

    it('sends nothing for a rolled-back claim or a change outside the device tables', async () => {
      const got = await notifiedBy(async () => {
        await db
          .transaction(async (tx) => {
            await tx.query(
              `INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_n3', 'hh_demo', 'E0:00:00:00:00:03', 'scale')`,
            );
            throw new Error('abort');
          })
          .catch(() => {});
        await db.query(`INSERT INTO accounts (id, display_name) VALUES ('acct_n3', 'Third')`);
      });
      expect(got).toEqual([]);
    });
  });
}
