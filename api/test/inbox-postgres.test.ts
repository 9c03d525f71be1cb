import { overlapTransactions, type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../src/db/sql-client.js';
import { type Database, migrate, openPostgres } from '../src/index.js';
import { createDependents, type HouseholdAccounts } from '../src/modules/households/dependents.js';
import { householdsAccountMover } from '../src/modules/households/index.js';
import { createIdentityService, createMergeService } from '../src/modules/identity/index.js';
import { requestMove } from '../src/modules/inbox/index.js';
import { createInbox } from '../src/modules/inbox/items.js';

/**
 * The races of the inbox, moves and handovers where PGlite's one connection cannot show them: on
 * PostgreSQL the second transaction runs while the first holds its row (or index entry) and waits for it.
 */
describe('inbox, move and handover races on PostgreSQL', () => {
  let server: RunningPostgres;
  let db: Database;
  const T = Date.parse('2026-12-01T00:00:00Z');
  const inbox = (sql: SqlClient) =>
    createInbox(
      sql,
      () => T,
      async (_sql, id) => id,
    );
  const codeOf = (r: PromiseSettledResult<unknown>) =>
    r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok';

  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_o', 'O'), ('acct_a', 'A'), ('acct_x', 'X'), ('acct_y', 'Y');
      INSERT INTO households (id, name) VALUES ('hh_1', 'Home');
      INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_1', 'acct_o', 'owner'), ('hh_1', 'acct_a', 'adult');
      INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_1', 'hh_1', 'C4:00:00:00:00:01', 'scale');
    `);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  async function held(id: string): Promise<void> {
    await db.query(
      `INSERT INTO inbox_items (id, gateway_id, household_id, device_address, device_id, slot, metric, measured_at,
         reading, reason, received_at)
       VALUES ($1, 'gw_1', 'hh_1', 'C4:00:00:00:00:01', 'dev_1', 2, 'weight', $2, '{"values":{"kg":70}}', 'unassigned_slot', now())`,
      [id, T + Number(id.slice(-1))],
    );
  }

  it('lets exactly one of an overlapping file and discard of one item win', async () => {
    await held('ibx_race1');
    const o = await overlapTransactions(
      db,
      (sql) => inbox(sql).file('acct_o', 'hh_1', 'ibx_race1', 'acct_a'),
      (sql) => inbox(sql).discard('acct_a', 'hh_1', 'ibx_race1'),
    );
    expect(o.secondBlocked).toBe(true);
    expect([codeOf(o.first), codeOf(o.second)]).toEqual(['ok', 'API_ERR_INBOX_ITEM_NOT_HELD']);
    const { rows } = await db.query('SELECT state, target_account_id FROM inbox_items WHERE id = $1', [
      'ibx_race1',
    ]);
    expect(rows).toEqual([{ state: 'filing', target_account_id: 'acct_a' }]);
    const moves = await db.query('SELECT kind FROM reading_moves WHERE inbox_item_id = $1', ['ibx_race1']);
    expect(moves.rows).toEqual([{ kind: 'file' }]);
  });

  it('lets exactly one of two overlapping moves of one point in; the other is API_ERR_READING_MOVE_IN_PROGRESS', async () => {
    const move = (to: string) => (sql: SqlClient) =>
      requestMove(sql, T, {
        householdId: 'hh_1',
        kind: 'reassign',
        inboxItemId: null,
        metric: 'weight',
        deviceId: 'dev_1',
        measuredAt: T - 5000,
        fromAccountId: 'acct_o',
        toAccountId: to,
        requestedBy: 'acct_o',
      });
    const o = await overlapTransactions(db, move('acct_a'), move('acct_x'));
    expect(o.secondBlocked).toBe(true);
    expect([codeOf(o.first), codeOf(o.second)]).toEqual(['ok', 'API_ERR_READING_MOVE_IN_PROGRESS']);
    const { rows } = await db.query('SELECT to_account_id FROM reading_moves WHERE measured_at = $1', [
      T - 5000,
    ]);
    expect(rows).toEqual([{ to_account_id: 'acct_a' }]);
  });

  it('lets exactly one of two overlapping accepts of one handover code take the account over', async () => {
    // The identity context for real; the accounts have no sessions to end.
    const accounts: HouseholdAccounts = {
      create: (sql, name) => createIdentityService(sql, () => T).createAccount(name),
      rename: (sql, id, name) => createIdentityService(sql, () => T).setDisplayName(id, name),
      displayNameOf: async (_sql, id) => id,
      merge: (sql, source, target) =>
        createMergeService(sql, () => T, [householdsAccountMover]).mergeAccounts(source, target),
      endSessions: async () => {},
    };
    const dependents = (sql: SqlClient) => createDependents(sql, () => T, accounts, 'http://console.test');
    const dep = await db.transaction((sql) => dependents(sql).add('acct_a', 'hh_1', 'Kid'));
    const ho = await db.transaction((sql) =>
      dependents(sql).createHandover('acct_a', 'hh_1', dep.account_id),
    );
    const o = await overlapTransactions(
      db,
      (sql) => dependents(sql).acceptHandover('acct_x', ho.code),
      (sql) => dependents(sql).acceptHandover('acct_y', ho.code),
    );
    expect(o.secondBlocked).toBe(true);
    expect([codeOf(o.first), codeOf(o.second)]).toEqual(['ok', 'API_ERR_HANDOVER_USED']);
    const merges = await db.query('SELECT source_account_id, target_account_id FROM account_merges');
    expect(merges.rows).toEqual([{ source_account_id: 'acct_x', target_account_id: dep.account_id }]);
    const role = await db.query('SELECT role FROM household_members WHERE account_id = $1', [dep.account_id]);
    expect(role.rows).toEqual([{ role: 'adult' }]);
    const { rows } = await db.query('SELECT used_by FROM household_handovers WHERE id = $1', [ho.id]);
    expect(rows).toEqual([{ used_by: 'acct_x' }]);
  });
});
