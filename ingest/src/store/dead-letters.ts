import { createReadStream } from 'node:fs';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppendLog, syncDir } from './append-log.js';
import type { QuarantineEntry } from './quarantine.js';

export const DEAD_LETTER_FILE = 'dead-letter.jsonl';
const ROTATED_RE = /^dead-letter\.(\d{12})\.jsonl$/;
const rotatedName = (n: number) => `dead-letter.${String(n).padStart(12, '0')}.jsonl`;

export interface DeadLetterOptions {
  /** The active file is rotated once it reaches this size. Default 64 MiB. */
  maxFileBytes?: number;
  /** Rotated files kept; beyond this the oldest is deleted. Default 8, so at most ~9 × 64 MiB on disk. */
  maxFiles?: number;
  /** Called with each rotated file deleted at the bound. */
  onDiscard?: (file: string) => void;
}

export interface DeadLetterStats {
  /** Rotated files plus the active one. */
  files: number;
  activeBytes: number;
}

/**
 * Dead letters: fsync'd JSON lines, one QuarantineEntry each, kept for diagnosis and manual repair. They
 * are bounded like logs: the active file rotates at `maxFileBytes`, and the oldest rotated file is deleted
 * when more than `maxFiles` exist (docs/ingest.md). Refusing new dead letters at the bound would block a
 * gateway's outbox behind a payload that can never be stored, so the oldest diagnosis goes instead.
 */
export class DeadLetterStore {
  private rotating: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly log: AppendLog,
    private rotated: number[],
    private readonly opts: Required<Omit<DeadLetterOptions, 'onDiscard'>> & DeadLetterOptions,
  ) {}

  static async open(dir: string, opts: DeadLetterOptions = {}): Promise<DeadLetterStore> {
    await mkdir(dir, { recursive: true });
    const log = await AppendLog.open(join(dir, DEAD_LETTER_FILE));
    return new DeadLetterStore(dir, log, await listRotated(dir), {
      maxFileBytes: opts.maxFileBytes ?? 64 * 1024 * 1024,
      maxFiles: opts.maxFiles ?? 8,
      onDiscard: opts.onDiscard,
    });
  }

  /** Resolves once the entries are fsync'd. */
  async put(entries: QuarantineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.log.append(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    if (this.log.size >= this.opts.maxFileBytes && !this.rotating) {
      this.rotating = this.rotate().finally(() => {
        this.rotating = undefined;
      });
    }
    await this.rotating;
  }

  stats(): DeadLetterStats {
    return { files: this.rotated.length + 1, activeBytes: this.log.size };
  }

  async close(): Promise<void> {
    await this.rotating;
    await this.log.close();
  }

  private async rotate(): Promise<void> {
    const next = (this.rotated.at(-1) ?? 0) + 1;
    await this.log.rotate(join(this.dir, rotatedName(next)));
    this.rotated.push(next);
    let deleted = false;
    while (this.rotated.length > this.opts.maxFiles) {
      const oldest = rotatedName(this.rotated.shift()!);
      await unlink(join(this.dir, oldest));
      this.opts.onDiscard?.(oldest);
      deleted = true;
    }
    if (deleted) await syncDir(this.dir);
  }
}

async function listRotated(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .map((n) => ROTATED_RE.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface DeadLetterFilter {
  code?: string;
  gw?: string;
  /** The newest this many matches (in time order); 0 for all. */
  limit?: number;
}

/**
 * Reads dead letters oldest file first, streaming so a large store is never held in memory beyond the
 * `limit` newest matches. Lines that do not parse (a write torn by a crash) are skipped.
 */
export async function readDeadLetters(
  dir: string,
  filter: DeadLetterFilter = {},
): Promise<QuarantineEntry[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const files = [
    ...names.filter((n) => ROTATED_RE.test(n)).sort(),
    ...names.filter((n) => n === DEAD_LETTER_FILE),
  ];
  const limit = filter.limit ?? 0;
  const out: QuarantineEntry[] = [];
  for (const name of files) {
    const lines = createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Infinity });
    for await (const line of lines) {
      const e = parseEntry(line);
      if (!e || (filter.code && e.code !== filter.code) || (filter.gw && e.gw !== filter.gw)) continue;
      out.push(e);
      if (limit > 0 && out.length > limit * 2) out.splice(0, out.length - limit);
    }
  }
  return limit > 0 ? out.slice(-limit) : out;
}

function parseEntry(line: string): QuarantineEntry | undefined {
  if (!line) return undefined;
  try {
    const e = JSON.parse(line) as QuarantineEntry;
    return typeof e === 'object' && e !== null && typeof e.code === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}
