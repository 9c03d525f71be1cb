import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableOutbox } from './durable-outbox.js';
import { readOutboxStats } from './outbox-stats.js';

// The outbox keeps only its oldest `memoryItems` unacknowledged items in memory; these tests push far more
// than that through it, across many segments, and check that order, exactly-once delivery, the counts and
// recovery are what they are with everything in memory.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lw-outbox-window-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Item = { n: number; pad: string };
const items = (from: number, n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ n: from + i, pad: 'p'.repeat((from + i) % 23) }));
const segmentFiles = async () => (await readdir(dir)).filter((n) => n.startsWith('seg-')).length;
const MEMORY = 50;
const opts = () => ({ dir, memoryItems: MEMORY, segmentBytes: 8 * 1024 });

/** A deterministic generator, so a failing run can be repeated. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Takes and acks until the outbox is empty; returns the `n` of every item handed out, in order. */
async function drain(box: DurableOutbox<Item>, batch: number, maxResident: number[]): Promise<number[]> {
  const out: number[] = [];
  while (box.size > 0) {
    const got = box.take(batch);
    expect(got.length).toBeGreaterThan(0);
    out.push(...got.map((x) => x.item.n));
    await box.ack(got.map((x) => x.seq));
    maxResident.push(box.resident);
    // Once an ack resolved, the window is refilled as far as the disk allows.
    expect(box.resident).toBe(Math.min(MEMORY, box.size));
  }
  return out;
}

