import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { AccountMover } from '../../shared/account-mover.js';
import { newId } from '../../shared/secrets.js';
import { createIdentityRepository, type MergeRow } from './repository.js';

export const UNDO_WINDOW_MS = 30 * 86_400_000;

export interface MergeView {
  id: string;
  source_account_id: string;
  target_account_id: string;
  merged_at: string;
  undo_until: string;
  undone_at: string | null;
}

export function toMergeView(m: MergeRow): MergeView {
  return {
    id: m.id,
    source_account_id: m.source_account_id,
    target_account_id: m.target_account_id,
    merged_at: new Date(m.merged_at).toISOString(),
    undo_until: new Date(m.undo_until).toISOString(),
    undone_at: m.undone_at === null ? null : new Date(m.undone_at).toISOString(),
  };
}

/**
 * Reversible merges. Merging B into A moves B's identities, then every other context's rows through its
 * AccountMover, and records the exact inventory; B stays as a row pointing at A (`merged_into`). Readings
 * stay under B's InfluxDB tag and reach A's trends through `accountTags`. Undo replays the inventory in
 * reverse. Must run inside one transaction (the caller's `sql`).
 */
export function createMergeService(sql: SqlClient, now: () => number, movers: readonly AccountMover[]) {
  const repo = createIdentityRepository(sql);

  async function mergeAccounts(
    sourceAccountId: string,
    targetAccountId: string,
    taken: Date,
    what: string,
  ): Promise<MergeView> {
    // Both rows stay locked to the end of the transaction: a concurrent merge or undo involving either
    // account waits, then sees this one's outcome (no account merged twice, no undo overtaken).
    const locked = await repo.lockAccounts([sourceAccountId, targetAccountId]);
    const source = locked.find((a) => a.id === sourceAccountId);
    const target = locked.find((a) => a.id === targetAccountId);
    // The reason to merge may be stale: either account was merged elsewhere since, or they are one.
    if (
      !source ||
      !target ||
      source.merged_into !== null ||
      target.merged_into !== null ||
      source.id === target.id
    ) {
      throw new ApiError('API_ERR_MERGE_OFFER_INVALID', `${what} no longer applies.`);
    }
    // merged_at orders the merges into an account for the last-in-first-out undo rule, so it must come
    // strictly after the newest one that stands, even when two merges share a millisecond or the clock
    // stepped back (otherwise two merges would block each other's undo, or one undo would overtake another).
    const latest = await repo.latestActiveMergeAt(targetAccountId);
    const at =
      latest !== undefined && new Date(latest).getTime() >= taken.getTime()
        ? new Date(new Date(latest).getTime() + 1)
        : taken;
    const inventory: Record<string, unknown> = {
      identities: await repo.moveIdentities(source.id, targetAccountId),
    };
    for (const mover of movers) inventory[mover.part] = await mover.move(sql, source.id, targetAccountId);
    await repo.setMergedInto(source.id, targetAccountId);
    await repo.resolveSuggestions(source.id, targetAccountId, at);
    const merge = {
      id: newId('mrg'),
      target_account_id: targetAccountId,
      source_account_id: source.id,
      merged_at: at,
      undo_until: new Date(at.getTime() + UNDO_WINDOW_MS),
      inventory,
    };
    await repo.insertMerge(merge);
    return toMergeView({ ...merge, undone_at: null });
  }

  return {
    async merge(targetAccountId: string, offerId: string): Promise<MergeView> {
      const taken = new Date(now());
      const offer = await repo.takeMergeOffer(offerId, targetAccountId, taken);
      if (!offer) throw new ApiError('API_ERR_MERGE_OFFER_INVALID', `No usable merge offer ${offerId}.`);
      return mergeAccounts(offer.source_account_id, targetAccountId, taken, `Merge offer ${offerId}`);
    },

    /**
     * Merges without an offer, for a flow that proved control of both accounts its own way (a household
     * handover code: the source signed in, the target is a dependent its manager handed over).
     */
    async mergeAccounts(sourceAccountId: string, targetAccountId: string): Promise<MergeView> {
      return mergeAccounts(sourceAccountId, targetAccountId, new Date(now()), 'This merge');
    },

    async undo(targetAccountId: string, mergeId: string): Promise<MergeView> {
      const at = new Date(now());
      // The same lock a merge into this account takes: no merge into it can slip in during the LIFO check.
      const [target] = await repo.lockAccounts([targetAccountId]);
      const m = await repo.mergeForUpdate(mergeId);
      if (!m || m.target_account_id !== targetAccountId) {
        throw new ApiError('API_ERR_MERGE_NOT_FOUND', `No merge ${mergeId} into this account.`);
      }
      if (m.undone_at !== null)
        throw new ApiError('API_ERR_MERGE_ALREADY_UNDONE', `Merge ${mergeId} was undone.`);
      if (at > new Date(m.undo_until)) {
        throw new ApiError('API_ERR_MERGE_UNDO_EXPIRED', `Merge ${mergeId} can no longer be undone.`);
      }
      // Undo is last-in first-out: a later merge into the same account may hold rows this one moved.
      const later = await repo.laterActiveMergeInto(targetAccountId, new Date(m.merged_at), m.id);
      const blocking =
        later?.id ?? (target?.merged_into ? `account ${targetAccountId} merged into another` : undefined);
      if (blocking !== undefined) {
        throw new ApiError('API_ERR_MERGE_CONFLICT', `Undo the later merge first.`, {
          blocking_merge: blocking,
        });
      }
      for (const mover of [...movers].reverse()) {
        await mover.restore(sql, m.inventory[mover.part], m.source_account_id, targetAccountId);
      }
      // Identities unlinked since the merge are gone; the rest go back.
      await repo.setIdentityAccount(m.inventory.identities as string[], m.source_account_id);
      await repo.setMergedInto(m.source_account_id, null);
      await repo.markUndone(m.id, at);
      return toMergeView({ ...m, undone_at: at });
    },

    async list(targetAccountId: string): Promise<MergeView[]> {
      return (await repo.mergesInto(targetAccountId)).map(toMergeView);
    },
  };
}

export type MergeService = ReturnType<typeof createMergeService>;
