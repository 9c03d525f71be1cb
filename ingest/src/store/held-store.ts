import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Reading } from '@linkwell/firmware-protocol';
import { IngestError } from '../errors.js';
import { AppendLog } from './append-log.js';
import type { QuarantineEntry } from './quarantine.js';

export const HELD_FILE = 'held.jsonl';

export interface HeldStoreOptions {
  /** Held readings in total; at the bound new ones are refused (INGEST_ERR_HELD_FULL). Default 100 000. */
  maxReadings?: number;
  /** Held readings per gateway, so one gateway cannot fill the store for all. Default 10 000. */
  maxPerGateway?: number;
  /** Called with the number of held readings after every change, e.g. to set the depth gauge. */
  onChange?: (readings: number) => void;
}

/** What replay needs to re-resolve a held reading without parsing it. */
export interface HeldItem {
  key: string;
  gw: string;
  device: string;
  slot: number | null;
  /** When the reading was first held; expiry counts from here. */
  receivedAt: number;
  code: string;
}

export interface HeldStats {
  readings: number;
  gateways: number;
  oldestReceivedAt: number | null;
}

export type HeldRemoval = 'replayed' | 'expired';

interface Live {
  item: HeldItem;
  line: string;
  /** Set until the line is fsync'd; a duplicate put waits on it instead of acknowledging early. */
  pending?: Promise<void>;
}

/** A record in held.jsonl: a held QuarantineEntry, or a marker that removes keys written before it. */
interface DoneMarker {
  done: string[];
  why: HeldRemoval;
  at: number;
}

/** A held reading is identified by its gateway and reading id, so a gateway resending it is not held twice. */
export const heldKey = (gw: string | null, reading: Reading) => `${gw ?? ''}|${reading.id}`;

/**
 * Readings that could not be attributed yet (unclaimed device, unassigned slot), fsync'd before the
 * publish is acknowledged. The file is a log: held entries, then `{"done": [keys]}` markers once replay
 * wrote them or expiry dead-lettered them; the live set sits in memory. When the removed entries outnumber
 * the live ones the file is compacted (temp file, fsync, rename), so a crash leaves the old or the new file.
 */
export class HeldStore {
  private readonly live = new Map<string, Live>();
  private readonly perGateway = new Map<string, number>();
  /** Entries removed since the last compaction: still in the file, hidden by their markers. */
  private removed = 0;
  private compacting: Promise<void> | undefined;

  private constructor(
    private readonly log: AppendLog,
    private readonly opts: HeldStoreOptions & { maxReadings: number; maxPerGateway: number },
  ) {}

