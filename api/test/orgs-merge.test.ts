import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openPglite } from '../src/index.js';
import { createMergeService } from '../src/modules/identity/index.js';
import { createOrgService, orgsAccountMover } from '../src/modules/orgs/index.js';
import { createOrgManagement } from '../src/modules/orgs/service.js';

const T = Date.parse('2026-12-02T10:00:00.000Z');
const KEEP = 'acct_keep';
const GONE = 'acct_gone';
const OTHER = 'acct_other';

/** An account merge hands the merged account's organisation roles to the survivor; undo gives them back. */
describe('organisation roles across an account merge', () => {
  let db: Database;
  const orgs = () => createOrgService(db);
  const tx = <R>(fn: (m: ReturnType<typeof createOrgManagement>) => Promise<R>) =>
    db.transaction((sql) =>
      fn(
        createOrgManagement(
          sql,
          () => T,
          async () => true,
        ),
      ),
    );

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query(
      `INSERT INTO accounts (id, display_name) VALUES ($1, 'Keep'), ($2, 'Gone'), ($3, 'Other')`,
      [KEEP, GONE, OTHER],
    );
  });
  afterAll(async () => db?.close());

  it('moves roles the survivor lacks, drops those it holds, and undo restores both exactly', async () => {
    // GONE is the only admin of `solo`; in `shared` both are admins and GONE is also a marketer.
    const solo = await tx((m) => m.create(GONE, { slug: 'solo', name: 'Solo' }));
    const shared = await tx((m) => m.create(OTHER, { slug: 'shared', name: 'Shared' }));
    await tx((m) => m.setRoles(OTHER, shared.id, KEEP, ['admin']));
    await tx((m) => m.setRoles(OTHER, shared.id, GONE, ['admin', 'marketer']));
    const before = await db.query('SELECT * FROM org_members ORDER BY org_id, account_id, role');

    const merges = createMergeService(db, () => T, [orgsAccountMover]);
    const merge = await db.transaction((sql) =>
      createMergeService(sql, () => T, [orgsAccountMover]).mergeAccounts(GONE, KEEP),
    );
    expect(await orgs().rolesOf(solo.id, KEEP)).toEqual(['admin']);
    expect(await orgs().rolesOf(shared.id, KEEP)).toEqual(['admin', 'marketer']);
    expect(await orgs().rolesOf(solo.id, GONE)).toEqual([]);
    expect(await orgs().rolesOf(shared.id, GONE)).toEqual([]);

    await merges.undo(KEEP, merge.id);
    expect((await db.query('SELECT * FROM org_members ORDER BY org_id, account_id, role')).rows).toEqual(
      before.rows,
    );
  });

  it('records nothing for an account without organisations', async () => {
    expect(await db.transaction((sql) => orgsAccountMover.move(sql, `${OTHER}_none`, KEEP))).toEqual({
      moved: [],
      dropped: [],
    });
  });
});
