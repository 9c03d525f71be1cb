import { type FileHandle, open, readFile } from 'node:fs/promises';

/** One outbox line: a sequence number and the item. */
export interface OutboxLine<T> {
  s: number;
  r: T;
}

/**
 * Parses a segment. A torn last line (power cut mid-write) is dropped: its append never reached fsync, so
 * nobody was told it was stored. A torn line anywhere else means the file was damaged after the fact; we
 * keep every line that still parses and report how many we could not read.
 */
export async function readSegment<T>(path: string): Promise<{ lines: OutboxLine<T>[]; damaged: number }> {
  const text = await readFile(path, 'utf8');
  const lines: OutboxLine<T>[] = [];
  let damaged = 0;
  // The part after the last newline is either empty or a torn write.
  for (const raw of text.split('\n').slice(0, -1)) {
    if (raw === '') continue;
    try {
      const line = JSON.parse(raw) as OutboxLine<T>;
      if (typeof line.s === 'number') lines.push(line);
      else damaged += 1;
    } catch {
      damaged += 1;
    }
  }
  return { lines, damaged };
}

/** An append-only file written with group commit: one write + fdatasync serves every waiting append. */
export class AppendFile {
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  bytes: number;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    size: number,
    private readonly durable: boolean,
  ) {
    this.bytes = size;
  }

  static async open(path: string, durable: boolean): Promise<AppendFile> {
    const fh = await open(path, 'a');
    const { size } = await fh.stat();
    return new AppendFile(path, fh, size, durable);
  }

  /** Resolves once the text is on stable storage (when durable). */
  append(text: string): Promise<void> {
    this.pending.push(text);
    this.bytes += Buffer.byteLength(text);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flushLoop();
    return done;
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const text = this.pending.join('');
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.fh.write(text);
        if (this.durable) await this.fh.datasync();
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.fh.close();
  }
}
