import { appendFile, mkdtemp, open as openFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecord } from './framing.js';
import { openSpool, type Spool } from './spool.js';
import { segmentName } from './spool-files.js';

const line = (i: number) =>
  `heart_rate,account=a,device=d bpm=${60 + (i % 40)} ${1_700_000_000_000 + i * 1000}`;
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => line(from + i));

async function drainAll(s: Spool, maxLines = 1000): Promise<string[]> {
  const out: string[] = [];
  for (let b = await s.peek(maxLines); b; b = await s.peek(maxLines)) {
    out.push(...b.lines);
    await s.ack(b);
  }
  return out;
}

const segmentFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.seg')).sort();

describe('Spool', () => {
  let dir: string;
  const open = (o: Partial<Parameters<typeof openSpool>[1]> = {}) =>
    openSpool(dir, { maxBytes: 1024 * 1024, ...o });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays three batches of 2, 3 and 1 lines in append order, then reports itself empty', async () => {
    const s = await open();
    await s.append(batch(0, 2));
    await s.append(batch(2, 3));
    await s.append(batch(5, 1));
    expect(s.stats()).toMatchObject({ batches: 3, lines: 6, segments: 1, full: false });
    const first = await s.peek(2);
    expect(first?.lines).toEqual(batch(0, 2));
    // Nothing moves until ack: a second peek sees the same batch.
    expect((await s.peek(2))?.lines).toEqual(batch(0, 2));
    await s.ack(first!);
    expect(await drainAll(s)).toEqual(batch(2, 4));
    expect(s.stats()).toMatchObject({ batches: 0, lines: 0, bytes: 0, oldestAgeMs: null });
    await s.close();
  });

  it('reports the age of the oldest spooled batch from the injected clock', async () => {
    let now = 1_000;
    const s = await open({ now: () => now });
    await s.append(batch(0, 1));
    now = 3_000;
    await s.append(batch(1, 1));
    now = 6_000;
    expect(s.stats().oldestAgeMs).toBe(5_000);
    await s.ack((await s.peek(1))!);
    expect(s.stats().oldestAgeMs).toBe(3_000);
    await s.close();
  });

  it('merges consecutive batches up to maxLines into one replayed write', async () => {
    const s = await open();
    for (let i = 0; i < 5; i++) await s.append(batch(i * 2, 2));
    const b = await s.peek(6);
    expect(b).toMatchObject({ records: 3, lineCount: 6, lines: batch(0, 6) });
    await s.close();
  });

  it('refuses with INGEST_ERR_SPOOL_FULL at its byte bound without evicting, and accepts again after a replay', async () => {
    const one = encodeRecord(batch(0, 1), 0).length;
    const s = await open({ maxBytes: one * 3 });
    await s.append(batch(0, 1));
    await s.append(batch(1, 1));
    await s.append(batch(2, 1));
    await expect(s.append(batch(3, 1))).rejects.toMatchObject({ code: 'INGEST_ERR_SPOOL_FULL' });
    expect(s.stats()).toMatchObject({ batches: 3, bytes: one * 3, full: true });

    const b = await s.peek(1);
    await s.ack(b!);
    expect(s.stats().full).toBe(false);
    await s.append(batch(3, 1));
    expect(await drainAll(s)).toEqual(batch(1, 3));
    await s.close();
  });

  it('counts queued appends against the bound, so 4 concurrent appends into room for 3 refuse exactly 1', async () => {
    const one = encodeRecord(batch(0, 1), 0).length;
    const s = await open({ maxBytes: one * 3 });
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => s.append(batch(i, 1))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    await s.close();
  });

  it('honours a line bound of 5 independently of bytes', async () => {
    const s = await open({ maxLines: 5 });
    await s.append(batch(0, 4));
    await expect(s.append(batch(4, 2))).rejects.toMatchObject({ code: 'INGEST_ERR_SPOOL_FULL' });
    await s.append(batch(4, 1));
    expect(s.stats()).toMatchObject({ lines: 5, maxLines: 5 });
    await s.close();
  });

  it('group-commits: 50 appends issued together share one fsync, appends during it share the next', async () => {
    const s = await open();
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.append(batch(i, 1))));
    expect(s.stats().commits).toBe(1);

    const firstGroup = s.append(batch(50, 1));
    // Once that append's write has started, 10 more issued together still cost one more fsync, not ten.
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 10 }, (_, i) => s.append(batch(51 + i, 1)));
    await Promise.all([firstGroup, ...later]);
    expect(s.stats().commits).toBe(3);
    expect(await drainAll(s)).toEqual(batch(0, 61));
    await s.close();
  });

  it('rotates to a new segment past segmentBytes and deletes each segment once fully replayed', async () => {
    const one = encodeRecord(batch(0, 1), 0).length;
    const s = await open({ segmentBytes: one * 2 });
    for (let i = 0; i < 6; i++) await s.append(batch(i, 1));
    expect(await segmentFiles(dir)).toEqual([segmentName(1), segmentName(2), segmentName(3)]);
    expect(s.stats().segments).toBe(3);

    await s.ack((await s.peek(2))!);
    expect(await segmentFiles(dir)).toEqual([segmentName(2), segmentName(3)]);
    expect(await drainAll(s)).toEqual(batch(2, 4));
    await s.close();
    expect(await segmentFiles(dir)).toEqual([]);
  });

  it('after a reopen resumes replay at the persisted cursor; an un-acked batch is sent again', async () => {
    let s = await open();
    for (let i = 0; i < 4; i++) await s.append(batch(i * 2, 2));
    await s.ack((await s.peek(2))!);
    // Peeked but never acked: as if the process died during that write.
    expect((await s.peek(2))?.lines).toEqual(batch(2, 2));
    await s.close();

    s = await open();
    expect(s.recovery).toMatchObject({ batches: 3, lines: 6, tornTailBytes: 0 });
    expect(await drainAll(s, 2)).toEqual(batch(2, 6));
    await s.close();

    s = await open();
    expect(s.stats()).toMatchObject({ batches: 0, segments: 0 });
    await s.append(batch(100, 1));
    expect(await drainAll(s)).toEqual(batch(100, 1));
    await s.close();
  });

  it('ignores and truncates a torn last record (kill -9 mid-append), keeping the 2 complete batches', async () => {
    let s = await open();
    await s.append(batch(0, 2));
    await s.append(batch(2, 2));
    await s.close();
    const file = join(dir, segmentName(1));
    const intact = (await stat(file)).size;
    const torn = encodeRecord(batch(4, 3), 0).subarray(0, 37);
    await appendFile(file, torn);

    s = await open();
    expect(s.recovery).toMatchObject({ batches: 2, lines: 4, tornTailBytes: 37, corruptBytes: 0 });
    expect((await stat(file)).size).toBe(intact);
    await s.append(batch(10, 1));
    expect(await drainAll(s)).toEqual([...batch(0, 4), ...batch(10, 1)]);
    await s.close();
  });

  it('treats a zero-filled tail as torn, not as records', async () => {
    let s = await open();
    await s.append(batch(0, 1));
    await s.close();
    await appendFile(join(dir, segmentName(1)), Buffer.alloc(4096));
    s = await open();
    expect(s.recovery).toMatchObject({ batches: 1, tornTailBytes: 4096 });
    expect(await drainAll(s)).toEqual(batch(0, 1));
    await s.close();
  });

  it('cuts a damaged record out of an older segment at open and keeps its bytes in a .corrupt file', async () => {
    const one = encodeRecord(batch(0, 1), 0).length;
    let s = await open({ segmentBytes: one * 2 });
    for (let i = 0; i < 4; i++) await s.append(batch(i, 1));
    await s.close();
    await flipByte(join(dir, segmentName(1)), one + 20);

    s = await open();
    expect(s.recovery).toMatchObject({ batches: 3, corruptBytes: one, tornTailBytes: 0 });
    expect((await readdir(dir)).filter((f) => f.startsWith(`${segmentName(1)}.corrupt-`))).toHaveLength(1);
    expect(await drainAll(s)).toEqual([line(0), line(2), line(3)]);
    await s.close();
  });

  it('returns a record damaged after it was written as corrupt instead of as lines', async () => {
    const one = encodeRecord(batch(0, 1), 0).length;
    const s = await open();
    await s.append(batch(0, 1));
    await s.append(batch(1, 1));
    await flipByte(join(dir, segmentName(1)), one + 30);
    const b = await s.peek(10);
    expect(b?.lines).toEqual(batch(0, 1));
    expect(b?.corrupt).toEqual([{ segment: 1, offset: one, raw: expect.any(Buffer) }]);
    expect(b?.corrupt[0]?.raw.length).toBe(one);
    await s.close();
  });

  it('refuses appends after close with INGEST_ERR_SPOOL_IO but finishes those already accepted', async () => {
    const s = await open();
    const accepted = s.append(batch(0, 1));
    const closing = s.close();
    await expect(s.append(batch(1, 1))).rejects.toMatchObject({ code: 'INGEST_ERR_SPOOL_IO' });
    await accepted;
    await closing;
    const again = await open();
    expect(again.stats().lines).toBe(1);
    await again.close();
  });
});

async function flipByte(file: string, at: number): Promise<void> {
  const fh = await openFile(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}
