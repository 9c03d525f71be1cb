import { ApiError } from '../../errors.js';

/** A position in the event log: the inserting transaction's id and the row's sequence number (migration 0011). */
export interface Position {
  tx: bigint;
  seq: bigint;
}

export const START: Position = { tx: 0n, seq: 0n };

// Versioned so the encoding can change without a cursor from an older release being misread.
const PREFIX = 'c1.';

/** Opaque to clients: base64url of "c1.<tx>.<seq>". */
export function encodeCursor(p: Position): string {
  return Buffer.from(`${PREFIX}${p.tx}.${p.seq}`).toString('base64url');
}

const SHAPE = /^c1\.(\d{1,20})\.(\d{1,19})$/;

/** The position, or a 400 `API_ERR_EVENTS_BAD_CURSOR` for anything this API did not make. */
export function decodeCursor(cursor: string): Position {
  const m = SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const p = m ? { tx: BigInt(m[1]!), seq: BigInt(m[2]!) } : undefined;
  if (!p || encodeCursor(p) !== cursor || p.tx >= 2n ** 64n || p.seq >= 2n ** 63n)
    throw new ApiError('API_ERR_EVENTS_BAD_CURSOR', 'The cursor is not one this API returned.');
  return p;
}
