import { type FileHandle, open } from 'node:fs/promises';

/** One outbox line: a sequence number and the item. */
export interface OutboxLine<T> {
  s: number;
  r: T;
}

/**
 * Parses one stored line, or returns undefined when it is not an outbox line (damaged storage). A sequence
 * number must be a positive safe integer: anything else would derail the numbering of later appends.
 */
export function parseLine<T>(text: string): OutboxLine<T> | undefined {
  try {
    const line = JSON.parse(text) as OutboxLine<T> | null;
    return typeof line === 'object' && line !== null && Number.isSafeInteger(line.s) && line.s > 0
      ? line
      : undefined;
  } catch {
    return undefined;
  }
}

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * Visits the complete lines of a file from byte offset `from` up to `to`, in order, one chunk in memory at a
 * time: `visit` gets a line's text (without its newline), its offset and its size in bytes with the newline.
 * Whatever follows the last newline is a torn write (a power cut mid-append; that append never reached
 * fsync, so nobody was told it was stored) and is not visited. `visit` returns false to stop before that
 * line. Resolves with the offset just past the last line visited, i.e. where reading would resume.
 * `chunkBytes` only sizes the reads: a caller that needs a few lines need not read a whole chunk.
 */
export async function readLines(
  path: string,
  from: number,
  to: number,
  visit: (text: string, offset: number, bytes: number) => boolean | undefined,
  chunkBytes = CHUNK,
): Promise<number> {
  const fh = await open(path, 'r');
  try {
    let pos = from;
    const base = Number.isFinite(chunkBytes)
      ? Math.max(1024, Math.min(CHUNK, Math.floor(chunkBytes)))
      : CHUNK;
    let size = base;
    while (pos < to) {
      const want = Math.min(size, to - pos);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, pos);
      if (bytesRead === 0) break;
      const data = buf.subarray(0, bytesRead);
      let start = 0;
      // 0x0a never occurs inside a multi-byte UTF-8 sequence, so splitting bytes at it is safe.
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        if (visit(data.toString('utf8', start, nl), pos + start, nl - start + 1) === false)
          return pos + start;
        start = nl + 1;
      }
      if (start === 0) {
        // No newline in what was read: the end of the data (a torn tail), or a line longer than the chunk.
        if (bytesRead < want || want < size) break;
        size *= 2;
        continue;
      }
      pos += start;
      size = base;
    }
    return pos;
  } finally {
    await fh.close();
  }
}

/**
 * The sequence number of the oldest stored line in these segments (oldest first), or Infinity when they hold
 * none: every ack below it refers to a segment already deleted.
 */
export async function firstStoredSeq(paths: readonly string[]): Promise<number> {
  for (const path of paths) {
    let first: number | undefined;
    try {
      await readLines(path, 0, Number.POSITIVE_INFINITY, (text) => {
        first = parseLine(text)?.s;
        return first === undefined;
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (first !== undefined) return first;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The acknowledged sequence numbers from an ack log, only those at or above `from` (acks of older items
 * refer to segments long deleted, and after a long outage there can be a million of them). Resolves with
 * the offset just past the last complete line too, so a torn last line can be cut off before appending.
 */
export async function readAckLog(path: string, from: number): Promise<{ acked: Set<number>; end: number }> {
  const acked = new Set<number>();
  try {
    const end = await readLines(path, 0, Number.POSITIVE_INFINITY, (text) => {
      for (const s of text.split(',')) {
        const seq = Number(s);
        if (s !== '' && seq >= from) acked.add(seq);
      }
      return true;
    });
    return { acked, end };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { acked, end: 0 };
    throw e;
  }
}

/**
 * An append-only file written with group commit: one write + fdatasync serves every waiting append. After a
 * failed write the file may end in a partial line, so it refuses appends until `recover` has cut it back to
 * what was last stored whole; otherwise the next line would be glued to the fragment and misread later.
 */
export class AppendFile {
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private recovering: Promise<void> | undefined;
  /** Bytes handed to `append` so far, stored or still pending: the offset where the next append starts. */
  bytes: number;
  /** Bytes known to be written (and fdatasync'd when durable). */
  stored: number;
  /** Set by a failed write or sync until `recover`. */
  failed: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    size: number,
    private readonly durable: boolean,
  ) {
    this.bytes = size;
    this.stored = size;
  }

  static async open(path: string, durable: boolean): Promise<AppendFile> {
    const fh = await open(path, 'a');
    const { size } = await fh.stat();
    return new AppendFile(path, fh, size, durable);
  }

  /** Resolves once the text is on stable storage (when durable). */
  append(text: string): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.pending.push(text);
    this.bytes += Buffer.byteLength(text);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flushLoop();
    return done;
  }

  /** Cuts a failed file back to its last whole write, after which it takes appends again. */
  recover(): Promise<void> {
    this.recovering ??= this.cutBack().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private async cutBack(): Promise<void> {
    await this.flushing;
    if (!this.failed) return;
    await this.fh.truncate(this.stored);
    if (this.durable) await this.fh.datasync();
    this.bytes = this.stored;
    this.failed = undefined;
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const data = Buffer.from(this.pending.join(''));
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        // A write may store fewer bytes than asked (a disk filling up): write the rest, or fail.
        for (let done = 0; done < data.length; ) {
          const { bytesWritten } = await this.fh.write(data, done, data.length - done);
          if (bytesWritten === 0) throw new Error(`short write to ${this.path}`);
          done += bytesWritten;
        }
        if (this.durable) await this.fh.datasync();
        this.stored += data.length;
        for (const w of waiters) w.resolve();
      } catch (e) {
        this.failed = e instanceof Error ? e : new Error(String(e));
        // Appends queued behind the failed one would land after a possible fragment: refuse them too.
        for (const w of [...waiters, ...this.waiters]) w.reject(this.failed);
        this.pending = [];
        this.waiters = [];
      }
    }
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.fh.close();
  }
}
