import { readDeadLetters } from '@linkwell/ingest';
import type { Command } from 'commander';
import { intOption } from '../commands/options.js';
import { entryLine, jsonLines, quarantineDir } from './quarantine-format.js';

export interface DeadLettersOptions {
  dataDir: string;
  code?: string;
  gw?: string;
  json?: boolean;
  limit: number;
}

/** The text `linkwell ingest dead-letters` prints. */
export async function deadLettersReport(o: DeadLettersOptions): Promise<string> {
  const dir = quarantineDir(o.dataDir);
  const entries = await readDeadLetters(dir, { code: o.code, gw: o.gw, limit: o.limit });
  if (o.json) return jsonLines(entries);
  if (entries.length === 0)
    return `no dead letters${o.code ? ` with ${o.code}` : ''}${o.gw ? ` from ${o.gw}` : ''} in ${dir}\n`;
  const more =
    o.limit > 0 && entries.length === o.limit ? ` (the newest ${o.limit}; --limit 0 shows all)` : '';
  return `${entries.map(entryLine).join('\n')}\n${entries.length} dead letter(s)${more}\n`;
}

/** `linkwell ingest dead-letters`: what ingest refused to store, and why (docs/ingest.md). */
export function registerIngestDeadLetters(ingest: Command): void {
  ingest
    .command('dead-letters')
    .description(
      'List dead letters: payloads and readings ingest acknowledged but could not store (invalid, implausible, held too long), oldest first',
    )
    .option(
      '--data-dir <dir>',
      'the data directory of `ingest run` (LINKWELL_INGEST_DATA_DIR)',
      './data/ingest',
    )
    .option('--code <code>', 'only this reason code, e.g. INGEST_ERR_HELD_EXPIRED')
    .option('--gw <id>', 'only this gateway')
    .option('--json', 'print one JSON object per line')
    .option('--limit <n>', 'the newest n matches (0: all)', intOption, 50)
    .action(async (o: DeadLettersOptions) => {
      process.stdout.write(await deadLettersReport(o));
    });
}
