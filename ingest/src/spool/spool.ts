import { type FileHandle, mkdir, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngestError } from '../errors.js';
import { decodeLines, encodeRecord, scanRecords } from './framing.js';
import {
  listSegments,
  readCursor,
  type SpoolCursor,
  segmentName,
  syncDir,
  writeCursor,
} from './spool-files.js';

export interface SpoolOptions {
  /** Bound on bytes not yet replayed (framing included). At the bound `append` refuses; nothing is evicted. */
  maxBytes: number;
  /** Optional second bound, on lines not yet replayed. */
  maxLines?: number;
  /** A new segment file starts once the current one has reached this size. */
  segmentBytes?: number;
  now?: () => number;
}

export interface SpoolStats {
  /** Segment files on disk, the one being appended to included. */
  segments: number;
  batches: number;
  lines: number;
  /** Bytes not yet replayed; the disk holds at most one segment more (the replayed head of the oldest). */
  bytes: number;
  oldestAgeMs: number | null;
  maxBytes: number;
  maxLines: number | null;
  /** An append was refused at the bound and no batch has been replayed since. */
  full: boolean;
  /** Group commits (one write + one fsync each) since open. */
  commits: number;
}

/** What `open` found: a torn tail is an append that crashed before its fsync, so it was never acknowledged. */
export interface SpoolRecovery {
  batches: number;
  lines: number;
  tornTailBytes: number;
  /** Bytes after a damaged record in an older segment, copied to `<segment>.corrupt-<ms>` and cut off. */
  corruptBytes: number;
}

export interface SpooledBatch {
  lines: string[];
  /** Records that no longer match their checksum when read back (disk damage since they were written). */
  corrupt: { segment: number; offset: number; raw: Buffer }[];
  readonly start: SpoolCursor;
  readonly end: SpoolCursor;
  readonly records: number;
  readonly bytes: number;
  readonly lineCount: number;
}

interface Entry {
  segment: number;
  offset: number;
  size: number;
  lines: number;
  at: number;
}

