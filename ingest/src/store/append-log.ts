import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { IngestError } from '../errors.js';

/** Makes a created, renamed or deleted entry in `dir` survive a power cut, not just a process crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface Pending {
  text: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * A JSON-lines file appended to with group commit: appends that arrive while a write + fdatasync is under
 * way share the next one, so many concurrent publishes cost one fsync. `append` resolves only once its
 * text is on disk. `replace` and `rotate` run between commits, never during one.
 */
export class AppendLog {
  private pending: Pending[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private fh: FileHandle,
    private bytes: number,
  ) {}

  /**
   * Opens (creating) `path` for appending. A torn last line, left by a crash during a write that was
   * therefore never acknowledged, is cut off so the next append starts on a line of its own.
   */
  static async open(path: string): Promise<AppendLog> {
    const fh = await open(path, 'a+');
    try {
      const { size } = await fh.stat();
      const kept = await lastLineEnd(fh, size);
      if (kept < size) {
        await fh.truncate(kept);
        await fh.datasync();
      }
      return new AppendLog(path, fh, kept);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Bytes in the file, counting appends that have committed. */
  get size(): number {
    return this.bytes;
  }

  append(text: string): Promise<void> {
    if (this.closed) {
      return Promise.reject(new IngestError('INGEST_ERR_QUARANTINE_IO', `${this.path} is closed`));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      const batch = this.pending;
      this.chain = this.chain.then(() => this.commit(batch));
    });
  }

  /** Runs `op` after the appends made so far are committed and before any later one. */
  exclusive<T>(op: () => Promise<T>): Promise<T> {
    // Seal the batch: appends from now on wait for a commit queued after `op`.
    this.pending = [];
    this.scheduled = false;
    const result = this.chain.then(op);
    this.chain = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  /**
   * Replaces the whole file with `text`: written to a temporary file, fsync'd, renamed over the log and the
   * directory fsync'd, so a crash leaves the old file or the new one, never a mix. A function is called
   * when the replacement runs, i.e. after every commit queued before it.
   */
  replace(text: string | (() => string)): Promise<void> {
    return this.exclusive(async () => {
      const content = typeof text === 'function' ? text() : text;
      const tmp = `${this.path}.tmp`;
      const out = await open(tmp, 'w');
      try {
        await out.writeFile(content);
        await out.datasync();
      } finally {
        await out.close();
      }
      await rename(tmp, this.path);
      await syncDir(dirname(this.path));
      await this.reopen();
    });
  }

  /** Moves the current file to `to` and starts an empty one. */
  rotate(to: string): Promise<void> {
    return this.exclusive(async () => {
      await rename(this.path, to);
      await syncDir(dirname(this.path));
      await this.reopen();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.fh.close();
  }

  private async reopen(): Promise<void> {
    await this.fh.close();
    this.fh = await open(this.path, 'a+');
    this.bytes = (await this.fh.stat()).size;
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (this.pending === batch) {
      this.pending = [];
      this.scheduled = false;
    }
    const text = batch.map((p) => p.text).join('');
    try {
      await this.fh.appendFile(text);
      await this.fh.datasync();
      this.bytes += Buffer.byteLength(text);
    } catch (err) {
      // Cut a partly written batch off, so the next commit does not continue a torn line.
      await this.fh.truncate(this.bytes).catch(() => {});
      const e = new IngestError('INGEST_ERR_QUARANTINE_IO', `${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
      for (const p of batch) p.reject(e);
      return;
    }
    for (const p of batch) p.resolve();
  }
}

/** Offset just after the last newline in the file's final stretch (0 if it has none). */
async function lastLineEnd(fh: FileHandle, size: number): Promise<number> {
  const CHUNK = 64 * 1024;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}
