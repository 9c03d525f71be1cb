import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableOutbox } from './durable-outbox.js';
import { readOutboxStats } from './outbox-stats.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lw-outbox-stats-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readings = (ts: number[]) => ts.map((t) => ({ t, v: 'x'.repeat(t % 7) }));

async function snapshot(d: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of (await readdir(d)).sort()) out[n] = await readFile(join(d, n), 'utf8');
  return out;
}

describe('readOutboxStats', () => {
  it('counts what DurableOutbox counts (items, bytes), finds the oldest and newest `t`, and writes nothing', async () => {
    const box = await DurableOutbox.open<{ t: number; v: string }>({ dir, segmentBytes: 200 });
    for (const t of [5000, 1000, 9000, 3000, 7000, 2000, 8000]) await box.append(readings([t]));
    const taken = box.take(3); // t = 5000, 1000, 9000
    await box.ack(taken.map((x) => x.seq));
    const before = await snapshot(dir);

    const stats = await readOutboxStats(dir);
    expect(stats).toMatchObject({
      exists: true,
      items: box.size,
      bytes: box.bytes,
      damagedLines: 0,
      oldestAt: 2000,
      newestAt: 8000,
    });
    expect(stats.items).toBe(4);
    expect(stats.segments).toBeGreaterThan(1);
    expect(await snapshot(dir)).toEqual(before);
    await box.close();
  });

  it('skips a torn last line and reports damaged ones, as recovery does', async () => {
    const box = await DurableOutbox.open<{ t: number; v: string }>({ dir });
    await box.append(readings([4000, 6000]));
    await box.close();
    const seg = (await readdir(dir)).find((n) => n.startsWith('seg-'))!;
    await appendFile(join(dir, seg), 'garbage\n{"s":99,"r":{"t":1}'); // one damaged line, then a torn one
    const stats = await readOutboxStats(dir);
    expect(stats).toMatchObject({ items: 2, damagedLines: 1, oldestAt: 4000, newestAt: 6000 });
    const reopened = await DurableOutbox.open<{ t: number }>({ dir });
    expect(reopened.size).toBe(stats.items);
    await reopened.close();
  });

  it('reports a missing directory without creating it', async () => {
    const missing = join(dir, 'never-ran');
    expect(await readOutboxStats(missing)).toEqual({
      exists: false,
      items: 0,
      bytes: 0,
      segments: 0,
      damagedLines: 0,
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
