import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { AccountMover } from '../../shared/account-mover.js';
import { hashSecret, newId } from '../../shared/secrets.js';
import { newInviteCode, normalizeInviteCode } from './codes.js';
import { createHouseholdsRepository, type HouseholdRole, type InviteRow } from './repository.js';

/** owner > adult > dependent: where a merge leaves two memberships in one household, the stronger survives. */
const RANK: Record<HouseholdRole, number> = { owner: 3, adult: 2, dependent: 1 };

/** Invites live this long unless the caller asks otherwise. */
export const INVITE_LIFETIME_MS = 7 * 24 * 3600 * 1000;

interface HouseholdsInventory {
  /** Memberships that changed hands: the source was a member where the target was not. */
  moved: { household_id: string; role: HouseholdRole }[];
  /** Both were members: the source's row was removed; `target_role` is what the target had before. */
  dropped: { household_id: string; role: HouseholdRole; target_role: HouseholdRole }[];
  /** Dependents the source managed, now managed by the target (absent in inventories before 0008). */
  managed?: { household_id: string; account_id: string }[];
}

/** Merges move household memberships; where both accounts were members the stronger role survives. */
export const householdsAccountMover: AccountMover = {
  part: 'households',
  async move(sql: SqlClient, from: string, to: string): Promise<HouseholdsInventory> {
    const repo = createHouseholdsRepository(sql);
    const inventory: HouseholdsInventory = { moved: [], dropped: [] };
    for (const m of await repo.membershipsOf(from)) {
      const existing = await repo.membership(m.household_id, to);
      if (existing === undefined) {
        await repo.moveMembership(m.household_id, from, to);
        inventory.moved.push({ household_id: m.household_id, role: m.role });
        continue;
      }
      await repo.deleteMembership(m.household_id, from);
      if (RANK[m.role] > RANK[existing.role]) await repo.setRole(m.household_id, to, m.role);
      inventory.dropped.push({ household_id: m.household_id, role: m.role, target_role: existing.role });
    }
    inventory.managed = await repo.moveManagedBy(from, to);
    return inventory;
  },
  async restore(sql: SqlClient, raw: unknown, from: string, to: string): Promise<void> {
    const repo = createHouseholdsRepository(sql);
    const inventory = raw as HouseholdsInventory;
    for (const d of inventory.managed ?? []) await repo.setManagedBy(d.household_id, d.account_id, from);
    for (const m of inventory.moved) await repo.moveMembership(m.household_id, to, from);
    for (const m of inventory.dropped) {
      await repo.setRole(m.household_id, to, m.target_role);
      await repo.insertMembership({ household_id: m.household_id, account_id: from, role: m.role });
    }
  },
};

/** What other contexts may ask of households; read-only. */
export function createHouseholdsService(sql: SqlClient) {
  const repo = createHouseholdsRepository(sql);
  return {
    /** The households an account belongs to, sorted by id. */
    async householdIdsOf(accountId: string): Promise<string[]> {
      return (await repo.membershipsOf(accountId)).map((m) => m.household_id);
    },
  };
}

export type HouseholdsService = ReturnType<typeof createHouseholdsService>;

export interface HouseholdView {
  id: string;
  name: string;
  created_at: string;
  /** The caller's role. */
  role: HouseholdRole;
  /** Owners, then adults, then dependents; by account id within a role. */
  members: { account_id: string; display_name: string; role: HouseholdRole }[];
}

