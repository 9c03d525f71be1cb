import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { AppendFile, readSegment } from './segment-file.js';

export interface DurableOutboxOptions {
  dir: string;
  /** Bound on unacknowledged items; appends past it are refused, never dropped. */
  maxItems?: number;
  /** Bound on the bytes of live segments. */
  maxBytes?: number;
  /** A segment is closed and a new one started past this size; fully acknowledged segments are deleted. */
  segmentBytes?: number;
  /** fdatasync before an append resolves. Only benchmarks that measure the difference turn it off. */
  durable?: boolean;
}

export interface OutboxItem<T> {
  seq: number;
  item: T;
}

interface Segment {
  id: number;
  path: string;
  live: number;
}

interface Entry<T> {
  item: T;
  segment: Segment;
  bytes: number;
}

const SEGMENT = /^seg-(\d{8})\.jsonl$/;
const segName = (id: number) => `seg-${String(id).padStart(8, '0')}.jsonl`;

/**
 * An on-disk outbox. An item counts as taken only once its line is fsync'd; it leaves only when `ack` is
 * called, which the uplink does after the broker's PUBACK. Acks are logged too, so a restart resends only
 * what was never acknowledged (an ack lost in a crash causes one harmless, idempotent resend).
 */
export class DurableOutbox<T> {
  private readonly entries = new Map<number, Entry<T>>();
  private readonly inFlight = new Set<number>();
  private readonly segments: Segment[] = [];
  private active!: { segment: Segment; file: AppendFile };
  private acks!: AppendFile;
  private nextSeq = 1;
  private liveBytes = 0;
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly durable: boolean;
  /** Lines that could not be parsed when the outbox was opened (damaged storage), for the health report. */
  damagedLines = 0;

  private constructor(private readonly opts: DurableOutboxOptions) {
    this.maxItems = opts.maxItems ?? 1_000_000;
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = opts.segmentBytes ?? 4 * 1024 * 1024;
    this.durable = opts.durable ?? true;
  }

  static async open<T>(opts: DurableOutboxOptions): Promise<DurableOutbox<T>> {
    const box = new DurableOutbox<T>(opts);
    await box.load();
    return box;
  }