describe('DurableOutbox with a bounded in-memory window', () => {
  it('hands out thousands of items across many segments in order, exactly once, with at most memoryItems in memory', async () => {
    const box = await DurableOutbox.open<Item>(opts());
    const resident: number[] = [];
    const N = 4000;
    const rand = lcg(7);
    let appended = 0;
    let producing = true;
    const taken: number[] = [];
    // Producer and consumer run concurrently, so appends land while older items wait on disk.
    const producer = (async () => {
      while (appended < N) {
        const n = Math.min(N - appended, 1 + Math.floor(rand() * 60));
        const batch = items(appended, n);
        appended += n;
        await box.append(batch);
        resident.push(box.resident);
      }
      producing = false;
    })();
    const consumer = (async () => {
      // Start once a backlog has built up, so most of it lives only on disk.
      while (appended < 1500) await new Promise((r) => setTimeout(r, 1));
      expect(await segmentFiles()).toBeGreaterThan(5);
      expect(box.resident).toBe(MEMORY);
      while (producing || box.size > 0) {
        const got = box.take(1 + Math.floor(rand() * 40));
        if (got.length === 0) {
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        taken.push(...got.map((x) => x.item.n));
        await box.ack(got.map((x) => x.seq));
        resident.push(box.resident);
      }
    })();
    await Promise.all([producer, consumer]);
    expect(taken).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(Math.max(...resident)).toBe(MEMORY);
    expect(box.size).toBe(0);
    expect(box.bytes).toBe(0);
    expect(await segmentFiles()).toBe(1);
    await box.close();
  });

  it('holds only memoryItems after appending a backlog, and counts size and bytes as readOutboxStats does', async () => {
    const box = await DurableOutbox.open<Item>(opts());
    for (let i = 0; i < 3000; i += 100) await box.append(items(i, 100));
    expect(box.size).toBe(3000);
    expect(box.resident).toBe(MEMORY);
    expect(await segmentFiles()).toBeGreaterThan(5);
    const stats = await readOutboxStats(dir);
    expect(stats).toMatchObject({ items: 3000, bytes: box.bytes, damagedLines: 0 });
    const resident: number[] = [];
    expect(await drain(box, 37, resident)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(Math.max(...resident)).toBe(MEMORY);
    await box.close();
  });

  it('resumes after a restart mid-way: acked items stay gone, the in-flight ones come back first, in order', async () => {
    const a = await DurableOutbox.open<Item>(opts());
    for (let i = 0; i < 3000; i += 250) await a.append(items(i, 250));
    const first: number[] = [];
    while (first.length < 1200) {
      const got = a.take(40);
      first.push(...got.map((x) => x.item.n));
      await a.ack(got.map((x) => x.seq));
    }
    const unacked = a.take(30); // on the wire when the gateway stops: no PUBACK, no ack
    expect(unacked[0]?.item.n).toBe(1200);
    const bytesBefore = a.bytes;
    await a.close();

    const b = await DurableOutbox.open<Item>(opts());
    expect(b.size).toBe(1800);
    expect(b.resident).toBe(MEMORY);
    expect(b.bytes).toBe(bytesBefore);
    expect((await readOutboxStats(dir)).bytes).toBe(b.bytes);
    // Appends after the restart queue behind the backlog on disk.
    expect(await b.append(items(3000, 5))).toEqual([3001, 3002, 3003, 3004, 3005]);
    const rest = await drain(b, 64, []);
    expect([...first, ...rest]).toEqual(Array.from({ length: 3005 }, (_, i) => i));
    await b.close();
  });

  it('acks items that were never taken and are not in memory, exactly, and skips them when they are read back', async () => {
    const box = await DurableOutbox.open<Item>({ ...opts(), memoryItems: 20 });
    await box.append(items(0, 600));
    const gone = [150, 151, 420, 600]; // sequence numbers (item n + 1)
    await box.ack([...gone, 9999]);
    expect(box.size).toBe(596);
    expect(box.resident).toBe(20);
    expect(await readOutboxStats(dir)).toMatchObject({ items: 596, bytes: box.bytes });
    // Acking the same ones again changes nothing.
    await box.ack(gone);
    expect(box.size).toBe(596);
    const out: number[] = [];
    while (box.size > 0) {
      const got = box.take(33);
      out.push(...got.map((x) => x.seq));
      await box.ack(got.map((x) => x.seq));
    }
    const want = Array.from({ length: 600 }, (_, i) => i + 1).filter((s) => !gone.includes(s));
    expect(out).toEqual(want);
    expect(box.bytes).toBe(0);
    await box.close();
    const again = await DurableOutbox.open<Item>(opts());
    expect(again.size).toBe(0);
    await again.close();
  });

  it('recovers from a torn segment tail, a damaged line and a torn ack line with the backlog on disk', async () => {
    const a = await DurableOutbox.open<Item>(opts());
    for (let i = 0; i < 1000; i += 100) await a.append(items(i, 100));
    await a.close();
    const segs = (await readdir(dir)).filter((n) => n.startsWith('seg-')).sort();
    // A line in the middle of the backlog destroyed (the next line survives), a torn write at the very end,
    // and an ack of item seq 3xx that a power cut tore after its first digit.
    const middle = join(dir, segs[2]!);
    const text = await readFile(middle, 'utf8');
    const lines = text.split('\n');
    const victim = JSON.parse(lines[3]!) as { s: number };
    await rm(middle);
    await appendFile(middle, [...lines.slice(0, 3), 'x'.repeat(20), ...lines.slice(4)].join('\n'));
    await appendFile(join(dir, segs.at(-1)!), '{"s":1001,"r":{"n":10');
    await appendFile(join(dir, 'acks.log'), '3');

    const b = await DurableOutbox.open<Item>(opts());
    expect(b.damagedLines).toBe(1);
    expect(b.size).toBe(999);
    expect(b.resident).toBe(MEMORY);
    // The torn ack was never acknowledged to anyone; the next ack must not be glued onto it ("320").
    await b.ack([20]);
    await b.close();

    const c = await DurableOutbox.open<Item>(opts());
    expect(c.size).toBe(998);
    const seqs: number[] = [];
    while (c.size > 0) {
      const got = c.take(45);
      seqs.push(...got.map((x) => x.seq));
      await c.ack(got.map((x) => x.seq));
    }
    const want = Array.from({ length: 1000 }, (_, i) => i + 1).filter((s) => s !== 20 && s !== victim.s);
    expect(seqs).toEqual(want);
    expect(await c.append(items(5000, 1))).toEqual([1001]);
    await c.close();
  });

  it('loses nothing it acknowledged when killed with SIGKILL while most items live only on disk', async () => {
    const script = fileURLToPath(new URL('../../test/fixtures/outbox-writer.mjs', import.meta.url));
    // The writer acks two of every five items right after appending them, so with a window of 20 nearly
    // every ack is of an item that is not in memory.
    const child = spawn(process.execPath, [script, dir, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (out.split('\n').length > 700) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lines = out.split('\n').slice(0, -1);
    const stored = lines.filter((l) => l.startsWith('S ')).map((l) => Number(l.slice(2)));
    const acked = new Set(lines.filter((l) => l.startsWith('A ')).map((l) => Number(l.slice(2))));
    const acking = new Set(lines.filter((l) => l.startsWith('a ')).map((l) => Number(l.slice(2))));
    const box = await DurableOutbox.open<{ n: number }>({ dir, memoryItems: 20 });
    const present: number[] = [];
    while (box.size > 0) {
      const got = box.take(50);
      present.push(...got.map((x) => x.seq));
      await box.ack(got.map((x) => x.seq));
    }
    expect(stored.length).toBeGreaterThan(300);
    expect(present).toEqual([...present].sort((x, y) => x - y));
    const has = new Set(present);
    expect(stored.filter((s) => !acking.has(s) && !has.has(s))).toEqual([]);
    expect([...acked].filter((s) => has.has(s))).toEqual([]);
    await box.close();
  });
});
