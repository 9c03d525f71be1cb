import { readHeld } from '@linkwell/ingest';
import type { Command } from 'commander';
import { intOption } from '../commands/options.js';
import { entryLine, jsonLines, quarantineDir } from './quarantine-format.js';

export interface HeldOptions {
  dataDir: string;
  code?: string;
  gw?: string;
  json?: boolean;
  limit: number;
}

/** The text `linkwell ingest held` prints: the newest held readings, then a line per gateway. */
export async function heldReport(o: HeldOptions): Promise<string> {
  const dir = quarantineDir(o.dataDir);
  const all = (await readHeld(dir)).filter((e) => (!o.code || e.code === o.code) && (!o.gw || e.gw === o.gw));
  const shown = o.limit > 0 ? all.slice(-o.limit) : all;
  if (o.json) return jsonLines(shown);
  if (all.length === 0) return `no held readings${o.gw ? ` from ${o.gw}` : ''} in ${dir}\n`;
  const perGw = new Map<string, { n: number; oldest: number }>();
  for (const e of all) {
    const s = perGw.get(e.gw ?? '-') ?? { n: 0, oldest: e.receivedAt };
    perGw.set(e.gw ?? '-', { n: s.n + 1, oldest: Math.min(s.oldest, e.receivedAt) });
  }
  const summary = [...perGw].map(
    ([gw, s]) => `${gw}  ${s.n} held, oldest since ${new Date(s.oldest).toISOString()}`,
  );
  const more = shown.length < all.length ? ` (the newest ${shown.length}; --limit 0 shows all)` : '';
  return `${shown.map(entryLine).join('\n')}\n${all.length} held reading(s)${more}\n${summary.join('\n')}\n`;
}

/** `linkwell ingest held`: readings waiting for their device or user slot to be claimed (docs/ingest.md). */
export function registerIngestHeld(ingest: Command): void {
  ingest
    .command('held')
    .description(
      'List held readings: from devices the household has not claimed or user slots nobody was assigned; replayed once claimed',
    )
    .option(
      '--data-dir <dir>',
      'the data directory of `ingest run` (LINKWELL_INGEST_DATA_DIR)',
      './data/ingest',
    )
    .option('--code <code>', 'only INGEST_ERR_UNKNOWN_DEVICE or INGEST_ERR_UNASSIGNED_SLOT')
    .option('--gw <id>', 'only this gateway')
    .option('--json', 'print one JSON object per line')
    .option('--limit <n>', 'the newest n matches (0: all)', intOption, 50)
    .action(async (o: HeldOptions) => {
      process.stdout.write(await heldReport(o));
    });
}
