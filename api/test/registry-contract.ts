import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, DEMO_HOME, migrate, seedDemoHome } from '../src/index.js';
import { describeRegistryChangeFeed } from './registry-changes-contract.js';

// What ingest runs against the view (ingest/src/registry/resolver.ts).
const INGEST_QUERY =
  'SELECT device_id, account_id FROM ingest_device_accounts WHERE gateway_id = $1 AND device_address = $2 AND slot IS NOT DISTINCT FROM $3';

const MIGRATION_IDS = [
  '0001_registry',
  '0002_device_flow',
  '0003_registry_changes',
  '0004_identity',
  '0005_households',
  '0006_attribution',
  '0007_gateway_operations',
  '0008_household_sharing',
  '0009_trends',
  '0010_oauth',
  '0011_events',
  '0012_exports',
  '0013_webhooks',
  '0014_outbox_zstd',
  '0015_consents',
  '0016_orgs',
  '0017_crm_profiles',
  '0018_crm_traits',
  '0019_crm_segments',
  '0020_crm_destinations',
];

const TABLES = [
  'account_merges',
  'account_time_zones',
  'accounts',
  'attribution_rules',
  'audit_log',
  'bp_programmes',
  'consent_records',
  'crm_activity_days',
  'crm_activity_flags',
  'crm_destination_cursor',
  'crm_destination_deliveries',
  'crm_destination_files',
  'crm_destination_members',
  'crm_destination_outbox',
  'crm_destination_segments',
  'crm_destination_syncs',
  'crm_destinations',
  'crm_feed_cursor',
  'crm_grade_history',
  'crm_lifecycle_transitions',
  'crm_profiles',
  'crm_releases',
  'crm_runs',
  'crm_segment_members',
  'crm_segment_sizes',
  'crm_segments',
  'device_assignments',
  'device_authorizations',
  'devices',
  'event_outbox',
  'events',
  'fhir_export_jobs',
  'gateway_commands',
  'gateway_presence',
  'gateway_refresh_tokens',
  'gateways',
  'health_events',
  'health_profiles',
  'household_handovers',
  'household_invites',
  'household_members',
  'household_shares',
  'households',
  'identities',
  'identity_app_ids',
  'inbox_items',
  'link_suggestions',
  'member_baselines',
  'merge_offers',
  'nearby_devices',
  'oauth_clients',
  'oauth_connection_events',
  'oauth_consents',
  'oauth_models',
  'oauth_subjects',
  'org_members',
  'orgs',
  'reading_moves',
  'refresh_tokens',
  'rollup_requests',
  'rollup_state',
  'schema_migrations',
  'sessions',
  'signin_transactions',
  'source_priorities',
  'webhook_attempts',
  'webhook_backfills',
  'webhook_endpoints',
  'webhook_messages',
  'webhook_notices',
  'webhook_secrets',
];

/**
 * The registry schema contract, run against every Database implementation. `open` must return a
 * fresh, empty database each time.
 */
