import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { firstStoredSeq, parseLine, readAckLog, readLines } from './segment-file.js';

const SEGMENT = /^seg-(\d{8})\.jsonl$/;

export interface OutboxStats {
  /** False when the directory does not exist (the gateway never ran with this outbox). */
  exists: boolean;
  /** Unacknowledged items, counted as DurableOutbox.open would count them. */
  items: number;
  /** Bytes of the live lines (DurableOutbox's `bytes`). */
  bytes: number;
  segments: number;
  /** Lines that could not be parsed (other than a torn last line). */
  damagedLines: number;
  /** Smallest `t` among unacknowledged items that carry one (a reading's measurement time, ms). */
  oldestAt?: number;
  newestAt?: number;
}

/**
 * Counts what a DurableOutbox directory holds without opening it: it only reads the segment files and the
 * ack log, one chunk at a time, so it can run next to a live gateway (whose appends it may see half-done: a
 * torn last line is skipped, exactly as on recovery).
 */
export async function readOutboxStats(dir: string): Promise<OutboxStats> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return { exists: false, items: 0, bytes: 0, segments: 0, damagedLines: 0 };
    throw e;
  }
  const paths = names.map((n) => join(dir, n));
  const { acked } = await readAckLog(join(dir, 'acks.log'), await firstStoredSeq(paths));
  const stats: OutboxStats = { exists: true, items: 0, bytes: 0, segments: 0, damagedLines: 0 };
  for (const path of paths) {
    try {
      await readLines(path, 0, Number.POSITIVE_INFINITY, (text, _offset, bytes) => {
        if (text === '') return true;
        const l = parseLine<unknown>(text);
        if (!l) {
          stats.damagedLines += 1;
          return true;
        }
        if (acked.has(l.s)) return true;
        stats.items += 1;
        stats.bytes += bytes;
        const t = (l.r as { t?: unknown } | null)?.t;
        if (typeof t === 'number' && Number.isFinite(t)) {
          if (stats.oldestAt === undefined || t < stats.oldestAt) stats.oldestAt = t;
          if (stats.newestAt === undefined || t > stats.newestAt) stats.newestAt = t;
        }
        return true;
      });
    } catch (e) {
      // Deleted by the gateway between readdir and read: it held nothing live.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    stats.segments += 1;
  }
  return stats;
}
