import { createHash } from 'node:crypto';
import type { EventType } from './types.js';

/**
 * The stable id of an event about a stored point: the same fact always gets the same id, however often
 * ingest repeats it (a resent reading, a move step run again after a crash), so the log keeps one row and
 * a webhook receiver sees one `webhook-id`. `cause` tells apart the facts of different moves (a reading
 * moved A → B → A is created under A twice).
 */
export function pointEventId(
  type: EventType,
  p: { account: string; device: string; metric: string; t: number },
  cause: string | null,
): string {
  const h = createHash('sha256')
    .update(`${type}\u0000${p.account}\u0000${p.device}\u0000${p.metric}\u0000${p.t}\u0000${cause ?? ''}`)
    .digest('hex');
  return `evt_${h.slice(0, 32)}`;
}
