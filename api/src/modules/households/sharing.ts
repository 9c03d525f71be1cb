import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { createHouseholdsRepository, type ShareRow } from './repository.js';

export interface ShareView {
  household_id: string;
  /** Whose health data… */
  account_id: string;
  /** …the viewer may see. */
  viewer_account_id: string;
  created_at: string;
}

const shareView = (r: ShareRow): ShareView => ({
  household_id: r.household_id,
  account_id: r.account_id,
  viewer_account_id: r.viewer_account_id,
  created_at: r.created_at.toISOString(),
});

/**
 * Whose health data `viewer` may see: their own; every member of a household they share who shares with
 * them; in a household they own, every dependent; elsewhere the dependents they manage. With `householdId`
 * only that household counts (and only the viewer's own account when they are not a member of it).
 * Account ids, not InfluxDB tags: readings also sit under the tags of accounts merged into these
 * (identity's `accountTags`).
 */
export async function visibleAccounts(
  sql: SqlClient,
  viewer: string,
  householdId?: string,
): Promise<Set<string>> {
  const repo = createHouseholdsRepository(sql);
  const mine = (await repo.membershipsOf(viewer)).map((m) => m.household_id);
  const households = householdId === undefined ? mine : mine.filter((h) => h === householdId);
  const visible = new Set([viewer]);
  for (const s of await repo.sharersWith(viewer, households)) visible.add(s.account_id);
  for (const d of await repo.visibleDependents(viewer, households)) visible.add(d.account_id);
  return visible;
}

/** Members share their own health data with other members, one viewer at a time (private by default). */
export function createSharing(sql: SqlClient, now: () => number) {
  const repo = createHouseholdsRepository(sql);

  async function requireMember(householdId: string, accountId: string): Promise<void> {
    if ((await repo.membership(householdId, accountId)) === undefined)
      throw new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
  }

  async function requireOtherMember(householdId: string, caller: string, viewer: string): Promise<void> {
    if ((await repo.membership(householdId, viewer)) === undefined)
      throw new ApiError(
        'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
        'No member with this account id is in this household.',
      );
    if (viewer === caller)
      throw new ApiError('API_ERR_SHARE_WITH_SELF', 'Your own data is always visible to you.');
  }

  return {
    /** What the caller shares, and what is shared with them, in this household. */
    async list(caller: string, householdId: string): Promise<ShareView[]> {
      await requireMember(householdId, caller);
      return (await repo.sharesInvolving(householdId, caller)).map(shareView);
    },

    /** Idempotent: sharing again keeps the first share's time. */
    async share(caller: string, householdId: string, viewer: string): Promise<ShareView> {
      await requireMember(householdId, caller);
      await requireOtherMember(householdId, caller, viewer);
      return shareView(
        await repo.insertShare({
          household_id: householdId,
          account_id: caller,
          viewer_account_id: viewer,
          created_at: new Date(now()),
        }),
      );
    },

    /** Idempotent: stopping a share that does not exist is fine. */
    async unshare(caller: string, householdId: string, viewer: string): Promise<void> {
      await requireMember(householdId, caller);
      await requireOtherMember(householdId, caller, viewer);
      await repo.deleteShare(householdId, caller, viewer);
    },
  };
}
