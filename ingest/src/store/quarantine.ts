import { type DeadLetterOptions, DeadLetterStore } from './dead-letters.js';
import { HeldStore, type HeldStoreOptions } from './held-store.js';

export type QuarantineKind = 'dead' | 'held';

export interface QuarantineEntry {
  kind: QuarantineKind;
  code: string;
  message: string;
  gw: string | null;
  topic: string;
  receivedAt: number;
  /** The reading, when one could be isolated; otherwise the raw payload as text. */
  reading?: unknown;
  payload?: string;
}

export interface QuarantineStore {
  put(entries: QuarantineEntry[]): Promise<void>;
  close(): Promise<void>;
}

export interface FileQuarantine extends QuarantineStore {
  held: HeldStore;
  deadLetters: DeadLetterStore;
}

export interface QuarantineOptions {
  held?: HeldStoreOptions;
  deadLetters?: DeadLetterOptions;
}

/**
 * `<dir>/dead-letter.jsonl` (rotated, bounded) and `<dir>/held.jsonl`, both fsync'd before the publish is
 * acknowledged: a dead-lettered or held reading is as durable as a written one. Held readings are replayed
 * once their device or slot is claimed (store/held-replay.ts).
 */
export async function openFileQuarantine(dir: string, opts: QuarantineOptions = {}): Promise<FileQuarantine> {
  const deadLetters = await DeadLetterStore.open(dir, opts.deadLetters);
  const held = await HeldStore.open(dir, opts.held).catch(async (err: unknown) => {
    await deadLetters.close();
    throw err;
  });
  return {
    held,
    deadLetters,
    async put(entries) {
      const dead = entries.filter((e) => e.kind === 'dead');
      const hold = entries.filter((e) => e.kind === 'held');
      await Promise.all([
        dead.length > 0 ? deadLetters.put(dead) : undefined,
        hold.length > 0 ? held.put(hold) : undefined,
      ]);
    },
    async close() {
      await Promise.all([held.close(), deadLetters.close()]);
    },
  };
}

/** For unit tests of pure pipeline logic only. */
export function memoryQuarantine(): QuarantineStore & { entries: QuarantineEntry[] } {
  const entries: QuarantineEntry[] = [];
  return {
    entries,
    async put(e) {
      entries.push(...e);
    },
    async close() {},
  };
}