export interface InviteView {
  id: string;
  role: 'adult';
  status: 'open' | 'used' | 'revoked' | 'expired';
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
  revoked_at: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function notFound(): ApiError {
  return new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
}

function statusOf(i: InviteRow, now: number): InviteView['status'] {
  if (i.used_at !== null) return 'used';
  if (i.revoked_at !== null) return 'revoked';
  return i.expires_at.getTime() <= now ? 'expired' : 'open';
}

function inviteView(i: InviteRow, now: number): InviteView {
  return {
    id: i.id,
    role: i.role,
    status: statusOf(i, now),
    created_by: i.created_by,
    created_at: i.created_at.toISOString(),
    expires_at: i.expires_at.toISOString(),
    used_at: iso(i.used_at),
    used_by: i.used_by,
    revoked_at: iso(i.revoked_at),
  };
}

/**
 * Households managed by their members (docs/households.md). Every call takes the caller's account id and
 * answers API_ERR_HOUSEHOLD_NOT_FOUND for a household the caller is not a member of, existing or not.
 * Mutations are meant to run inside one transaction (`sql` a transaction client).
 */
export function createHouseholdManagement(
  sql: SqlClient,
  now: () => number,
  displayNameOf: (accountId: string) => Promise<string>,
  /** The console's public origin; invites carry `<consoleUrl>/join?code=…` as a link to share. */
  consoleUrl = 'http://localhost',
) {
  const repo = createHouseholdsRepository(sql);

  async function roleIn(householdId: string, accountId: string, lock = false): Promise<HouseholdRole> {
    const m = lock
      ? await repo.membershipForUpdate(householdId, accountId)
      : await repo.membership(householdId, accountId);
    if (m === undefined) throw notFound();
    return m.role;
  }

  function requireRole(role: HouseholdRole, allowed: readonly HouseholdRole[]): void {
    if (!allowed.includes(role))
      throw new ApiError('API_ERR_HOUSEHOLD_ROLE_REQUIRED', `This needs the role ${allowed.join(' or ')}.`, {
        required: allowed,
      });
  }

  async function views(accountId: string, ids: readonly string[]): Promise<HouseholdView[]> {
    const [households, members] = await Promise.all([repo.households(ids), repo.members(ids)]);
    const names = new Map<string, string>();
    for (const m of members)
      if (!names.has(m.account_id)) names.set(m.account_id, await displayNameOf(m.account_id));
    return households.map((h) => {
      const own = members.filter((m) => m.household_id === h.id);
      return {
        id: h.id,
        name: h.name,
        created_at: h.created_at.toISOString(),
        role: own.find((m) => m.account_id === accountId)!.role,
        members: own.map((m) => ({
          account_id: m.account_id,
          display_name: names.get(m.account_id)!,
          role: m.role,
        })),
      };
    });
  }

  async function view(accountId: string, householdId: string): Promise<HouseholdView> {
    const [v] = await views(accountId, [householdId]);
    if (v === undefined) throw notFound();
    return v;
  }

  return {
    async create(accountId: string, name: string): Promise<HouseholdView> {
      const id = newId('hh');
      const at = new Date(now());
      await repo.insertHousehold({ id, name, created_at: at });
      await repo.join(id, accountId, 'owner');
      return view(accountId, id);
    },

    async list(accountId: string): Promise<HouseholdView[]> {
      return views(
        accountId,
        (await repo.membershipsOf(accountId)).map((m) => m.household_id),
      );
    },

    async get(accountId: string, householdId: string): Promise<HouseholdView> {
      await roleIn(householdId, accountId);
      return view(accountId, householdId);
    },

    async rename(accountId: string, householdId: string, name: string): Promise<HouseholdView> {
      requireRole(await roleIn(householdId, accountId), ['owner']);
      await repo.rename(householdId, name);
      return view(accountId, householdId);
    },

    async createInvite(accountId: string, householdId: string) {
      requireRole(await roleIn(householdId, accountId), ['owner', 'adult']);
      const code = newInviteCode();
      const created = now();
      const row: InviteRow = {
        id: newId('hinv'),
        household_id: householdId,
        role: 'adult',
        created_by: accountId,
        created_at: new Date(created),
        expires_at: new Date(created + INVITE_LIFETIME_MS),
        used_at: null,
        used_by: null,
        revoked_at: null,
      };
      await repo.insertInvite({ ...row, code_hash: hashSecret(code) });
      return { ...inviteView(row, created), code, url: `${consoleUrl}/join?code=${code}` };
    },

    async invites(accountId: string, householdId: string): Promise<InviteView[]> {
      requireRole(await roleIn(householdId, accountId), ['owner', 'adult']);
      const at = now();
      return (await repo.invites(householdId)).map((i) => inviteView(i, at));
    },

    /** Idempotent for an invite already revoked; a used invite cannot be revoked. */
    async revokeInvite(accountId: string, householdId: string, inviteId: string): Promise<void> {
      requireRole(await roleIn(householdId, accountId), ['owner', 'adult']);
      const invite = await repo.invite(householdId, inviteId);
      if (invite === undefined)
        throw new ApiError('API_ERR_INVITE_NOT_FOUND', 'No invite with this id belongs to this household.');
      if (invite.used_at !== null) throw new ApiError('API_ERR_INVITE_USED', 'This invite was already used.');
      await repo.revokeInvite(inviteId, new Date(now()));
    },

    /** Joins the invite's household as an adult; of concurrent accepts of one code exactly one wins. */
    async accept(accountId: string, typed: string): Promise<HouseholdView> {
      const code = normalizeInviteCode(typed);
      const invite = code === undefined ? undefined : await repo.inviteByCodeHash(hashSecret(code));
      if (invite === undefined) throw new ApiError('API_ERR_INVITE_NOT_FOUND', 'No invite has this code.');
      const at = now();
      const refuse = (i: InviteRow) => {
        if (i.revoked_at !== null) throw new ApiError('API_ERR_INVITE_REVOKED', 'This invite was revoked.');
        if (i.used_at !== null) throw new ApiError('API_ERR_INVITE_USED', 'This invite was already used.');
        if (i.expires_at.getTime() <= at)
          throw new ApiError('API_ERR_INVITE_EXPIRED', 'This invite expired.');
      };
      refuse(invite);
      if ((await repo.membership(invite.household_id, accountId)) !== undefined)
        throw new ApiError('API_ERR_HOUSEHOLD_ALREADY_MEMBER', 'You are already a member of this household.');
      if (!(await repo.useInvite(invite.id, accountId, new Date(at)))) {
        // Someone else used or revoked it between our read and our update.
        const current = await repo.invite(invite.household_id, invite.id);
        refuse(current!);
        throw new ApiError('API_ERR_INVITE_USED', 'This invite was already used.');
      }
      if (!(await repo.join(invite.household_id, accountId, invite.role)))
        throw new ApiError('API_ERR_HOUSEHOLD_ALREADY_MEMBER', 'You are already a member of this household.');
      return view(accountId, invite.household_id);
    },

    /** The last owner stays while anyone else remains; a last member leaving leaves the household empty. */
    async leave(accountId: string, householdId: string): Promise<void> {
      const role = await roleIn(householdId, accountId, true);
      if (role === 'owner') {
        const members = await repo.members([householdId]);
        const owners = members.filter((m) => m.role === 'owner').length;
        if (owners === 1 && members.length > 1)
          throw new ApiError(
            'API_ERR_HOUSEHOLD_LAST_OWNER',
            'You are the last owner; transfer ownership before leaving.',
          );
      }
      await repo.deleteMembership(householdId, accountId);
    },

    async removeMember(accountId: string, householdId: string, memberId: string): Promise<void> {
      requireRole(await roleIn(householdId, accountId, true), ['owner']);
      const member = await repo.membership(householdId, memberId);
      if (member === undefined)
        throw new ApiError(
          'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
          'No member with this account id is in this household.',
        );
      if (memberId === accountId)
        throw new ApiError(
          'API_ERR_HOUSEHOLD_MEMBER_PROTECTED',
          'Leave the household instead of removing yourself.',
        );
      if (member.role === 'owner')
        throw new ApiError(
          'API_ERR_HOUSEHOLD_MEMBER_PROTECTED',
          'An owner cannot be removed by another member.',
        );
      await repo.deleteMembership(householdId, memberId);
    },

    /** The caller hands ownership to an adult member and becomes an adult. */
    async transfer(accountId: string, householdId: string, to: string): Promise<HouseholdView> {
      requireRole(await roleIn(householdId, accountId, true), ['owner']);
      const target = await repo.membershipForUpdate(householdId, to);
      if (target === undefined)
        throw new ApiError(
          'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
          'No member with this account id is in this household.',
        );
      if (target.role !== 'adult' || to === accountId)
        throw new ApiError(
          'API_ERR_HOUSEHOLD_TRANSFER_INVALID',
          'Ownership can only go to another adult member.',
          {
            role: target.role,
          },
        );
      await repo.setRole(householdId, to, 'owner');
      await repo.setRole(householdId, accountId, 'adult');
      return view(accountId, householdId);
    },
  };
}

export type HouseholdManagement = ReturnType<typeof createHouseholdManagement>;
