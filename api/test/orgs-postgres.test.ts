import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import { createOrgManagement, createOrgService } from '../src/modules/orgs/service.js';

const T = Date.parse('2026-12-01T09:00:00.000Z');
const ACCOUNTS = ['acct_o1', 'acct_o2', 'acct_o3'] as const;
const [A, B, C] = ACCOUNTS;

/** The orgs repository's SQL on one engine: what OrgService and the management answer, and the last-admin rule. */
function contract(name: string, open: () => Promise<Database>) {
  describe(`organisations on ${name}`, () => {
    let db: Database;
    const exists = async (id: string) => (ACCOUNTS as readonly string[]).includes(id);
    const tx = <R>(fn: (m: ReturnType<typeof createOrgManagement>) => Promise<R>) =>
      db.transaction((sql) => fn(createOrgManagement(sql, () => T, exists)));

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      for (const id of ACCOUNTS) {
        await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [
          id,
        ]);
      }
    });
    afterAll(async () => db?.close());

    it('answers rolesOf in catalog order, and nothing for non-members or unknown organisations', async () => {
      const org = await tx((m) => m.create(A, { slug: `roles-${name.toLowerCase()}`, name: 'Roles' }));
      expect(org.created_at).toBe('2026-12-01T09:00:00.000Z');
      await tx((m) => m.setRoles(A, org.id, B, ['marketer', 'admin', 'viewer']));
      const orgs = createOrgService(db);
      expect(await orgs.rolesOf(org.id, B)).toEqual(['admin', 'viewer', 'marketer']);
      expect(await orgs.rolesOf(org.id, A)).toEqual(['admin']);
      expect(await orgs.rolesOf(org.id, C)).toEqual([]);
      expect(await orgs.rolesOf('org_none', A)).toEqual([]);
      expect(await tx((m) => m.list(B))).toEqual([
        {
          id: org.id,
          slug: org.slug,
          name: 'Roles',
          created_at: org.created_at,
          roles: ['admin', 'viewer', 'marketer'],
        },
      ]);
    });

    it('keeps a slug unique, rolling the failed creation back', async () => {
      const slug = `uniq-${name.toLowerCase()}`;
      await tx((m) => m.create(A, { slug, name: 'First' }));
      await expect(tx((m) => m.create(B, { slug, name: 'Second' }))).rejects.toMatchObject({
        code: 'API_ERR_ORG_SLUG_TAKEN',
      });
      expect((await tx((m) => m.list(B))).map((o) => o.slug)).not.toContain(slug);
    });

    it('refuses to lose the last admin, and lets one go once another is admin', async () => {
      const org = await tx((m) => m.create(A, { slug: `last-${name.toLowerCase()}`, name: 'Last' }));
      await expect(tx((m) => m.remove(A, org.id, A))).rejects.toMatchObject({
        code: 'API_ERR_ORG_LAST_ADMIN',
      });
      await expect(tx((m) => m.setRoles(A, org.id, A, ['viewer']))).rejects.toMatchObject({
        code: 'API_ERR_ORG_LAST_ADMIN',
      });
      await tx((m) => m.setRoles(A, org.id, C, ['admin']));
      await tx((m) => m.setRoles(A, org.id, A, ['viewer']));
      expect(await tx((m) => m.members(C, org.id))).toEqual([
        { account_id: A, roles: ['viewer'] },
        { account_id: C, roles: ['admin'] },
      ]);
    });
  });
}

contract('PGlite', () => openPglite());

describe('organisations on PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  contract('PostgreSQL', async () => openPostgres(server.url));

  it('keeps an admin when two admins remove each other at the same moment (the org row lock)', async () => {
    const one = await openPostgres(server.url);
    const two = await openPostgres(server.url);
    try {
      const exists = async () => true;
      const org = await one.transaction((sql) =>
        createOrgManagement(sql, () => T, exists).create(A, { slug: 'race', name: 'Race' }),
      );
      await one.transaction((sql) =>
        createOrgManagement(sql, () => T, exists).setRoles(A, org.id, B, ['admin']),
      );
      const results = await Promise.allSettled([
        one.transaction((sql) => createOrgManagement(sql, () => T, exists).remove(A, org.id, B)),
        two.transaction((sql) => createOrgManagement(sql, () => T, exists).remove(B, org.id, A)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      // The loser was removed first, so it is no member any more: its organisation is not found to it.
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: 'API_ERR_ORG_NOT_FOUND' },
      });
      const admins = [
        ...(await createOrgService(one).rolesOf(org.id, A)),
        ...(await createOrgService(one).rolesOf(org.id, B)),
      ];
      expect(admins).toEqual(['admin']);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
