import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { householdMembership } from '../households/index.js';
import { type MoveView, requestMove } from './moves.js';
import { createInboxRepository, type InboxRow } from './repository.js';

export type InboxState = InboxRow['state'];
export type InboxReason = InboxRow['reason'];

export interface InboxItemView {
  id: string;
  metric: string;
  /** The reading's own time; kept when it is filed. */
  measured_at: string;
  values: Record<string, number>;
  device_id: string | null;
  device_address: string;
  slot: number | null;
  reason: InboxReason;
  /** Candidates, best first, as ingest ranked them. */
  hint: { account_id: string; display_name: string; confidence: number; rule: string | null }[];
  state: InboxState;
  target_account_id: string | null;
  decided_by: string | null;
  decided_at: string | null;
  received_at: string;
}

/** Items people decide on by default; readings of unclaimed devices only when asked (they are many). */
export const DEFAULT_REASONS: readonly InboxReason[] = ['unassigned_slot', 'ambiguous'];

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export function encodeCursor(r: { measured_at: number | string; id: string }): string {
  return Buffer.from(JSON.stringify([Number(r.measured_at), r.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { measuredAt: number; id: string } {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(ms) && typeof id === 'string') return { measuredAt: ms as number, id };
  } catch {
    // Falls through to the coded refusal.
  }
  throw new ApiError('API_ERR_INBOX_BAD_CURSOR', 'This cursor was not made by this API.');
}

const householdNotFound = () =>
  new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
const itemNotFound = () =>
  new ApiError('API_ERR_INBOX_ITEM_NOT_FOUND', 'No inbox item with this id belongs to this household.');

/**
 * The household inbox: readings ingest could not attribute with enough confidence, decided by any member
 * (docs/inbox.md). Filing asks ingest to store the reading under a member at its own time.
 */
export function createInbox(
  sql: SqlClient,
  now: () => number,
  displayNameOf: (sql: SqlClient, accountId: string) => Promise<string>,
) {
  const repo = createInboxRepository(sql);

  async function requireMember(householdId: string, caller: string): Promise<void> {
    if ((await householdMembership.roleOf(sql, householdId, caller)) === undefined) throw householdNotFound();
  }

  async function view(r: InboxRow): Promise<InboxItemView> {
    const reading = json(r.reading);
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(reading.values ?? {})) if (typeof v === 'number') values[k] = v;
    const hint = [];
    for (const h of json(r.hint))
      hint.push({
        account_id: h.account,
        display_name: await displayNameOf(sql, h.account),
        confidence: h.confidence,
        rule: h.rule ?? null,
      });
    return {
      id: r.id,
      metric: r.metric,
      measured_at: new Date(Number(r.measured_at)).toISOString(),
      values,
      device_id: r.device_id,
      device_address: r.device_address,
      slot: r.slot,
      reason: r.reason,
      hint,
      state: r.state,
      target_account_id: r.target_account_id,
      decided_by: r.decided_by,
      decided_at: r.decided_at === null ? null : r.decided_at.toISOString(),
      received_at: r.received_at.toISOString(),
    };
  }

  async function decided(householdId: string, id: string): Promise<never> {
    const current = await repo.item(householdId, id);
    throw new ApiError('API_ERR_INBOX_ITEM_NOT_HELD', 'This item was already decided.', {
      state: current?.state ?? 'discarded',
    });
  }

  return {
    async list(
      caller: string,
      householdId: string,
      q: { state: InboxState; reasons: readonly InboxReason[]; cursor?: string; limit: number },
    ): Promise<{ items: InboxItemView[]; next_cursor: string | null }> {
      await requireMember(householdId, caller);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      // One more than asked tells whether another page exists.
      const rows = await repo.items({
        householdId,
        state: q.state,
        reasons: q.reasons,
        ...(after ? { after } : {}),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const items = [];
      for (const r of page) items.push(await view(r));
      const last = page.at(-1);
      return { items, next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null };
    },

    /** Files a held item under a member: state filing and a move ingest executes (202). */
    async file(
      caller: string,
      householdId: string,
      itemId: string,
      to: string,
    ): Promise<{ item: InboxItemView; move: MoveView }> {
      await requireMember(householdId, caller);
      const item = await repo.item(householdId, itemId);
      if (item === undefined) throw itemNotFound();
      if ((await householdMembership.roleOf(sql, householdId, to)) === undefined)
        throw new ApiError(
          'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
          'No member with this account id is in this household.',
        );
      if (item.state !== 'held') return decided(householdId, itemId);
      if (item.device_id === null)
        throw new ApiError(
          'API_ERR_INBOX_DEVICE_UNCLAIMED',
          'Claim the device this reading came from before filing it.',
          { device_address: item.device_address },
        );
      const at = now();
      const filing = await repo.decide({
        id: itemId,
        state: 'filing',
        target: to,
        by: caller,
        at: new Date(at),
      });
      if (filing === undefined) return decided(householdId, itemId);
      const move = await requestMove(sql, at, {
        householdId,
        kind: 'file',
        inboxItemId: itemId,
        metric: filing.metric,
        deviceId: item.device_id,
        measuredAt: Number(filing.measured_at),
        fromAccountId: null,
        toAccountId: to,
        requestedBy: caller,
      });
      return { item: await view(filing), move };
    },

    async discard(caller: string, householdId: string, itemId: string): Promise<InboxItemView> {
      await requireMember(householdId, caller);
      const item = await repo.item(householdId, itemId);
      if (item === undefined) throw itemNotFound();
      const gone = await repo.decide({
        id: itemId,
        state: 'discarded',
        target: null,
        by: caller,
        at: new Date(now()),
      });
      if (gone === undefined) return decided(householdId, itemId);
      return view(gone);
    },
  };
}
