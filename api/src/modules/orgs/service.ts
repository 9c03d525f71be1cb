import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import { createOrgsRepository, ORG_ROLES, type OrgRole, type OrgRow } from './repository.js';

/** What other contexts may ask of organisations (issue 17's partner organisations reuse it). */
export interface OrgService {
  /** The roles `accountId` holds in `orgId` now, in catalog order; empty for a non-member or no such org. */
  rolesOf(orgId: string, accountId: string): Promise<OrgRole[]>;
}

export interface OrgView {
  id: string;
  slug: string;
  name: string;
  created_at: string;
  roles: OrgRole[];
}

/** Roles in the order of ORG_ROLES, without repeats or strangers. */
export function canonicalRoles(roles: readonly string[]): OrgRole[] {
  return ORG_ROLES.filter((r) => roles.includes(r));
}

export function createOrgService(sql: SqlClient): OrgService {
  const repo = createOrgsRepository(sql);
  return {
    async rolesOf(orgId, accountId) {
      return canonicalRoles(await repo.rolesOf(orgId, accountId));
    },
  };
}

const view = (o: OrgRow, roles: readonly string[]): OrgView => ({
  id: o.id,
  slug: o.slug,
  name: o.name,
  created_at: new Date(o.created_at).toISOString(),
  roles: canonicalRoles(roles),
});

const notFound = (orgId: string) =>
  new ApiError('API_ERR_ORG_NOT_FOUND', `No organisation ${orgId} of which you are a member.`);

const lastAdmin = () =>
  new ApiError(
    'API_ERR_ORG_LAST_ADMIN',
    'An organisation keeps at least one admin; make another member admin first.',
  );

/**
 * Organisations and their members for the people in them. Mutations expect `sql` to be a transaction:
 * they lock the organisation row first, so the last-admin rule holds under concurrent changes.
 * `accountExists` comes from the identity context; people are named by account id only.
 */
export function createOrgManagement(
  sql: SqlClient,
  now: () => number,
  accountExists: (accountId: string) => Promise<boolean>,
) {
  const repo = createOrgsRepository(sql);

  /** The caller's roles, or 404 when they are no member: other organisations are not disclosed. */
  async function rolesOrNotFound(actor: string, orgId: string): Promise<OrgRole[]> {
    const roles = canonicalRoles(await repo.rolesOf(orgId, actor));
    if (roles.length === 0) throw notFound(orgId);
    return roles;
  }

  async function lockAsAdmin(actor: string, orgId: string): Promise<void> {
    if (!(await repo.lockOrg(orgId))) throw notFound(orgId);
    const roles = await rolesOrNotFound(actor, orgId);
    if (!roles.includes('admin')) {
      throw new ApiError('API_ERR_ORG_ADMIN_REQUIRED', 'Only an admin may change members and roles.');
    }
  }

  return {
    async create(actor: string, input: { slug: string; name: string }): Promise<OrgView> {
      const org: OrgRow = {
        id: newId('org'),
        slug: input.slug,
        name: input.name,
        created_at: new Date(now()),
      };
      if (!(await repo.insertOrg({ ...org, created_by: actor }))) {
        throw new ApiError('API_ERR_ORG_SLUG_TAKEN', `The slug ${input.slug} is taken.`, {
          slug: input.slug,
        });
      }
      await repo.setRoles(org.id, actor, ['admin'], org.created_at, actor);
      return view(org, ['admin']);
    },

    /** The caller's own roles in an organisation (404 when none). */
    myRoles: (actor: string, orgId: string): Promise<OrgRole[]> => rolesOrNotFound(actor, orgId),

    async list(actor: string): Promise<OrgView[]> {
      return (await repo.orgsOf(actor)).map((o) => view(o, o.roles));
    },

    async members(actor: string, orgId: string) {
      await rolesOrNotFound(actor, orgId);
      return (await repo.members(orgId)).map((m) => ({
        account_id: m.account_id,
        roles: canonicalRoles(m.roles),
      }));
    },

    async setRoles(actor: string, orgId: string, accountId: string, wanted: readonly OrgRole[]) {
      await lockAsAdmin(actor, orgId);
      const roles = canonicalRoles(wanted);
      const current = await repo.rolesOf(orgId, accountId);
      if (current.length === 0 && !(await accountExists(accountId))) {
        throw new ApiError('API_ERR_ORG_ACCOUNT_NOT_FOUND', `No account ${accountId}.`);
      }
      if (current.includes('admin') && !roles.includes('admin')) {
        const admins = await repo.adminIds(orgId);
        if (admins.length === 1 && admins[0] === accountId) throw lastAdmin();
      }
      await repo.setRoles(orgId, accountId, roles, new Date(now()), actor);
      return { account_id: accountId, roles };
    },

    /** An admin removes anyone; any member may leave. The last admin can do neither to themselves. */
    async remove(actor: string, orgId: string, accountId: string): Promise<void> {
      if (actor === accountId) {
        if (!(await repo.lockOrg(orgId))) throw notFound(orgId);
        await rolesOrNotFound(actor, orgId);
      } else {
        await lockAsAdmin(actor, orgId);
      }
      const admins = await repo.adminIds(orgId);
      if (admins.length === 1 && admins[0] === accountId) throw lastAdmin();
      if (!(await repo.removeMember(orgId, accountId))) {
        throw new ApiError('API_ERR_ORG_MEMBER_NOT_FOUND', `${accountId} is not a member of ${orgId}.`);
      }
    },
  };
}

export type OrgManagement = ReturnType<typeof createOrgManagement>;
