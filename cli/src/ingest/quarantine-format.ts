import { join } from 'node:path';
import type { QuarantineEntry } from '@linkwell/ingest';

/** Where `linkwell ingest run` keeps held readings and dead letters under its data directory. */
export const quarantineDir = (dataDir: string) => join(dataDir, 'quarantine');

interface ReadingLike {
  device?: string;
  slot?: number | null;
  metric?: string;
  t?: number;
}

/** One line per entry: when, code, gateway, what it concerns, why. */
export function entryLine(e: QuarantineEntry): string {
  const r = e.reading as ReadingLike | undefined;
  const what =
    r && typeof r.device === 'string'
      ? `${r.device}${r.slot === null || r.slot === undefined ? '' : `#${r.slot}`} ${r.metric ?? ''}@${
          typeof r.t === 'number' ? new Date(r.t).toISOString() : '?'
        }`
      : e.payload !== undefined
        ? `payload ${JSON.stringify(e.payload.slice(0, 40))}${e.payload.length > 40 ? '…' : ''}`
        : e.topic;
  return [new Date(e.receivedAt).toISOString(), e.code, e.gw ?? '-', what, e.message].join('  ');
}

/** `--json`: one entry per line, so the output pipes into jq or back into a tool. */
export const jsonLines = (entries: QuarantineEntry[]) =>
  entries.map((e) => `${JSON.stringify(e)}\n`).join('');
