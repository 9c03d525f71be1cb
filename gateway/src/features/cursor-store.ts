import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-file.js';

/** Where a device's next history download resumes: just after the newest record already imported. */
export interface HistoryCursor {
  /** FNV-1a 64 of that record's frame; a download resumes after the record with this key. */
  last: string;
  /**
   * That record's time stamp as the device sent it (epoch ms read as UTC, unset clocks included), or null when
   * it had none; used when the keyed record is no longer on the device (memory rolled over).
   */
  t: number | null;
}

/** Per-device cursors; addresses are compared upper-case. */
export interface CursorStore {
  get(address: string): Promise<HistoryCursor | undefined>;
  /** Resolves once the cursor is durable (for stores that persist). */
  set(address: string, cursor: HistoryCursor): Promise<void>;
}

/** Cursors for one gateway run: a restart forgets them, and devices deliver their whole memory again. */
export class MemoryCursorStore implements CursorStore {
  private readonly cursors = new Map<string, HistoryCursor>();

  async get(address: string): Promise<HistoryCursor | undefined> {
    const c = this.cursors.get(address.toUpperCase());
    return c && { ...c };
  }

  async set(address: string, cursor: HistoryCursor): Promise<void> {
    this.cursors.set(address.toUpperCase(), { ...cursor });
  }
}

export const CURSOR_FILE = 'history-cursors.json';

function isCursor(v: unknown): v is HistoryCursor {
  const c = v as Partial<HistoryCursor> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.last === 'string' &&
    /^[0-9a-f]{16}$/.test(c.last) &&
    (c.t === null || Number.isFinite(c.t))
  );
}

/**
 * Cursors in one small JSON file, `<dir>/history-cursors.json`, rewritten whole on every change: a temp file
 * written and fsynced, renamed over the old one, then the directory fsynced, so a crash leaves the old file
 * or the new one. A file that cannot be parsed is reported (`damaged`) and treated as empty: the devices then
 * deliver their memory again, which duplicates records instead of losing them.
 */
export class FileCursorStore implements CursorStore {
  private readonly cursors: Map<string, HistoryCursor>;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    entries: Iterable<[string, HistoryCursor]>,
    /** Why the existing file was ignored, when it was. */
    readonly damaged: string | undefined,
  ) {
    this.cursors = new Map(entries);
  }

  static async open(dir: string): Promise<FileCursorStore> {
    const path = join(dir, CURSOR_FILE);
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new GatewayError('GATEWAY_ERR_CURSOR_IO', `cannot create ${dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new FileCursorStore(path, [], undefined);
      return new FileCursorStore(path, [], `cannot read ${path}: ${(err as Error).message}`);
    }
    try {
      const doc = JSON.parse(text) as { v?: unknown; cursors?: Record<string, unknown> };
      if (doc.v !== 1 || typeof doc.cursors !== 'object' || doc.cursors === null)
        return new FileCursorStore(path, [], `${path} is not a v1 cursor file`);
      const entries = Object.entries(doc.cursors).filter((e): e is [string, HistoryCursor] => isCursor(e[1]));
      return new FileCursorStore(path, entries, undefined);
    } catch (err) {
      return new FileCursorStore(path, [], `${path} is not JSON: ${(err as Error).message}`);
    }
  }

  async get(address: string): Promise<HistoryCursor | undefined> {
    const c = this.cursors.get(address.toUpperCase());
    return c && { ...c };
  }

  /** Writes are serialised; each one saves every cursor known at that moment. */
  set(address: string, cursor: HistoryCursor): Promise<void> {
    const key = address.toUpperCase();
    const before = this.cursors.get(key);
    this.cursors.set(key, { ...cursor });
    const run = this.writing.then(() => this.save());
    this.writing = run.catch(() => {});
    return run.catch((err: unknown) => {
      // The file still holds the old cursor; memory must agree, or a restart would behave differently.
      if (this.cursors.get(key)?.last === cursor.last) {
        if (before) this.cursors.set(key, before);
        else this.cursors.delete(key);
      }
      throw err;
    });
  }

  private async save(): Promise<void> {
    const text = `${JSON.stringify({ v: 1, cursors: Object.fromEntries(this.cursors) }, null, 2)}\n`;
    try {
      await writeFileAtomic(this.path, text);
    } catch (err) {
      throw new GatewayError(
        'GATEWAY_ERR_CURSOR_IO',
        `cannot write ${this.path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
}
