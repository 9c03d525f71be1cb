import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@linkwell/firmware-protocol';
import { DurableOutbox } from '@linkwell/gateway';

/** A realistic heart-rate reading as the gateway stores it (≈ 300 bytes of JSON). */
export function benchReading(i: number): Reading {
  const t = 1_700_000_000_000 + i * 1000;
  return {
    id: (0x1000_0000_0000_0000n + BigInt(i)).toString(16),
    device: 'D0:00:00:00:00:01',
    slot: null,
    metric: 'heart_rate',
    char: '2a37',
    t,
    rt: t + 50,
    time_source: 'gateway',
    values: { bpm: 60 + (i % 40) },
    quality: [],
    raw: '16440155035d03',
    parser: 'firmware-protocol/0.1.0',
  };
}

export interface OutboxBenchResult {
  /** Baseline: one write + fdatasync per reading, the cost a naive durable queue pays. */
  raw_fsync_per_reading_per_s: number;
  /** DurableOutbox with one appender awaiting each append (no group commit possible). */
  outbox_serial_per_s: number;
  /** DurableOutbox with `concurrency` appenders in flight: one fdatasync serves all of them. */
  outbox_concurrent_per_s: number;
  concurrency: number;
  /** Readings appended in batches of 10 (one envelope's worth from a device burst). */
  outbox_batch10_per_s: number;
  /** outbox_concurrent / raw baseline: what group commit buys. */
  group_commit_ratio: number;
}

async function timed(label: string, n: number, fn: () => Promise<void>, log: (s: string) => void) {
  const t0 = performance.now();
  await fn();
  const rate = Math.round((n / (performance.now() - t0)) * 1000);
  log(`${label}: ${rate.toLocaleString('en-US')} readings/s`);
  return rate;
}

/** Outbox append throughput with fsync, against raw write+fdatasync in the same process and disk. */
export async function runOutboxBench(
  opts: { readings: number; concurrency: number },
  log: (s: string) => void,
): Promise<OutboxBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lw-outbox-bench-'));
  try {
    const n = opts.readings;
    const raw = await timed(
      'raw write+fdatasync per reading',
      n,
      async () => {
        const fh = await open(join(dir, 'raw.log'), 'a');
        for (let i = 0; i < n; i++) {
          await fh.write(`${JSON.stringify({ s: i, r: benchReading(i) })}\n`);
          await fh.datasync();
        }
        await fh.close();
      },
      log,
    );

    const serialBox = await DurableOutbox.open<Reading>({ dir: join(dir, 'serial') });
    const serial = await timed(
      'outbox, one appender',
      n,
      async () => {
        for (let i = 0; i < n; i++) await serialBox.append([benchReading(i)]);
      },
      log,
    );
    await serialBox.close();

    const concBox = await DurableOutbox.open<Reading>({ dir: join(dir, 'concurrent') });
    const concurrent = await timed(
      `outbox, ${opts.concurrency} appenders`,
      n,
      async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: opts.concurrency }, async () => {
            while (next < n) await concBox.append([benchReading(next++)]);
          }),
        );
      },
      log,
    );
    await concBox.close();

    const batchBox = await DurableOutbox.open<Reading>({ dir: join(dir, 'batch') });
    const batch10 = await timed(
      'outbox, batches of 10',
      n,
      async () => {
        for (let i = 0; i < n; i += 10)
          await batchBox.append(Array.from({ length: 10 }, (_, k) => benchReading(i + k)));
      },
      log,
    );
    await batchBox.close();

    return {
      raw_fsync_per_reading_per_s: raw,
      outbox_serial_per_s: serial,
      outbox_concurrent_per_s: concurrent,
      concurrency: opts.concurrency,
      outbox_batch10_per_s: batch10,
      group_commit_ratio: Math.round((concurrent / raw) * 100) / 100,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