  /** Unacknowledged items, in flight or not. */
  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.liveBytes;
  }

  get capacity(): { maxItems: number; maxBytes: number } {
    return { maxItems: this.maxItems, maxBytes: this.maxBytes };
  }

  /**
   * Stores items and resolves with their sequence numbers once they are on stable storage. All or
   * nothing: if the batch does not fit the bound it is refused with GATEWAY_ERR_OUTBOX_FULL.
   */
  async append(items: readonly T[]): Promise<number[]> {
    const lines = items.map((item) => ({ item, seq: 0, text: '' }));
    let bytes = 0;
    for (const l of lines) {
      l.text = `${JSON.stringify({ s: 0, r: l.item })}\n`;
      bytes += Buffer.byteLength(l.text) + 8;
    }
    if (this.entries.size + items.length > this.maxItems || this.liveBytes + bytes > this.maxBytes)
      throw new GatewayError(
        'GATEWAY_ERR_OUTBOX_FULL',
        `outbox holds ${this.entries.size} items / ${this.liveBytes} bytes; refusing ${items.length} more (bound ${this.maxItems} items / ${this.maxBytes} bytes)`,
      );
    if (this.active.file.bytes >= this.segmentBytes) await this.roll();
    const { segment, file } = this.active;
    let text = '';
    for (const l of lines) {
      l.seq = this.nextSeq++;
      const line = `${JSON.stringify({ s: l.seq, r: l.item })}\n`;
      const size = Buffer.byteLength(line);
      text += line;
      this.entries.set(l.seq, { item: l.item, segment, bytes: size });
      segment.live += 1;
      this.liveBytes += size;
    }
    try {
      await file.append(text);
    } catch (e) {
      for (const l of lines) this.forget(l.seq);
      throw new GatewayError('GATEWAY_ERR_OUTBOX_IO', `outbox append failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    return lines.map((l) => l.seq);
  }

  /** The oldest items not already in flight, marked in flight until `ack` or `release`. */
  take(max: number): OutboxItem<T>[] {
    const out: OutboxItem<T>[] = [];
    for (const [seq, e] of this.entries) {
      if (out.length >= max) break;
      if (this.inFlight.has(seq)) continue;
      this.inFlight.add(seq);
      out.push({ seq, item: e.item });
    }
    return out;
  }

  /** Returns items to the queue after a failed send, so the next `take` picks them up again in order. */
  release(seqs: readonly number[]): void {
    for (const s of seqs) this.inFlight.delete(s);
  }

  /** Removes acknowledged items and deletes segments that hold nothing live any more. */
  async ack(seqs: readonly number[]): Promise<void> {
    const known = seqs.filter((s) => this.entries.has(s));
    if (known.length === 0) return;
    await this.acks.append(`${known.join(',')}\n`);
    const emptied = new Set<Segment>();
    for (const s of known) {
      const seg = this.forget(s);
      if (seg && seg.live === 0 && seg !== this.active.segment) emptied.add(seg);
    }
    for (const seg of emptied) await this.dropSegment(seg);
    if (this.entries.size === 0 && this.acks.bytes > 1024 * 1024) {
      // Roll first so the emptied active segment is deleted before the acks that cover it are forgotten.
      await this.roll();
      await this.resetAcks();
    }
  }

  async close(): Promise<void> {
    await this.active.file.close();
    await this.acks.close();
  }

  private forget(seq: number): Segment | undefined {
    const e = this.entries.get(seq);
    if (!e) return undefined;
    this.entries.delete(seq);
    this.inFlight.delete(seq);
    e.segment.live -= 1;
    this.liveBytes -= e.bytes;
    return e.segment;
  }

  private async load(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort();
    const acked = new Set<number>();
    const ackPath = join(this.opts.dir, 'acks.log');
    try {
      const text = await readFile(ackPath, 'utf8');
      for (const line of text.split('\n').slice(0, -1))
        for (const s of line.split(',')) if (s) acked.add(Number(s));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const name of names) {
      const id = Number(SEGMENT.exec(name)![1]);
      const segment: Segment = { id, path: join(this.opts.dir, name), live: 0 };
      const { lines, damaged } = await readSegment<T>(segment.path);
      this.damagedLines += damaged;
      for (const l of lines) {
        this.nextSeq = Math.max(this.nextSeq, l.s + 1);
        if (acked.has(l.s)) continue;
        const size = Buffer.byteLength(JSON.stringify(l)) + 1;
        this.entries.set(l.s, { item: l.r, segment, bytes: size });
        segment.live += 1;
        this.liveBytes += size;
      }
      this.segments.push(segment);
    }
    for (const seg of this.segments.filter((s) => s.live === 0)) await this.dropSegment(seg);
    this.acks = await AppendFile.open(ackPath, this.durable);
    await this.roll();
  }

  private async roll(): Promise<void> {
    const previous = this.active;
    const id = (this.segments.at(-1)?.id ?? 0) + 1;
    const segment: Segment = { id, path: join(this.opts.dir, segName(id)), live: 0 };
    this.segments.push(segment);
    this.active = { segment, file: await AppendFile.open(segment.path, this.durable) };
    if (this.durable) await syncDir(this.opts.dir);
    if (previous) {
      await previous.file.close();
      if (previous.segment.live === 0) await this.dropSegment(previous.segment);
    }
  }

  private async dropSegment(seg: Segment): Promise<void> {
    const i = this.segments.indexOf(seg);
    if (i >= 0) this.segments.splice(i, 1);
    await unlink(seg.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /** With nothing live, no ack matters any more: start the ack log afresh (atomically, via rename). */
  private async resetAcks(): Promise<void> {
    const path = join(this.opts.dir, 'acks.log');
    const tmp = `${path}.tmp`;
    await (await open(tmp, 'w')).close();
    await this.acks.close();
    await rename(tmp, path);
    this.acks = await AppendFile.open(path, this.durable);
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
