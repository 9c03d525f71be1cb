import { createReadStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Reading } from '@linkwell/firmware-protocol';
import type { InboxEntry } from './inbox-store.js';

/** The per-node held store of earlier releases, under `<dataDir>/quarantine`. */
export const LEGACY_HELD_FILE = 'held.jsonl';

interface LegacyRecord {
  kind?: string;
  code?: string;
  gw?: string | null;
  receivedAt?: number;
  reading?: Reading;
  done?: string[];
}

/**
 * Moves readings an earlier release held in `<dir>/held.jsonl` into the household inbox, so an upgrade
 * loses none: the live entries (held records not cancelled by a later `{"done": [...]}` marker) are put,
 * then the file is renamed `held.jsonl.imported` so it is not imported twice. A crash before the rename
 * imports again, which the inbox's ON CONFLICT makes harmless. Replay then re-decides them.
 */
export async function importLegacyHeld(
  dir: string,
  put: (gw: string, entries: InboxEntry[]) => Promise<void>,
): Promise<number> {
  const path = join(dir, LEGACY_HELD_FILE);
  const exists = await stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  if (!exists) return 0;
  const live = new Map<string, { gw: string; entry: InboxEntry }>();
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    let rec: LegacyRecord;
    try {
      rec = JSON.parse(line) as LegacyRecord;
    } catch {
      continue; // a torn last line: its publish was never acknowledged
    }
    if (Array.isArray(rec.done)) {
      for (const k of rec.done) live.delete(k);
    } else if (rec.kind === 'held' && typeof rec.reading?.id === 'string' && typeof rec.gw === 'string') {
      live.set(`${rec.gw}|${rec.reading.id}`, {
        gw: rec.gw,
        entry: {
          reading: rec.reading,
          reason: rec.code === 'INGEST_ERR_UNASSIGNED_SLOT' ? 'unassigned_slot' : 'unknown_device',
          deviceId: null,
          hint: [],
          receivedAt: rec.receivedAt ?? Date.now(),
        },
      });
    }
  }
  const byGw = new Map<string, InboxEntry[]>();
  for (const { gw, entry } of live.values()) {
    const xs = byGw.get(gw);
    if (xs) xs.push(entry);
    else byGw.set(gw, [entry]);
  }
  for (const [gw, entries] of byGw) {
    for (let i = 0; i < entries.length; i += 1000) await put(gw, entries.slice(i, i + 1000));
  }
  await rename(path, `${path}.imported`);
  return live.size;
}
