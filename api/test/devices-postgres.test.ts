import { overlapTransactions, type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../src/db/sql-client.js';
import { type Database, migrate, openPostgres } from '../src/index.js';
import { createDeviceClaims } from '../src/modules/devices/claims-service.js';

/**
 * What one PGlite connection cannot show: on PostgreSQL two claims of one device run at once. Both find the
 * address nearby; the second INSERT waits on the first's uncommitted row of UNIQUE (household_id, address)
 * and, once the first commits, inserts nothing: exactly one claim wins.
 */
describe('concurrent claims of one device on PostgreSQL', () => {
  let server: RunningPostgres;
  let db: Database;
  const T = Date.parse('2026-12-01T00:00:00Z');
  const claims = (sql: SqlClient) => createDeviceClaims(sql, () => T);
  const ADDRESS = 'D0:00:00:00:00:31';

  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_x', 'X'), ('acct_y', 'Y');
      INSERT INTO households (id, name) VALUES ('hh_pg', 'Home');
      INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_pg', 'acct_x', 'owner'), ('hh_pg', 'acct_y', 'adult');
      INSERT INTO gateways (id, household_id, name) VALUES ('gw_pg', 'hh_pg', 'Hub');
    `);
    await db.query(
      `INSERT INTO nearby_devices (gateway_id, address, name, profile_id, seen_at) VALUES ('gw_pg', $1, 'Band', 'sig.heart-rate', $2)`,
      [ADDRESS, new Date(T)],
    );
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  const codeOf = (r: PromiseSettledResult<unknown>) =>
    r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok';

  it('lets exactly one of two overlapping claims win; the other is API_ERR_DEVICE_ALREADY_CLAIMED', async () => {
    const o = await overlapTransactions(
      db,
      (sql) => claims(sql).claim('acct_x', 'hh_pg', ADDRESS),
      (sql) => claims(sql).claim('acct_y', 'hh_pg', ADDRESS),
    );
    expect(o.secondBlocked).toBe(true);
    expect([codeOf(o.first), codeOf(o.second)]).toEqual(['ok', 'API_ERR_DEVICE_ALREADY_CLAIMED']);
    const { rows } = await db.query(
      `SELECT d.claimed_by, a.account_id FROM devices d JOIN device_assignments a ON a.device_id = d.id
       WHERE d.household_id = 'hh_pg' AND d.address = $1`,
      [ADDRESS],
    );
    expect(rows).toEqual([{ claimed_by: 'acct_x', account_id: 'acct_x' }]);
  });
});
