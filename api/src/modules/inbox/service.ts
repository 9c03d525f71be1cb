import type { SqlClient } from '../../db/sql-client.js';
import { createInboxRepository } from './repository.js';

/**
 * For the devices context: when a slot is given to a member or cleared, what waited in the inbox for that
 * slot is no longer anyone's question (issue 12). Returns the ids of the items discarded.
 */
export async function discardHeldForSlot(
  sql: SqlClient,
  args: { deviceId: string; slot: number | null; by: string; now: number },
): Promise<string[]> {
  return createInboxRepository(sql).discardHeldForSlot(args.deviceId, args.slot, args.by, new Date(args.now));
}
