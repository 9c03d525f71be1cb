import { overlapTransactions, type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../src/db/sql-client.js';
import { type Database, migrate, openPostgres } from '../src/index.js';
import { createHouseholdManagement } from '../src/modules/households/index.js';

/**
 * What one PGlite connection cannot show: on PostgreSQL two accepts of one invite code run at once. The
 * second passes the read-only checks, then waits on the first's row lock at `UPDATE … WHERE used_at IS NULL`
 * and, once the first commits, updates nothing: exactly one joins.
 */
describe('concurrent accepts of one invite on PostgreSQL', () => {
  let server: RunningPostgres;
  let db: Database;
  const T = Date.parse('2026-12-01T00:00:00Z');
  const manage = (sql: SqlClient) =>
    createHouseholdManagement(
      sql,
      () => T,
      async (id) => id,
    );

  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_o', 'O'), ('acct_x', 'X'), ('acct_y', 'Y');
    `);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  const overlapped = async <T, U>(
    first: (sql: SqlClient) => Promise<T>,
    second: (sql: SqlClient) => Promise<U>,
  ) => {
    const o = await overlapTransactions(db, first, second);
    return [o.first, o.second, o.secondBlocked] as const;
  };

  const codeOf = (r: PromiseSettledResult<unknown>) =>
    r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok';

  it('lets exactly one of two overlapping accepts join; the other is API_ERR_INVITE_USED', async () => {
    const h = await db.transaction((tx) => manage(tx).create('acct_o', 'Home'));
    const invite = await db.transaction((tx) => manage(tx).createInvite('acct_o', h.id));
    const [x, y, blocked] = await overlapped(
      (sql) => manage(sql).accept('acct_x', invite.code),
      (sql) => manage(sql).accept('acct_y', invite.code),
    );
    expect(blocked).toBe(true);
    expect([codeOf(x), codeOf(y)]).toEqual(['ok', 'API_ERR_INVITE_USED']);
    const { rows } = await db.query(
      'SELECT account_id, role FROM household_members WHERE household_id = $1 ORDER BY account_id',
      [h.id],
    );
    expect(rows).toEqual([
      { account_id: 'acct_o', role: 'owner' },
      { account_id: 'acct_x', role: 'adult' },
    ]);
    const used = await db.query('SELECT used_by FROM household_invites WHERE id = $1', [invite.id]);
    expect(used.rows).toEqual([{ used_by: 'acct_x' }]);
  });
});
