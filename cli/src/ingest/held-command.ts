import { openRegistryPool } from '@linkwell/ingest';
import type { Command } from 'commander';
import { intOption } from '../commands/options.js';
import { CliError } from '../errors.js';

export interface HeldOptions {
  registryUrl?: string;
  reason?: string;
  gw?: string;
  json?: boolean;
  limit: number;
}

const REASONS = ['unknown_device', 'unassigned_slot', 'ambiguous'];

interface Row {
  id: string;
  gateway_id: string;
  household_id: string | null;
  device_address: string;
  slot: number | null;
  metric: string;
  measured_at: string | number;
  reason: string;
  hint: { account: string; confidence: number; rule: string }[];
  state: string;
  received_at: Date;
}

const line = (r: Row) =>
  [
    r.received_at.toISOString(),
    r.reason,
    r.gateway_id,
    `${r.device_address}${r.slot === null ? '' : `#${r.slot}`} ${r.metric}@${new Date(Number(r.measured_at)).toISOString()}`,
    r.hint.length > 0 ? `candidates ${r.hint.map((c) => `${c.account} ${c.confidence}`).join(', ')}` : '',
    r.state === 'filing' ? '(being filed)' : '',
  ]
    .filter(Boolean)
    .join('  ');

/** The text `linkwell ingest held` prints: the newest open inbox items, then a line per gateway. */
export async function heldReport(o: HeldOptions): Promise<string> {
  if (!o.registryUrl) {
    throw new CliError(
      'CLI_ERR_BAD_ARGUMENT',
      'the held readings are in the registry database: give --registry-url <postgres://…> (or LINKWELL_INGEST_REGISTRY_URL)',
    );
  }
  if (o.reason && !REASONS.includes(o.reason)) {
    throw new CliError('CLI_ERR_BAD_ARGUMENT', `--reason must be one of ${REASONS.join(', ')}`);
  }
  const pool = openRegistryPool(o.registryUrl, { max: 1 });
  try {
    const where = `state IN ('held', 'filing') AND ($1::text IS NULL OR reason = $1) AND ($2::text IS NULL OR gateway_id = $2)`;
    const params = [o.reason ?? null, o.gw ?? null];
    const { rows } = await pool.query<Row>(
      `SELECT * FROM (
         SELECT id, gateway_id, household_id, device_address, slot, metric, measured_at, reason, hint, state, received_at
         FROM inbox_items WHERE ${where} ORDER BY received_at DESC, id DESC ${o.limit > 0 ? `LIMIT ${Math.trunc(o.limit)}` : ''}
       ) newest ORDER BY received_at, id`,
      params,
    );
    if (o.json) return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    const perGw = await pool.query<{ gateway_id: string; n: number; oldest: Date }>(
      `SELECT gateway_id, count(*)::int AS n, min(received_at) AS oldest FROM inbox_items WHERE ${where}
       GROUP BY gateway_id ORDER BY gateway_id`,
      params,
    );
    const total = perGw.rows.reduce((s, r) => s + r.n, 0);
    if (total === 0) return `no held readings${o.gw ? ` from ${o.gw}` : ''} in the household inbox\n`;
    const more = rows.length < total ? ` (the newest ${rows.length}; --limit 0 shows all)` : '';
    const summary = perGw.rows.map(
      (g) => `${g.gateway_id}  ${g.n} held, oldest since ${g.oldest.toISOString()}`,
    );
    return `${rows.map(line).join('\n')}\n${total} held reading(s)${more}\n${summary.join('\n')}\n`;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      'CLI_ERR_BAD_ARGUMENT',
      `could not read the inbox at the registry URL: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    await pool.end();
  }
}

/** `linkwell ingest held`: readings waiting in the household inbox (docs/attribution.md). */
export function registerIngestHeld(ingest: Command): void {
  ingest
    .command('held')
    .description(
      'List held readings (the household inbox): unclaimed devices, unmapped user slots and weighings no rule attributes; stored once attributed or filed',
    )
    .option(
      '--registry-url <url>',
      'the registry PostgreSQL URL of `ingest run` (LINKWELL_INGEST_REGISTRY_URL)',
      process.env.LINKWELL_INGEST_REGISTRY_URL,
    )
    .option('--reason <reason>', `only this reason: ${REASONS.join(', ')}`)
    .option('--gw <id>', 'only this gateway')
    .option('--json', 'print one JSON object per line')
    .option('--limit <n>', 'the newest n matches (0: all)', intOption, 50)
    .action(async (o: HeldOptions) => {
      process.stdout.write(await heldReport(o));
    });
}