export function describeRegistryContract(name: string, open: () => Promise<Database>): void {
  describe(`registry schema on ${name}`, () => {
    let db: Database;
    const lookup = async (gw: string, address: string, slot: number | null) =>
      (await db.query(INGEST_QUERY, [gw, address, slot])).rows;

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      await seedDemoHome(db);
    });
    afterAll(async () => {
      await db?.close();
    });

    it('creates every registry table and the views ingest reads', async () => {
      const { rows } = await db.query<{ table_name: string; table_type: string }>(
        `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(rows).toEqual(
        [
          ...TABLES.map((t) => ({ table_name: t, table_type: 'BASE TABLE' })),
          { table_name: 'ingest_device_accounts', table_type: 'VIEW' },
          { table_name: 'ingest_devices', table_type: 'VIEW' },
          { table_name: 'rollup_account_zones', table_type: 'VIEW' },
        ].sort((a, b) => a.table_name.localeCompare(b.table_name)),
      );
    });

    it('reports every migration as skipped when migrate runs again', async () => {
      expect(await migrate(db)).toEqual({ applied: [], skipped: MIGRATION_IDS });
      const { rows } = await db.query('SELECT id FROM schema_migrations ORDER BY id');
      expect(rows).toEqual(MIGRATION_IDS.map((id) => ({ id })));
    });

    it('refuses to run when the text of the applied 0001_registry has changed', async () => {
      await expect(migrate(db, [{ id: '0001_registry', sql: 'SELECT 1' }])).rejects.toThrow(
        'migration 0001_registry was changed after it was applied; add a new migration instead',
      );
    });

    it('refuses migrations listed out of order', async () => {
      await expect(
        migrate(db, [
          { id: '0002_b', sql: 'SELECT 1' },
          { id: '0001_a', sql: 'SELECT 1' },
        ]),
      ).rejects.toThrow('migrations out of order or duplicated: 0002_b then 0001_a');
    });

    it('seeds the demo home idempotently', async () => {
      await seedDemoHome(db);
      const { rows } = await db.query('SELECT id, kind FROM devices ORDER BY id');
      expect(rows).toEqual([
        { id: 'dev_demo_bpcuff', kind: 'bp_cuff' },
        { id: 'dev_demo_scale', kind: 'scale' },
        { id: 'dev_demo_wristband', kind: 'wristband' },
      ]);
    });

    it('resolves (gw_demo, D0:00:00:00:00:01, no slot) to the wristband of acct_demo', async () => {
      expect(await lookup('gw_demo', 'D0:00:00:00:00:01', null)).toEqual([
        { device_id: 'dev_demo_wristband', account_id: 'acct_demo' },
      ]);
    });

    it('resolves (gw_demo, D0:00:00:00:00:03, slot 1) to the scale of acct_demo', async () => {
      expect(await lookup('gw_demo', 'D0:00:00:00:00:03', 1)).toEqual([
        { device_id: 'dev_demo_scale', account_id: 'acct_demo' },
      ]);
    });

    it('resolves nothing for the scale without a slot or with an unassigned slot', async () => {
      expect(await lookup('gw_demo', 'D0:00:00:00:00:03', null)).toEqual([]);
      expect(await lookup('gw_demo', 'D0:00:00:00:00:03', 2)).toEqual([]);
    });

    it("resolves nothing for another household's gateway asking for the demo wristband", async () => {
      await db.query(`INSERT INTO households (id, name) VALUES ('hh_other', 'Other')`);
      await db.query(
        `INSERT INTO gateways (id, household_id, name) VALUES ('gw_other', 'hh_other', 'Other')`,
      );
      expect(await lookup('gw_other', DEMO_HOME.devices.wristband.address, null)).toEqual([]);
    });

    it('refuses a second no-slot assignment of the wristband (unique on device and slot)', async () => {
      await db.query(`INSERT INTO accounts (id, display_name) VALUES ('acct_2', 'Second')`);
      await expect(
        db.query(
          `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_demo_wristband', NULL, 'acct_2')`,
        ),
      ).rejects.toMatchObject({ code: '23505' });
    });

    it('refuses slot 255 (user indexes are 0..254)', async () => {
      await expect(
        db.query(
          `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_demo_scale', 255, 'acct_2')`,
        ),
      ).rejects.toMatchObject({ code: '23514' });
    });

    it('rolls a failed transaction back completely', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO accounts (id, display_name) VALUES ('acct_tx', 'Tx')`);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await db.query(`SELECT id FROM accounts WHERE id = 'acct_tx'`)).rows).toEqual([]);
    });

    it('resolves a slot to its storage account when it has one (a merge), else to its owner', async () => {
      const wristband = () => lookup('gw_demo', 'D0:00:00:00:00:01', null);
      const assign = (owner: string, storage: string | null) =>
        db.query(
          `UPDATE device_assignments SET account_id = $1, storage_account_id = $2 WHERE device_id = 'dev_demo_wristband'`,
          [owner, storage],
        );
      await db.query(`INSERT INTO accounts (id, display_name) VALUES ('acct_survivor', 'Survivor')`);
      await assign('acct_survivor', null);
      expect(await wristband()).toEqual([{ device_id: 'dev_demo_wristband', account_id: 'acct_survivor' }]);
      // A merge of acct_demo into acct_survivor: the slot moves, its readings stay under acct_demo's tag.
      await db.query(`UPDATE accounts SET merged_into = 'acct_survivor' WHERE id = 'acct_demo'`);
      await assign('acct_survivor', 'acct_demo');
      expect(await wristband()).toEqual([{ device_id: 'dev_demo_wristband', account_id: 'acct_demo' }]);
      // Undone: the owner's id is the tag again.
      await assign('acct_demo', null);
      await db.query(`UPDATE accounts SET merged_into = NULL WHERE id = 'acct_demo'`);
      expect(await wristband()).toEqual([{ device_id: 'dev_demo_wristband', account_id: 'acct_demo' }]);
    });

    it('refuses a storage account that does not exist', async () => {
      await expect(
        db.query(
          `UPDATE device_assignments SET storage_account_id = 'acct_missing' WHERE device_id = 'dev_demo_wristband'`,
        ),
      ).rejects.toMatchObject({ code: '23503' });
    });

    it('resolves nothing for gw_demo once it is revoked', async () => {
      await db.query(`UPDATE gateways SET revoked_at = now() WHERE id = 'gw_demo'`);
      expect(await lookup('gw_demo', 'D0:00:00:00:00:01', null)).toEqual([]);
    });

    it('applies each migration exactly once when two migrators race on a fresh database', async () => {
      const fresh = await open();
      try {
        const results = await Promise.all([migrate(fresh), migrate(fresh)]);
        expect(results.flatMap((r) => r.applied).sort()).toEqual(MIGRATION_IDS);
        expect(results.flatMap((r) => r.skipped).sort()).toEqual(MIGRATION_IDS);
      } finally {
        await fresh.close();
      }
    });
  });
  describeRegistryChangeFeed(name, open);
}
