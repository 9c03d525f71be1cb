import { createHash } from 'node:crypto';

/**
 * inbox_items.id for a gateway's reading: 'ibx_' + the first 128 bits of SHA-256(gw NUL reading id), in
 * hex. A resent envelope finds its row (ON CONFLICT DO NOTHING) on whichever node receives it, and the
 * API can compute no other reading's id from one it sees.
 */
export function inboxId(gw: string, readingId: string): string {
  return `ibx_${createHash('sha256').update(`${gw}\0${readingId}`).digest('hex').slice(0, 32)}`;
}
