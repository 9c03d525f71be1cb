import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import { createInboxRepository, type MoveRow } from './repository.js';

export interface MoveView {
  id: string;
  household_id: string;
  kind: 'file' | 'reassign';
  /** pending → copied → done (or failed, with error_code); ingest executes the steps. */
  state: 'pending' | 'copied' | 'done' | 'failed';
  inbox_item_id: string | null;
  metric: string;
  device_id: string;
  measured_at: string;
  from_account_id: string | null;
  to_account_id: string;
  requested_by: string;
  created_at: string;
  done_at: string | null;
  error_code: string | null;
}

export function moveView(m: MoveRow): MoveView {
  return {
    id: m.id,
    household_id: m.household_id,
    kind: m.kind,
    state: m.state,
    inbox_item_id: m.inbox_item_id,
    metric: m.metric,
    device_id: m.device_id,
    measured_at: new Date(Number(m.measured_at)).toISOString(),
    from_account_id: m.from_account_id,
    to_account_id: m.to_account_id,
    requested_by: m.requested_by,
    created_at: m.created_at.toISOString(),
    done_at: m.done_at === null ? null : m.done_at.toISOString(),
    error_code: m.error_code,
  };
}

export interface MoveRequest {
  householdId: string;
  kind: 'file' | 'reassign';
  inboxItemId: string | null;
  metric: string;
  deviceId: string;
  /** The reading's own time, ms; the point keeps it wherever it moves. */
  measuredAt: number;
  fromAccountId: string | null;
  toAccountId: string;
  requestedBy: string;
}

const isOpenMoveClash = (e: unknown) =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: unknown }).code === '23505' &&
  String(
    (e as { constraint?: unknown; message?: unknown }).constraint ?? (e as { message?: unknown }).message,
  ).includes('reading_moves_one_open');

/**
 * Records a move for ingest to execute and wakes it (NOTIFY is delivered when the caller's transaction
 * commits). One open move per point: a second one, concurrent or not, hits `reading_moves_one_open` and is
 * refused with API_ERR_READING_MOVE_IN_PROGRESS; on PostgreSQL that aborts the caller's transaction, so this
 * is the transaction's last statement that may fail.
 */
export async function requestMove(sql: SqlClient, now: number, r: MoveRequest): Promise<MoveView> {
  const row: MoveRow = {
    id: newId('mv'),
    household_id: r.householdId,
    kind: r.kind,
    inbox_item_id: r.inboxItemId,
    metric: r.metric,
    device_id: r.deviceId,
    measured_at: r.measuredAt,
    from_account_id: r.fromAccountId,
    to_account_id: r.toAccountId,
    state: 'pending',
    error_code: null,
    requested_by: r.requestedBy,
    created_at: new Date(now),
    done_at: null,
  };
  const repo = createInboxRepository(sql);
  try {
    await repo.insertMove(row);
  } catch (e) {
    if (isOpenMoveClash(e))
      throw new ApiError(
        'API_ERR_READING_MOVE_IN_PROGRESS',
        'This reading is already being moved; wait for that move to finish.',
        undefined,
        { cause: e },
      );
    throw e;
  }
  await repo.notifyMoves(r.householdId);
  return moveView(row);
}

/** A move in this household, or undefined. */
export async function findMove(
  sql: SqlClient,
  householdId: string,
  moveId: string,
): Promise<MoveView | undefined> {
  const m = await createInboxRepository(sql).move(householdId, moveId);
  return m === undefined ? undefined : moveView(m);
}
