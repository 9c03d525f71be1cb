import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';

// The outbox's bookkeeping per segment file, shared by DurableOutbox's append, ack, read-back and recovery.

/** One segment file of the outbox: `seg-<id>.jsonl`, a line per item. */
export interface Segment {
  id: number;
  path: string;
  /** Unacknowledged items stored in it, in memory or not, appends still being written included. */
  live: number;
  /** Bytes of their lines. */
  bytes: number;
  /** Offset just past its last line that is on stable storage: reading back never goes further. */
  end: number;
  /** Appends to it still being written. */
  writing: number;
  /** Smallest and largest sequence number stored in it, to find an acked item that is not in memory. */
  first: number;
  last: number;
  /** Items past the read position that were acknowledged before being read back: skipped when read. */
  acked: Set<number>;
}

export interface Entry<T> {
  item: T;
  segment: Segment;
  bytes: number;
}

/** An acked item found in a segment file, not in memory. */
export interface OnDisk {
  seq: number;
  segment: Segment;
  offset: number;
  bytes: number;
}

export const SEGMENT = /^seg-(\d{8})\.jsonl$/;
const segName = (id: number) => `seg-${String(id).padStart(8, '0')}.jsonl`;

export function newSegment(dir: string, id: number): Segment {
  return {
    id,
    path: join(dir, segName(id)),
    live: 0,
    bytes: 0,
    end: 0,
    writing: 0,
    first: Number.POSITIVE_INFINITY,
    last: 0,
    acked: new Set(),
  };
}

/** The outbox's coded I/O error; a GatewayError from below keeps its own code. */
export function ioError(message: string, e: unknown): GatewayError {
  if (e instanceof GatewayError) return e;
  return new GatewayError('GATEWAY_ERR_OUTBOX_IO', `${message}: ${(e as Error).message}`, { cause: e });
}

/** Makes a directory's entries (a new or renamed file) durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