  static async open(dir: string, opts: HeldStoreOptions = {}): Promise<HeldStore> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, HELD_FILE);
    const { live, records } = await loadHeld(path);
    const log = await AppendLog.open(path);
    const store = new HeldStore(log, {
      ...opts,
      maxReadings: opts.maxReadings ?? 100_000,
      maxPerGateway: opts.maxPerGateway ?? 10_000,
    });
    for (const [key, { entry, line }] of live) store.insert(key, entry, line);
    // Start from a file holding exactly the live entries: markers, duplicates and torn lines go.
    if (records > live.size) await store.compact();
    store.changed();
    return store;
  }

  /**
   * Holds `entries` (kind 'held'); resolves once they are fsync'd. All or nothing: rejects with
   * INGEST_ERR_HELD_FULL, holding none, when they would pass a bound. Readings already held count as held.
   */
  async put(entries: QuarantineEntry[]): Promise<void> {
    const fresh: [string, QuarantineEntry][] = [];
    const waits: Promise<void>[] = [];
    for (const e of entries) {
      const key = heldKey(e.gw, e.reading as Reading);
      const existing = this.live.get(key);
      if (existing) {
        if (existing.pending) waits.push(existing.pending);
      } else if (!fresh.some(([k]) => k === key)) {
        fresh.push([key, e]);
      }
    }
    if (fresh.length > 0) {
      this.checkBounds(fresh.map(([, e]) => e.gw ?? ''));
      const lines = fresh.map(([, e]) => `${JSON.stringify(e)}\n`);
      const written = this.log.append(lines.join(''));
      fresh.forEach(([key, e], i) => {
        this.insert(key, e, lines[i]!).pending = written;
      });
      try {
        await written;
      } catch (err) {
        for (const [key] of fresh) if (this.live.get(key)?.pending === written) this.delete(key);
        this.changed();
        throw err;
      }
      for (const [key] of fresh) {
        const l = this.live.get(key);
        if (l?.pending === written) l.pending = undefined;
      }
      this.changed();
    }
    await Promise.all(waits);
  }

  /** Held readings, optionally only those of `gateways`, oldest first. */
  items(gateways?: ReadonlySet<string> | null): HeldItem[] {
    const out: HeldItem[] = [];
    for (const l of this.live.values()) {
      if (l.pending || (gateways && !gateways.has(l.item.gw))) continue;
      out.push(l.item);
    }
    return out;
  }

  entry(key: string): QuarantineEntry | undefined {
    const l = this.live.get(key);
    return l ? (JSON.parse(l.line) as QuarantineEntry) : undefined;
  }

  /** Removes `keys` for good: resolves once the marker saying so is fsync'd. */
  async remove(keys: string[], why: HeldRemoval, at: number): Promise<void> {
    const gone = keys.filter((k) => this.live.has(k));
    if (gone.length === 0) return;
    for (const k of gone) this.delete(k);
    const marker: DoneMarker = { done: gone, why, at };
    await this.log.append(`${JSON.stringify(marker)}\n`);
    this.removed += gone.length;
    this.changed();
    // Keeps the file under about twice the live entries.
    if (this.removed > Math.max(1000, this.live.size) && !this.compacting) {
      this.compacting = this.compact().finally(() => {
        this.compacting = undefined;
      });
    }
    await this.compacting;
  }

  /** O(held readings): for /healthz and tools, not per publish. */
  stats(): HeldStats {
    let oldest: number | null = null;
    for (const l of this.live.values()) {
      if (oldest === null || l.item.receivedAt < oldest) oldest = l.item.receivedAt;
    }
    return { readings: this.live.size, gateways: this.perGateway.size, oldestReceivedAt: oldest };
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.log.close();
  }

  private checkBounds(gws: string[]): void {
    if (this.live.size + gws.length > this.opts.maxReadings) {
      throw new IngestError(
        'INGEST_ERR_HELD_FULL',
        `held store full: ${this.live.size} of ${this.opts.maxReadings} readings held`,
      );
    }
    const adding = new Map<string, number>();
    for (const gw of gws) adding.set(gw, (adding.get(gw) ?? 0) + 1);
    for (const [gw, n] of adding) {
      const held = this.perGateway.get(gw) ?? 0;
      if (held + n > this.opts.maxPerGateway) {
        throw new IngestError(
          'INGEST_ERR_HELD_FULL',
          `held store full for ${gw}: ${held} of ${this.opts.maxPerGateway} readings held`,
        );
      }
    }
  }

  private insert(key: string, e: QuarantineEntry, line: string): Live {
    const r = e.reading as Reading;
    const gw = e.gw ?? '';
    const l: Live = {
      item: { key, gw, device: r.device, slot: r.slot, receivedAt: e.receivedAt, code: e.code },
      line,
    };
    this.live.set(key, l);
    this.perGateway.set(gw, (this.perGateway.get(gw) ?? 0) + 1);
    return l;
  }

  private delete(key: string): void {
    const l = this.live.get(key);
    if (!l) return;
    this.live.delete(key);
    const n = (this.perGateway.get(l.item.gw) ?? 1) - 1;
    if (n > 0) this.perGateway.set(l.item.gw, n);
    else this.perGateway.delete(l.item.gw);
  }

  /**
   * Rewrites the file with the live entries. It runs between commits; entries put after it was queued are
   * in the map now and appended again after it, which loading tolerates (a later duplicate wins).
   */
  private compact(): Promise<void> {
    return this.log.replace(() => {
      this.removed = 0;
      return [...this.live.values()].map((l) => l.line).join('');
    });
  }

  private changed(): void {
    this.opts.onChange?.(this.live.size);
  }
}

/** Live held entries of a held.jsonl, in file order, and how many records (lines) it has. */
export async function loadHeld(
  path: string,
): Promise<{ live: Map<string, { entry: QuarantineEntry; line: string }>; records: number }> {
  const live = new Map<string, { entry: QuarantineEntry; line: string }>();
  let records = 0;
  const exists = await stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  if (!exists) return { live, records };
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (!line) continue;
    records += 1;
    let rec: QuarantineEntry | DoneMarker;
    try {
      rec = JSON.parse(line) as QuarantineEntry | DoneMarker;
    } catch {
      continue;
    }
    if ('done' in rec && Array.isArray(rec.done)) {
      for (const k of rec.done) live.delete(k);
    } else if ('kind' in rec && rec.kind === 'held' && isReading(rec.reading)) {
      const key = heldKey(rec.gw, rec.reading);
      live.delete(key);
      live.set(key, { entry: rec, line: `${line}\n` });
    }
  }
  return { live, records };
}

function isReading(r: unknown): r is Reading {
  const x = r as Partial<Reading> | undefined;
  return typeof x?.id === 'string' && typeof x.device === 'string';
}

/** The readings held in `<dir>/held.jsonl`, oldest first (`linkwell ingest held`); safe while ingest runs. */
export async function readHeld(dir: string): Promise<QuarantineEntry[]> {
  const { live } = await loadHeld(join(dir, HELD_FILE));
  return [...live.values()].map((l) => l.entry).sort((a, b) => a.receivedAt - b.receivedAt);
}
