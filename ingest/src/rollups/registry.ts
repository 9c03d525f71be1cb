import { isTimeZone, type ZoneSpan } from '@linkwell/firmware-protocol';
import type { SqlClient } from '../registry/resolver.js';
import { RollupError } from './errors.js';

/** rollup_state and rollup_requests (migration 0009_trends): the worker writes them, the API reads them. */
export interface RollupState {
  cursorMs: number;
  builtAt: Date | null;
}

const STATE = 'main';

async function run<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RollupError) throw err;
    throw new RollupError('INGEST_ERR_ROLLUP_STATE', `${what}: ${(err as Error).message}`, { cause: err });
  }
}

export function readState(db: SqlClient): Promise<RollupState | undefined> {
  return run('reading rollup_state', async () => {
    const { rows } = await db.query<{ cursor_ms: string | number; built_at: Date | string | null }>(
      'SELECT cursor_ms, built_at FROM rollup_state WHERE name = $1',
      [STATE],
    );
    const r = rows[0];
    if (!r) return undefined;
    return { cursorMs: Number(r.cursor_ms), builtAt: r.built_at === null ? null : new Date(r.built_at) };
  });
}

/** The state row, created (not built, cursor at `cursorMs`) when missing. */
export async function ensureState(db: SqlClient, cursorMs: number): Promise<RollupState> {
  await run('creating rollup_state', () =>
    db.query(
      `INSERT INTO rollup_state (name, cursor_ms, built_at, updated_at) VALUES ($1, $2, NULL, now())
       ON CONFLICT (name) DO NOTHING`,
      [STATE, cursorMs],
    ),
  );
  const s = await readState(db);
  if (!s) throw new RollupError('INGEST_ERR_ROLLUP_STATE', 'rollup_state row missing after insert');
  return s;
}

/** Starts a (re)build: cursor at `cursorMs`, not built, so the API reads raw until `finishBuild`. */
export function startBuild(db: SqlClient, cursorMs: number): Promise<void> {
  return run('starting the rollup build', async () => {
    await db.query(
      `INSERT INTO rollup_state (name, cursor_ms, built_at, updated_at) VALUES ($1, $2, NULL, now())
       ON CONFLICT (name) DO UPDATE SET cursor_ms = EXCLUDED.cursor_ms, built_at = NULL, updated_at = now()`,
      [STATE, cursorMs],
    );
  });
}

export function finishBuild(db: SqlClient): Promise<void> {
  return run('finishing the rollup build', async () => {
    await db.query('UPDATE rollup_state SET built_at = now(), updated_at = now() WHERE name = $1', [STATE]);
  });
}

/** Moves the cursor from `fromMs` to `toMs`; refuses when another worker moved it meanwhile. */
export async function advanceCursor(db: SqlClient, fromMs: number, toMs: number): Promise<void> {
  const { rows } = await run('advancing the rollup cursor', () =>
    db.query<{ name: string }>(
      `UPDATE rollup_state SET cursor_ms = $3, updated_at = now() WHERE name = $1 AND cursor_ms = $2 RETURNING name`,
      [STATE, fromMs, toMs],
    ),
  );
  if (rows.length === 0)
    throw new RollupError('INGEST_ERR_ROLLUP_CURSOR_MOVED', `cursor is no longer ${fromMs}`);
}

/**
 * Zone history per InfluxDB account tag (view rollup_account_zones), sorted; a tag without rows (or with
 * a zone the runtime does not know) gets UTC, the same default the API uses.
 */
export function zonesOf(db: SqlClient, tags: readonly string[]): Promise<Map<string, ZoneSpan[]>> {
  return run('reading rollup_account_zones', async () => {
    const out = new Map<string, ZoneSpan[]>(tags.map((t) => [t, []]));
    if (tags.length > 0) {
      const { rows } = await db.query<{ account_tag: string; time_zone: string; from_ms: string | number }>(
        `SELECT account_tag, time_zone, floor(extract(epoch FROM effective_from) * 1000)::bigint AS from_ms
         FROM rollup_account_zones WHERE account_tag = ANY($1::text[]) ORDER BY account_tag, effective_from`,
        [[...tags]],
      );
      for (const r of rows)
        if (isTimeZone(r.time_zone))
          out.get(r.account_tag)?.push({ zone: r.time_zone, fromMs: Number(r.from_ms) });
    }
    for (const [t, spans] of out) if (spans.length === 0) out.set(t, [{ zone: 'UTC', fromMs: 0 }]);
    return out;
  });
}

export interface RollupRequest {
  id: string;
  accountId: string;
  fromMs: number;
}

export function openRequests(db: SqlClient, limit = 100): Promise<RollupRequest[]> {
  return run('reading rollup_requests', async () => {
    const { rows } = await db.query<{ id: string | number; account_id: string; from_ms: string | number }>(
      'SELECT id, account_id, from_ms FROM rollup_requests WHERE done_at IS NULL ORDER BY id LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ id: String(r.id), accountId: r.account_id, fromMs: Number(r.from_ms) }));
  });
}

export function finishRequest(db: SqlClient, id: string): Promise<void> {
  return run('finishing a rollup request', async () => {
    await db.query('UPDATE rollup_requests SET done_at = now() WHERE id = $1 AND done_at IS NULL', [id]);
  });
}

/**
 * The InfluxDB account tags an account's points carry: its own id and the ids of accounts merged into it
 * (account_merges, the same walk as the view rollup_account_zones makes).
 */
export function accountTags(db: SqlClient, accountId: string): Promise<string[]> {
  return run('reading account tags', async () => {
    const { rows } = await db.query<{ tag: string }>(
      `WITH RECURSIVE tags(tag) AS (
         SELECT $1::text
         UNION
         SELECT m.source_account_id FROM account_merges m JOIN tags ON m.target_account_id = tags.tag
          WHERE m.undone_at IS NULL
       ) SELECT tag FROM tags ORDER BY tag`,
      [accountId],
    );
    return rows.map((r) => r.tag);
  });
}
