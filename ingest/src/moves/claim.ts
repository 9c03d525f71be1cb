import type { SqlClient } from '../registry/resolver.js';

/** Runs `fn` while this node alone holds `key`; resolves undefined (not running it) when another holds it. */
export type Claim = <T>(key: string, fn: () => Promise<T>) => Promise<T | undefined>;

/**
 * Claims a move for the time it executes. On PostgreSQL: a transaction-scoped advisory lock taken with
 * pg_try_advisory_xact_lock on a connection of its own, held while the steps run and released by COMMIT,
 * or by the server when the node dies. A row lock (SELECT … FOR UPDATE SKIP LOCKED) would be the usual way
 * to pick work, but it would also block the step records (UPDATE reading_moves …) that must commit on
 * another connection before the next step, which is what makes a move resumable. On PGlite (one process,
 * one connection) an in-process set does the same.
 */
export function claimFor(db: SqlClient): Claim {
  const held = new Set<string>();
  const local: Claim = async (key, fn) => {
    if (held.has(key)) return undefined;
    held.add(key);
    try {
      return await fn();
    } finally {
      held.delete(key);
    }
  };
  if (!db.transaction || db.kind === 'pglite') return local;
  const tx = db.transaction.bind(db);
  return (key, fn) =>
    local(key, () =>
      tx(async (t) => {
        const { rows } = await t.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok',
          [`reading_move:${key}`],
        );
        return rows[0]?.ok ? await fn() : undefined;
      }),
    ).then((r) => r as Awaited<ReturnType<typeof fn>> | undefined);
}
