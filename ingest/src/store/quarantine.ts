import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

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

/**
 * Append-only JSON-lines files, fsync'd before the publish is acknowledged: a dead-lettered or held reading
 * is as durable as a written one. Held readings are replayed once their device is claimed (ingest issue).
 */
export async function openFileQuarantine(dir: string): Promise<QuarantineStore> {
  await mkdir(dir, { recursive: true });
  const files = {
    dead: await open(join(dir, 'dead-letter.jsonl'), 'a'),
    held: await open(join(dir, 'held.jsonl'), 'a'),
  };
  return {
    async put(entries) {
      for (const kind of ['dead', 'held'] as const) {
        const lines = entries.filter((e) => e.kind === kind).map((e) => `${JSON.stringify(e)}\n`);
        if (lines.length === 0) continue;
        await files[kind].appendFile(lines.join(''));
        await files[kind].datasync();
      }
    },
    async close() {
      await files.dead.close();
      await files.held.close();
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
