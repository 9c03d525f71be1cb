import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSegment } from './segment-file.js';

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
 * ack log, so it can run next to a live gateway (whose appends it may see half-done: a torn last line is
 * skipped, exactly as on recovery).
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
  const acked = new Set<number>();
  try {
    const text = await readFile(join(dir, 'acks.log'), 'utf8');
    for (const line of text.split('\n').slice(0, -1))
      for (const s of line.split(',')) if (s) acked.add(Number(s));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const stats: OutboxStats = { exists: true, items: 0, bytes: 0, segments: 0, damagedLines: 0 };
  for (const name of names) {
    let parsed: Awaited<ReturnType<typeof readSegment<unknown>>>;
    try {
      parsed = await readSegment<unknown>(join(dir, name));
    } catch (e) {
      // Deleted by the gateway between readdir and read: it held nothing live.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    stats.segments += 1;
    stats.damagedLines += parsed.damaged;
    for (const l of parsed.lines) {
      if (acked.has(l.s)) continue;
      stats.items += 1;
      stats.bytes += Buffer.byteLength(JSON.stringify(l)) + 1;
      const t = (l.r as { t?: unknown } | null)?.t;
      if (typeof t === 'number' && Number.isFinite(t)) {
        if (stats.oldestAt === undefined || t < stats.oldestAt) stats.oldestAt = t;
        if (stats.newestAt === undefined || t > stats.newestAt) stats.newestAt = t;
      }
    }
  }
  return stats;
}
