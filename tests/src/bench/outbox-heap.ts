import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface OutboxHeapFigures {
  /** Heap (after GC) the outbox adds once the readings are appended and none is acknowledged. */
  heap_mb_after_append: number;
  /** The same after closing and opening the outbox again on that backlog (a restart after an outage). */
  heap_mb_after_reopen: number;
  /** Readings held in memory (DurableOutbox `resident`). */
  resident_items: number;
  reopen_ms: number;
  /** Draining the backlog as the pump does (take 200, ack, repeat), acks fsync'd. */
  drain_per_s: number;
}

export interface OutboxHeapResult {
  readings: number;
  /** Every unacknowledged reading in memory (memoryItems: Infinity), which is what the outbox did before. */
  all_in_memory: OutboxHeapFigures;
  /** The default window of 10,000 readings in memory, the rest read back from the segment files. */
  window_10k: OutboxHeapFigures;
}

const run = promisify(execFile);

async function measure(memory: string, readings: number): Promise<OutboxHeapFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'lw-outbox-heap-'));
  try {
    const child = fileURLToPath(new URL('./outbox-heap-child.js', import.meta.url));
    const { stdout } = await run(process.execPath, ['--expose-gc', child, dir, memory, String(readings)], {
      maxBuffer: 1024 * 1024,
    });
    return JSON.parse(stdout) as OutboxHeapFigures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Heap held by an outbox with `readings` unacknowledged readings, with and without the memory window. */
export async function runOutboxHeap(readings: number, log: (s: string) => void): Promise<OutboxHeapResult> {
  const all = await measure('all', readings);
  log(`outbox heap, ${readings} unacked readings all in memory: ${all.heap_mb_after_append} MB`);
  const window = await measure('10000', readings);
  log(`outbox heap, ${readings} unacked readings, 10k in memory: ${window.heap_mb_after_append} MB`);
  return { readings, all_in_memory: all, window_10k: window };
}
