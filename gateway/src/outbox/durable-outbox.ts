import { mkdir, open, readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { type Entry, ioError, newSegment, type OnDisk, SEGMENT, type Segment, syncDir } from './segment.js';
import { AppendFile, firstStoredSeq, parseLine, readAckLog, readLines } from './segment-file.js';

export interface DurableOutboxOptions {
  dir: string;
  /** Bound on unacknowledged items; appends past it are refused, never dropped. */
  maxItems?: number;
  /** Bound on the bytes of live segments. */
  maxBytes?: number;
  /** A segment is closed and a new one started past this size; fully acknowledged segments are deleted. */
  segmentBytes?: number;
  /**
   * Unacknowledged items held in memory: the oldest ones, which `take` hands out next. The others stay only
   * in the segment files and are read back, oldest first, as acks make room, so the heap stays bounded
   * whatever `maxItems` is.
   */
  memoryItems?: number;
  /** fdatasync before an append resolves. Only benchmarks that measure the difference turn it off. */
  durable?: boolean;
}

export interface OutboxItem<T> {
  seq: number;
  item: T;
}

/**
 * An on-disk outbox. An item counts as taken only once its line is fsync'd; it leaves only when `ack` is
 * called, which the uplink does after the broker's PUBACK. Acks are logged too, so a restart resends only
 * what was never acknowledged (an ack lost in a crash causes one harmless, idempotent resend).
 *
 * Memory: only the oldest `memoryItems` unacknowledged items are held in memory (the window `take` serves
 * from). Items behind them exist only in the segment files; a read position marks the first byte not read
 * back yet, and acks that make room in the window read on from there, in file order, so items come out in
 * the order they were appended. Per item not in memory nothing is kept: segments count their items and bytes.
 */
export class DurableOutbox<T> {
  private readonly window = new Map<number, Entry<T>>();
  private readonly inFlight = new Set<number>();
  private readonly segments: Segment[] = [];
  private active!: { segment: Segment; file: AppendFile };
  private acks!: AppendFile;
  private nextSeq = 1;
  private liveItems = 0;
  private liveBytes = 0;
  /** The first byte not read back into the window: every live line before it is in memory, none after it. */
  private cursor!: { segment: Segment; offset: number };
  /** Bumped whenever the read position jumps, so a read under way knows its lines are stale. */
  private cursorMoves = 0;
  private filling: Promise<void> | undefined;
  private fillAgain = false;
  /** Serialises what replaces the active segment or the ack log. */
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly memoryItems: number;
  private readonly durable: boolean;
  /** Lines that could not be parsed when the outbox was opened (damaged storage), for the health report. */
  damagedLines = 0;
  /** The last failure to read items back from the segment files; reading is retried on the next take or ack. */
  readError: Error | undefined;

  private constructor(private readonly opts: DurableOutboxOptions) {
    this.maxItems = opts.maxItems ?? 1_000_000;
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = opts.segmentBytes ?? 4 * 1024 * 1024;
    this.memoryItems = Math.max(1, opts.memoryItems ?? 10_000);
    this.durable = opts.durable ?? true;
  }

  static async open<T>(opts: DurableOutboxOptions): Promise<DurableOutbox<T>> {
    const box = new DurableOutbox<T>(opts);
    await box.load();
    return box;
  }

  /** Unacknowledged items, in flight or not, in memory or not. */
  get size(): number {
    return this.liveItems;
  }

  get bytes(): number {
    return this.liveBytes;
  }

  /** Unacknowledged items held in memory right now; never more than `memoryItems`. */
  get resident(): number {
    return this.window.size;
  }

  get capacity(): { maxItems: number; maxBytes: number } {
    return { maxItems: this.maxItems, maxBytes: this.maxBytes };
  }

  private get onDiskOnly(): number {
    return this.liveItems - this.window.size;
  }

  /**
   * Stores items and resolves with their sequence numbers once they are on stable storage. All or
   * nothing: if the batch does not fit the bound it is refused with GATEWAY_ERR_OUTBOX_FULL.
   */
  async append(items: readonly T[]): Promise<number[]> {
    let estimate = 0;
    for (const item of items) estimate += Buffer.byteLength(JSON.stringify({ s: 0, r: item })) + 9;
    this.refuseIfFull(items.length, estimate);
    try {
      await this.writable();
    } catch (e) {
      throw ioError('outbox append failed', e);
    }
    // Other appends may have run while the segment was being replaced.
    this.refuseIfFull(items.length, estimate);
    const { segment, file } = this.active;
    // New items go straight into memory only while nothing older waits on disk, so order is kept.
    const admit =
      this.onDiskOnly === 0 ? Math.max(0, Math.min(items.length, this.memoryItems - this.window.size)) : 0;
    const seqs: number[] = [];
    const sizes: number[] = [];
    let offset = file.bytes;
    let text = '';
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as T;
      const seq = this.nextSeq++;
      const line = `${JSON.stringify({ s: seq, r: item })}\n`;
      const size = Buffer.byteLength(line);
      text += line;
      offset += size;
      this.count(segment, seq, size);
      if (i < admit) {
        this.window.set(seq, { item, segment, bytes: size });
        if (i === admit - 1) this.moveCursor(segment, offset);
      }
      seqs.push(seq);
      sizes.push(size);
    }
    segment.writing += 1;
    try {
      await file.append(text);
    } catch (e) {
      for (let i = 0; i < seqs.length; i++) if (!this.forget(seqs[i]!)) this.uncount(segment, sizes[i]!);
      // The file is cut back to its last whole write before the next append: read on from there.
      if (this.cursor.segment === segment && this.cursor.offset > file.stored)
        this.moveCursor(segment, file.stored);
      throw ioError('outbox append failed', e);
    } finally {
      segment.writing -= 1;
    }
    if (offset > segment.end) segment.end = offset;
    // Items that had to wait on disk for this write can be read back now.
    if (this.needsFill()) void this.fill();
    return seqs;
  }

  /** The oldest items not already in flight, marked in flight until `ack` or `release`. */
  take(max: number): OutboxItem<T>[] {
    const out: OutboxItem<T>[] = [];
    for (const [seq, e] of this.window) {
      if (out.length >= max) break;
      if (this.inFlight.has(seq)) continue;
      this.inFlight.add(seq);
      out.push({ seq, item: e.item });
    }
    // Normally acks refill the window; this retries after a failed read.
    if (this.needsFill()) void this.fill();
    return out;
  }

  /** Returns items to the queue after a failed send, so the next `take` picks them up again in order. */
  release(seqs: readonly number[]): void {
    for (const s of seqs) this.inFlight.delete(s);
  }

  /**
   * Removes acknowledged items, deletes segments that hold nothing live any more, and reads items waiting
   * on disk into the room made in memory before resolving, so the next `take` finds them.
   */
  async ack(seqs: readonly number[]): Promise<void> {
    const inMemory: number[] = [];
    const elsewhere: number[] = [];
    for (const s of seqs) (this.window.has(s) ? inMemory : elsewhere).push(s);
    // Acking an item before `take` handed it out is allowed; when it is not in memory, find it on disk.
    let onDisk: OnDisk[] = [];
    if (elsewhere.length > 0 && this.onDiskOnly > 0) {
      onDisk = await this.findOnDisk(elsewhere);
      // Some may have been read back into memory while the files were searched, ahead of the search.
      const found = new Set(onDisk.map((d) => d.seq));
      for (const s of elsewhere) if (!found.has(s) && this.window.has(s)) inMemory.push(s);
    }
    if (inMemory.length === 0 && onDisk.length === 0) return;
    if (this.acks.failed) await this.acks.recover();
    await this.acks.append(`${[...inMemory, ...onDisk.map((d) => d.seq)].join(',')}\n`);
    const touched = new Set<Segment>();
    for (const s of inMemory) {
      const seg = this.forget(s);
      if (seg) touched.add(seg);
    }
    for (const d of onDisk) {
      const seg = this.forgetOnDisk(d);
      if (seg) touched.add(seg);
    }
    for (const seg of touched)
      if (seg.live === 0 && seg !== this.active.segment && this.segments.includes(seg))
        await this.dropSegment(seg);
    if (this.liveItems === 0 && this.acks.bytes > 1024 * 1024) await this.restartAcks();
    if (this.needsFill()) await this.fill();
  }

  async close(): Promise<void> {
    await this.filling;
    await this.exclusiveTail;
    await this.active.file.close();
    await this.acks.close();
  }

  private refuseIfFull(n: number, bytes: number): void {
    if (this.liveItems + n > this.maxItems || this.liveBytes + bytes > this.maxBytes)
      throw new GatewayError(
        'GATEWAY_ERR_OUTBOX_FULL',
        `outbox holds ${this.liveItems} items / ${this.liveBytes} bytes; refusing ${n} more (bound ${this.maxItems} items / ${this.maxBytes} bytes)`,
      );
  }

  private count(seg: Segment, seq: number, bytes: number): void {
    seg.live += 1;
    seg.bytes += bytes;
    this.liveItems += 1;
    this.liveBytes += bytes;
    if (seq < seg.first) seg.first = seq;
    if (seq > seg.last) seg.last = seq;
  }

  private uncount(seg: Segment, bytes: number): void {
    seg.live -= 1;
    seg.bytes -= bytes;
    this.liveItems -= 1;
    this.liveBytes -= bytes;
  }

  /** Removes an item held in memory; returns its segment, or undefined if it is not in memory. */
  private forget(seq: number): Segment | undefined {
    const e = this.window.get(seq);
    if (!e) return undefined;
    this.window.delete(seq);
    this.inFlight.delete(seq);
    this.uncount(e.segment, e.bytes);
    return e.segment;
  }

  /** Removes an acked item found on disk, unless it was read back (or acked by another call) meanwhile. */
  private forgetOnDisk(d: OnDisk): Segment | undefined {
    if (this.window.has(d.seq)) return this.forget(d.seq);
    const seg = d.segment;
    if (!this.segments.includes(seg) || seg.acked.has(d.seq) || this.readPast(seg, d.offset))
      return undefined;
    seg.acked.add(d.seq);
    this.uncount(seg, d.bytes);
    return seg;
  }

  private readPast(seg: Segment, offset: number): boolean {
    const at = this.segments.indexOf(this.cursor.segment);
    const i = this.segments.indexOf(seg);
    return at > i || (at === i && this.cursor.offset > offset);
  }

  /** Live lines with these sequence numbers past the read position (a rare, slow path: it reads files). */
  private async findOnDisk(seqs: readonly number[]): Promise<OnDisk[]> {
    const wanted = new Set(seqs);
    const found: OnDisk[] = [];
    const from = this.cursor;
    for (const seg of this.segments.slice(this.segments.indexOf(from.segment))) {
      if (wanted.size === 0) break;
      if (![...wanted].some((s) => s >= seg.first && s <= seg.last)) continue;
      const start = seg === from.segment ? from.offset : 0;
      if (start >= seg.end) continue;
      try {
        await readLines(seg.path, start, seg.end, (text, offset, bytes) => {
          const line = parseLine(text);
          if (line && wanted.has(line.s) && !seg.acked.has(line.s)) {
            found.push({ seq: line.s, segment: seg, offset, bytes });
            wanted.delete(line.s);
          }
          return wanted.size > 0;
        });
      } catch (e) {
        // Deleted meanwhile: everything in it was acknowledged.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return found;
  }

  private needsFill(): boolean {
    return this.window.size < this.memoryItems && this.onDiskOnly > 0;
  }

  /** Reads items waiting on disk into memory, oldest first, until the window is full or nothing is left. */
  private fill(): Promise<void> {
    if (this.filling) {
      this.fillAgain = true;
      return this.filling;
    }
    this.filling = this.fillLoop().finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  private async fillLoop(): Promise<void> {
    try {
      do {
        this.fillAgain = false;
        await this.fillOnce();
      } while (this.fillAgain);
      this.readError = undefined;
    } catch (e) {
      this.readError = e instanceof Error ? e : new Error(String(e));
    }
  }

  private async fillOnce(): Promise<void> {
    while (this.needsFill()) {
      const { segment, offset } = this.cursor;
      if (offset >= segment.end) {
        // The rest of this segment is still being written: its append will call fill again.
        if (segment === this.active.segment || segment.writing > 0) return;
        const next = this.segments[this.segments.indexOf(segment) + 1];
        if (!next) return;
        // Left behind with nothing live (its last items were duplicates): delete it, which moves on too.
        if (segment.live === 0) await this.dropSegment(segment);
        else this.moveCursor(next, 0);
        continue;
      }
      const moves = this.cursorMoves;
      const room = this.memoryItems - this.window.size;
      const lineBytes = this.liveBytes / Math.max(1, this.liveItems);
      try {
        await readLines(
          segment.path,
          offset,
          segment.end,
          (text, at, bytes) => {
            if (this.cursorMoves !== moves || !this.needsFill()) return false;
            this.readBack(segment, text, bytes);
            this.cursor.offset = at + bytes;
            return true;
          },
          room * lineBytes * 1.25,
        );
      } catch (e) {
        // Deleted once its last item was acked, which moved the read position on: read on from there.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && this.cursorMoves !== moves) continue;
        throw e;
      }
      if (this.cursorMoves === moves && this.cursor.offset === offset && this.needsFill())
        throw new Error(`${segment.path} ends before byte ${segment.end}`);
    }
  }

  /** One line at the read position: into the window, unless it was acked meanwhile or is not an item. */
  private readBack(segment: Segment, text: string, bytes: number): void {
    const line = text === '' ? undefined : parseLine<T>(text);
    if (!line) return; // damaged storage, counted at open and never live
    if (segment.acked.delete(line.s)) return;
    if (this.window.has(line.s)) {
      // A second line with the same number (damaged storage): counted at open, sent once.
      this.uncount(segment, bytes);
      return;
    }
    this.window.set(line.s, { item: line.r, segment, bytes });
  }

  private moveCursor(segment: Segment, offset: number): void {
    this.cursor = { segment, offset };
    this.cursorMoves += 1;
  }

  /** Makes the active segment fit for an append: cut back after a failed write, replaced once full. */
  private async writable(): Promise<void> {
    while (this.active.file.failed || this.active.file.bytes >= this.segmentBytes)
      await this.exclusive(async () => {
        if (this.active.file.failed) await this.active.file.recover();
        else if (this.active.file.bytes >= this.segmentBytes) await this.roll();
      });
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.exclusiveTail.then(fn);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort();
    const ackPath = join(this.opts.dir, 'acks.log');
    const { acked, end: ackEnd } = await readAckLog(
      ackPath,
      await firstStoredSeq(names.map((n) => join(this.opts.dir, n))),
    );
    // A torn last ack line would be glued to the next one: cut it off (its ack() never resolved).
    const ackSize = (await stat(ackPath).catch(() => undefined))?.size ?? 0;
    if (ackSize > ackEnd) await truncate(ackPath, ackEnd);
    let cursor: { segment: Segment; offset: number } | undefined;
    for (const name of names) {
      const segment = newSegment(this.opts.dir, Number(SEGMENT.exec(name)![1]));
      segment.end = await readLines(segment.path, 0, Number.POSITIVE_INFINITY, (text, offset, bytes) => {
        if (text === '') return true;
        const line = parseLine<T>(text);
        if (!line) {
          this.damagedLines += 1;
          return true;
        }
        this.nextSeq = Math.max(this.nextSeq, line.s + 1);
        if (!cursor) {
          if (acked.has(line.s) || this.window.has(line.s)) return true;
          if (this.window.size < this.memoryItems) {
            this.count(segment, line.s, bytes);
            this.window.set(line.s, { item: line.r, segment, bytes });
            return true;
          }
          // The window is full: from here on only count, and read back later.
          cursor = { segment, offset };
        }
        if (acked.has(line.s)) segment.acked.add(line.s);
        else this.count(segment, line.s, bytes);
        return true;
      });
      this.segments.push(segment);
    }
    for (const seg of this.segments.filter((s) => s.live === 0)) await this.dropSegment(seg);
    this.acks = await AppendFile.open(ackPath, this.durable);
    await this.roll();
    this.cursor = cursor ?? { segment: this.active.segment, offset: 0 };
  }

  private async roll(): Promise<void> {
    const previous = this.active as typeof this.active | undefined;
    const segment = newSegment(this.opts.dir, (this.segments.at(-1)?.id ?? 0) + 1);
    const file = await AppendFile.open(segment.path, this.durable);
    if (this.durable) await syncDir(this.opts.dir);
    this.segments.push(segment);
    this.active = { segment, file };
    if (previous) {
      await previous.file.close();
      if (previous.segment.live === 0) await this.dropSegment(previous.segment);
    }
  }

  private async dropSegment(seg: Segment): Promise<void> {
    const i = this.segments.indexOf(seg);
    if (i < 0) return;
    this.segments.splice(i, 1);
    // Nothing live is left in it, so the read position moves on to the start of the next segment.
    if (this.cursor?.segment === seg) this.moveCursor(this.segments[i] ?? this.active.segment, 0);
    this.liveItems -= seg.live;
    this.liveBytes -= seg.bytes;
    await unlink(seg.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /**
   * With nothing live, no ack matters any more: start the ack log afresh (atomically, via rename). The
   * active segment is replaced first so that it is deleted before the acks that cover it are forgotten.
   */
  private restartAcks(): Promise<void> {
    return this.exclusive(async () => {
      if (this.liveItems !== 0) return;
      await this.roll();
      // Items appended while the segment was replaced may already be acked: keep their acks.
      if (this.liveItems !== 0 || this.active.file.bytes !== 0 || this.segments.length !== 1) return;
      const path = join(this.opts.dir, 'acks.log');
      const tmp = `${path}.tmp`;
      await (await open(tmp, 'w')).close();
      await this.acks.close();
      await rename(tmp, path);
      this.acks = await AppendFile.open(path, this.durable);
    });
  }
}
