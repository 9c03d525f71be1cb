import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { hashSecret, newId } from '../../shared/secrets.js';
import { newInviteCode, normalizeInviteCode } from './codes.js';
import { createHouseholdsRepository, type HandoverRow, type HouseholdRole } from './repository.js';

/** A handover code lives 3 days: long enough to pass on in person, short enough that a lost one lapses. */
export const HANDOVER_LIFETIME_MS = 3 * 24 * 3600 * 1000;

/** What households asks of the identity context for dependents; wired in the composition root. */
export interface HouseholdAccounts {
  /** A new account without any identity; its id. */
  create(sql: SqlClient, displayName: string): Promise<string>;
  rename(sql: SqlClient, accountId: string, displayName: string): Promise<void>;
  displayNameOf(sql: SqlClient, accountId: string): Promise<string>;
  /** Merges `source` into `target` (identities and every context's rows go to `target`); reversible. */
  merge(
    sql: SqlClient,
    source: string,
    target: string,
  ): Promise<{ id: string; merged_at: string; undo_until: string }>;
  /** Ends the sessions of an account that was merged away. */
  endSessions(sql: SqlClient, accountId: string): Promise<void>;
}

export interface DependentView {
  account_id: string;
  display_name: string;
  role: 'dependent';
  managed_by: string | null;
}

export interface HandoverView {
  id: string;
  account_id: string;
  status: 'open' | 'used' | 'revoked' | 'expired';
  created_by: string;
  created_at: string;
  expires_at: string;
}

const notFound = () =>
  new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
const memberNotFound = () =>
  new ApiError('API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND', 'No member with this account id is in this household.');
const handoverNotFound = (what: string) => new ApiError('API_ERR_HANDOVER_NOT_FOUND', what);

function statusOf(h: HandoverRow, now: number): HandoverView['status'] {
  if (h.used_at !== null) return 'used';
  if (h.revoked_at !== null) return 'revoked';
  return h.expires_at.getTime() <= now ? 'expired' : 'open';
}

/**
 * Dependents: members without an identity of their own (a child, a parent who does not use a phone),
 * managed by the adult who added them, and later handed over to an identity of their own
 * (docs/households.md). Meant to run inside one transaction per call.
 */