interface Pending {
  buf: Buffer;
  lines: number;
  at: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * Append-only, segmented on-disk queue of line-protocol batches (see docs/ingest.md, "Spool and durable
 * writes"). Appends are group-committed: every append that arrives while an fsync is running shares the
 * next one. One consumer replays with `peek` then `ack`, strictly in append order.
 */
export class Spool {
  private readonly entries: Entry[] = [];
  private head = 0;
  /** Per segment file: committed size and records not yet replayed. */
  private readonly segments = new Map<number, { size: number; live: number }>();
  private active: { n: number; fh: FileHandle; size: number } | undefined;
  private liveBytes = 0;
  private liveLines = 0;
  /** Live plus queued-but-not-yet-fsync'd: what the bound is checked against. */
  private reservedBytes = 0;
  private reservedLines = 0;
  private pending: Pending[] = [];
  private flushQueued = false;
  private io: Promise<void> = Promise.resolve();
  private refused = false;
  private closed = false;
  private commits = 0;

  private constructor(
    private readonly dir: string,
    private readonly opts: Required<Omit<SpoolOptions, 'maxLines'>> & { maxLines: number | undefined },
    private nextSegment: number,
    readonly recovery: SpoolRecovery,
  ) {}

  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const opts = {
      maxBytes: options.maxBytes,
      maxLines: options.maxLines,
      segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      now: options.now ?? Date.now,
    };
    const cursor = await readCursor(dir);
    const numbers = await listSegments(dir);
    const last = numbers.at(-1) ?? 0;
    const recovery: SpoolRecovery = { batches: 0, lines: 0, tornTailBytes: 0, corruptBytes: 0 };
    const spool = new Spool(dir, opts, Math.max(last, cursor?.segment ?? 0) + 1, recovery);
    for (const n of numbers) await spool.recoverSegment(n, n === last, cursor);
    await syncDir(dir);
    recovery.batches = spool.entries.length;
    recovery.lines = spool.liveLines;
    return spool;
  }

  private async recoverSegment(n: number, isLast: boolean, cursor: SpoolCursor | undefined): Promise<void> {
    const path = join(this.dir, segmentName(n));
    if (cursor && n < cursor.segment) return unlink(path);
    const buf = await readFile(path);
    const { records, validEnd } = scanRecords(buf);
    if (validEnd < buf.length) {
      if (isLast) this.recovery.tornTailBytes += buf.length - validEnd;
      else {
        this.recovery.corruptBytes += buf.length - validEnd;
        await writeFile(join(this.dir, `${segmentName(n)}.corrupt-${Date.now()}`), buf.subarray(validEnd));
      }
      const fh = await open(path, 'r+');
      try {
        await fh.truncate(validEnd);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    const live = records.filter((r) => !cursor || n > cursor.segment || r.offset >= cursor.offset);
    if (live.length === 0) return unlink(path);
    this.segments.set(n, { size: validEnd, live: live.length });
    for (const r of live) {
      this.entries.push({ segment: n, offset: r.offset, size: r.size, lines: r.lineCount, at: r.at });
      this.liveBytes += r.size;
      this.liveLines += r.lineCount;
    }
    this.reservedBytes = this.liveBytes;
    this.reservedLines = this.liveLines;
  }

  /** Resolves once the batch is fsync'd; rejects with INGEST_ERR_SPOOL_FULL at the bound, SPOOL_IO on a disk error. */
  append(lines: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new IngestError('INGEST_ERR_SPOOL_IO', 'the spool is closed'));
    if (lines.length === 0) return Promise.resolve();
    const at = this.opts.now();
    const buf = encodeRecord(lines, at);
    const { maxBytes, maxLines } = this.opts;
    if (
      this.reservedBytes + buf.length > maxBytes ||
      (maxLines !== undefined && this.reservedLines + lines.length > maxLines)
    ) {
      this.refused = true;
      return Promise.reject(
        new IngestError(
          'INGEST_ERR_SPOOL_FULL',
          `spool holds ${this.reservedBytes} of ${maxBytes} bytes and ${this.reservedLines} lines; ` +
            `a batch of ${lines.length} lines (${buf.length} bytes) does not fit`,
        ),
      );
    }
    this.reservedBytes += buf.length;
    this.reservedLines += lines.length;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ buf, lines: lines.length, at, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        this.io = this.io.then(() => this.flushGroup());
      }
    });
  }

  /** Writes every append queued so far with one write and one fsync. Never rejects: it settles the appends. */
  private async flushGroup(): Promise<void> {
    this.flushQueued = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    const data = group.length === 1 ? group[0]!.buf : Buffer.concat(group.map((g) => g.buf));
    const lines = group.reduce((s, g) => s + g.lines, 0);
    let target: { n: number; fh: FileHandle; size: number } | undefined;
    try {
      target = await this.activeForAppend();
      for (let done = 0; done < data.length; ) {
        const { bytesWritten } = await target.fh.write(data, done, data.length - done, target.size + done);
        done += bytesWritten;
      }
      await target.fh.datasync();
    } catch (err) {
      this.reservedBytes -= data.length;
      this.reservedLines -= lines;
      // Part of the group may be on disk: cut it off and start a fresh segment, so nothing unacknowledged
      // ever sits between acknowledged records.
      if (target) {
        await target.fh.truncate(target.size).catch(() => {});
        await this.closeActive().catch(() => {});
      }
      const e = new IngestError('INGEST_ERR_SPOOL_IO', `spool append failed: ${(err as Error).message}`, {
        cause: err,
      });
      for (const g of group) g.reject(e);
      return;
    }
    let offset = target.size;
    for (const g of group) {
      this.entries.push({ segment: target.n, offset, size: g.buf.length, lines: g.lines, at: g.at });
      offset += g.buf.length;
    }
    target.size = offset;
    const seg = this.segments.get(target.n)!;
    seg.size = offset;
    seg.live += group.length;
    this.liveBytes += data.length;
    this.liveLines += lines;
    this.commits++;
    for (const g of group) g.resolve();
  }

  private async activeForAppend(): Promise<{ n: number; fh: FileHandle; size: number }> {
    if (this.active && this.active.size >= this.opts.segmentBytes) await this.closeActive();
    if (!this.active) {
      const n = this.nextSegment++;
      const fh = await open(join(this.dir, segmentName(n)), 'wx');
      await syncDir(this.dir);
      this.active = { n, fh, size: 0 };
      this.segments.set(n, { size: 0, live: 0 });
    }
    return this.active;
  }

  private async closeActive(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = undefined;
    await a.fh.close();
    if (this.segments.get(a.n)?.live === 0) await this.deleteSegment(a.n);
  }

  private async deleteSegment(n: number): Promise<void> {
    this.segments.delete(n);
    await unlink(join(this.dir, segmentName(n))).catch((err: NodeJS.ErrnoException) => {
      // Gone already is fine; anything else leaves a replayed file that the next open deletes.
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /**
   * The oldest batches not yet replayed, up to `maxLines` lines (at least one record), all from one
   * segment. Nothing changes until `ack`.
   */
  async peek(maxLines: number): Promise<SpooledBatch | undefined> {
    const first = this.entries[this.head];
    if (!first) return undefined;
    const taken: Entry[] = [];
    let lineCount = 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.segment !== first.segment || (taken.length > 0 && lineCount + e.lines > maxLines)) break;
      taken.push(e);
      lineCount += e.lines;
    }
    const last = taken.at(-1)!;
    const bytes = last.offset + last.size - first.offset;
    const buf = Buffer.allocUnsafe(bytes);
    const fh = await open(join(this.dir, segmentName(first.segment)), 'r');
    try {
      for (let done = 0; done < bytes; ) {
        const { bytesRead } = await fh.read(buf, done, bytes - done, first.offset + done);
        if (bytesRead === 0) throw new IngestError('INGEST_ERR_SPOOL_IO', 'spool segment ended early');
        done += bytesRead;
      }
    } finally {
      await fh.close();
    }
    const lines: string[] = [];
    const corrupt: SpooledBatch['corrupt'] = [];
    for (const e of taken) {
      const raw = buf.subarray(e.offset - first.offset, e.offset - first.offset + e.size);
      const decoded = decodeLines(raw);
      if (decoded) for (const l of decoded) lines.push(l);
      else corrupt.push({ segment: e.segment, offset: e.offset, raw: Buffer.from(raw) });
    }
    return {
      lines,
      corrupt,
      start: { segment: first.segment, offset: first.offset },
      end: { segment: last.segment, offset: last.offset + last.size },
      records: taken.length,
      bytes,
      lineCount,
    };
  }

  /** Marks a peeked batch as written: persists the cursor past it, then deletes fully replayed segments. */
  async ack(batch: SpooledBatch): Promise<void> {
    const first = this.entries[this.head];
    if (!first || first.segment !== batch.start.segment || first.offset !== batch.start.offset) {
      throw new IngestError('INGEST_ERR_SPOOL_IO', 'spool ack does not match the oldest batch');
    }
    await writeCursor(this.dir, batch.end);
    this.head += batch.records;
    this.liveBytes -= batch.bytes;
    this.liveLines -= batch.lineCount;
    this.reservedBytes -= batch.bytes;
    this.reservedLines -= batch.lineCount;
    this.refused = false;
    this.segments.get(batch.start.segment)!.live -= batch.records;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    for (const [n, seg] of this.segments) {
      // A failed unlink only leaves a replayed file behind, which the next open deletes.
      if (seg.live === 0 && n !== this.active?.n) await this.deleteSegment(n).catch(() => {});
    }
    const a = this.active;
    if (a && a.size > 0 && this.segments.get(a.n)?.live === 0) {
      // Drained up to the segment being appended to: retire it now rather than keep replayed bytes on disk
      // until it fills. Queued behind appends so a group in flight is never cut off.
      this.io = this.io.then(async () => {
        if (this.active === a && this.segments.get(a.n)?.live === 0) await this.closeActive().catch(() => {});
      });
    }
  }

  stats(): SpoolStats {
    const oldest = this.entries[this.head];
    return {
      segments: this.segments.size,
      batches: this.entries.length - this.head,
      lines: this.liveLines,
      bytes: this.liveBytes,
      oldestAgeMs: oldest ? Math.max(0, this.opts.now() - oldest.at) : null,
      maxBytes: this.opts.maxBytes,
      maxLines: this.opts.maxLines ?? null,
      full: this.refused,
      commits: this.commits,
    };
  }

  /** Finishes the appends already accepted, then closes; later appends reject with INGEST_ERR_SPOOL_IO. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let tail = this.io; ; tail = this.io) {
      await tail;
      if (tail === this.io) break;
    }
    await this.closeActive();
  }
}

export function openSpool(dir: string, options: SpoolOptions): Promise<Spool> {
  return Spool.open(dir, options);
}
