import { type DeadLetterOptions, DeadLetterStore } from './dead-letters.js';

/** 'held' is read only from a legacy held.jsonl (imported into the inbox at start-up). */
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
  deadLetters: DeadLetterStore;
}

export interface QuarantineOptions {
  deadLetters?: DeadLetterOptions;
}

/**
 * `<dir>/dead-letter.jsonl` (rotated, bounded), fsync'd before the publish is acknowledged: a dead-lettered
 * reading is as durable as a written one. Readings waiting for a person are not here but in the household
 * inbox, a table every node shares (inbox/inbox-store.ts).
 */
export async function openFileQuarantine(dir: string, opts: QuarantineOptions = {}): Promise<FileQuarantine> {
  const deadLetters = await DeadLetterStore.open(dir, opts.deadLetters);
  return {
    deadLetters,
    put: (entries) => deadLetters.put(entries),
    close: () => deadLetters.close(),
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