export function createDependents(
  sql: SqlClient,
  now: () => number,
  accounts: HouseholdAccounts,
  consoleUrl: string,
) {
  const repo = createHouseholdsRepository(sql);

  async function roleIn(householdId: string, accountId: string): Promise<HouseholdRole> {
    const m = await repo.membership(householdId, accountId);
    if (m === undefined) throw notFound();
    return m.role;
  }

  /** The caller may manage this dependent: the household's owner, or the adult who manages them. */
  async function requireManager(caller: string, householdId: string, dependentId: string): Promise<void> {
    const role = await roleIn(householdId, caller);
    const member = await repo.membershipForUpdate(householdId, dependentId);
    if (member === undefined) throw memberNotFound();
    if (member.role !== 'dependent')
      throw new ApiError('API_ERR_HOUSEHOLD_NOT_DEPENDENT', 'This member is not a dependent.', {
        role: member.role,
      });
    if (role === 'owner') return;
    if (role === 'adult' && (await repo.managerOf(householdId, dependentId)) === caller) return;
    throw new ApiError(
      'API_ERR_DEPENDENT_MANAGER_REQUIRED',
      'Only the household owner or the adult who manages this dependent may do this.',
    );
  }

  async function view(householdId: string, accountId: string): Promise<DependentView> {
    return {
      account_id: accountId,
      display_name: await accounts.displayNameOf(sql, accountId),
      role: 'dependent',
      managed_by: await repo.managerOf(householdId, accountId),
    };
  }

  return {
    async add(caller: string, householdId: string, displayName: string): Promise<DependentView> {
      const role = await roleIn(householdId, caller);
      if (role === 'dependent')
        throw new ApiError('API_ERR_HOUSEHOLD_ROLE_REQUIRED', 'This needs the role owner or adult.', {
          required: ['owner', 'adult'],
        });
      const id = await accounts.create(sql, displayName);
      await repo.insertDependent(householdId, id, caller);
      return view(householdId, id);
    },

    async list(caller: string, householdId: string): Promise<DependentView[]> {
      await roleIn(householdId, caller);
      const members = (await repo.members([householdId])).filter((m) => m.role === 'dependent');
      return Promise.all(members.map((m) => view(householdId, m.account_id)));
    },

    async rename(
      caller: string,
      householdId: string,
      dependentId: string,
      displayName: string,
    ): Promise<DependentView> {
      await requireManager(caller, householdId, dependentId);
      await accounts.rename(sql, dependentId, displayName);
      return view(householdId, dependentId);
    },

    /** A single-use code that lets the person take this account over; shown once, stored hashed. */
    async createHandover(caller: string, householdId: string, dependentId: string) {
      await requireManager(caller, householdId, dependentId);
      const code = newInviteCode();
      const created = now();
      const row: HandoverRow = {
        id: newId('hho'),
        household_id: householdId,
        account_id: dependentId,
        created_by: caller,
        created_at: new Date(created),
        expires_at: new Date(created + HANDOVER_LIFETIME_MS),
        used_at: null,
        used_by: null,
        revoked_at: null,
      };
      await repo.insertHandover({ ...row, code_hash: hashSecret(code) });
      return {
        ...handoverView(row, created),
        code,
        url: `${consoleUrl}/handover?code=${code}`,
      };
    },

    /** Idempotent for a code already revoked; a used code cannot be revoked. */
    async revokeHandover(caller: string, householdId: string, handoverId: string): Promise<void> {
      await roleIn(householdId, caller);
      const h = await repo.handover(householdId, handoverId);
      if (h === undefined) throw handoverNotFound('No handover with this id belongs to this household.');
      await requireManager(caller, householdId, h.account_id).catch((e: unknown) => {
        // The dependent took their account over already: the code is spent, not someone else's to manage.
        if (e instanceof ApiError && e.code === 'API_ERR_HOUSEHOLD_NOT_DEPENDENT' && h.used_at !== null)
          throw new ApiError('API_ERR_HANDOVER_USED', 'This handover code was already used.');
        throw e;
      });
      if (h.used_at !== null)
        throw new ApiError('API_ERR_HANDOVER_USED', 'This handover code was already used.');
      await repo.revokeHandover(handoverId, new Date(now()));
    },

    /**
     * The signed-in caller takes the dependent's account over: the caller's account is merged INTO the
     * dependent's (so the dependent's id, readings, devices and memberships stay where they are and the
     * caller's identities move over), and the membership becomes an adult's. The caller's old account
     * stops signing in on its own, as after any merge; the next sign-in lands on the taken-over account.
     */
    async acceptHandover(caller: string, typed: string) {
      const code = normalizeInviteCode(typed);
      const h = code === undefined ? undefined : await repo.handoverByCodeHash(hashSecret(code));
      if (h === undefined) throw handoverNotFound('No handover has this code.');
      const at = now();
      const refuse = (row: HandoverRow) => {
        if (row.revoked_at !== null)
          throw new ApiError('API_ERR_HANDOVER_REVOKED', 'This handover code was revoked.');
        if (row.used_at !== null)
          throw new ApiError('API_ERR_HANDOVER_USED', 'This handover code was already used.');
        if (row.expires_at.getTime() <= at)
          throw new ApiError('API_ERR_HANDOVER_EXPIRED', 'This handover code expired.');
      };
      refuse(h);
      // The adult who manages the dependent (or made the code) would merge their own account away.
      const manager = await repo.managerOf(h.household_id, h.account_id);
      if (caller === h.created_by || caller === manager || caller === h.account_id)
        throw new ApiError(
          'API_ERR_HANDOVER_SELF',
          'The code is for the dependent to accept with their own identity, not for the adult who manages them.',
        );
      // The code first: of concurrent accepts the loser waits on its row here and is told it was used.
      if (!(await repo.useHandover(h.id, caller, new Date(at)))) {
        // Someone used or revoked it between our read and our update.
        refuse((await repo.handover(h.household_id, h.id))!);
        throw new ApiError('API_ERR_HANDOVER_USED', 'This handover code was already used.');
      }
      const member = await repo.membershipForUpdate(h.household_id, h.account_id);
      if (member === undefined || member.role !== 'dependent')
        throw handoverNotFound('The account this code was for is no longer a dependent in the household.');
      const merge = await accounts.merge(sql, caller, h.account_id);
      await repo.promoteDependent(h.household_id, h.account_id);
      await accounts.endSessions(sql, caller);
      return {
        account_id: h.account_id,
        household_id: h.household_id,
        previous_account_id: caller,
        merge_id: merge.id,
        undo_until: merge.undo_until,
      };
    },
  };
}

function handoverView(h: HandoverRow, now: number): HandoverView {
  return {
    id: h.id,
    account_id: h.account_id,
    status: statusOf(h, now),
    created_by: h.created_by,
    created_at: h.created_at.toISOString(),
    expires_at: h.expires_at.toISOString(),
  };
}

export type Dependents = ReturnType<typeof createDependents>;
