import { setTimeout as sleep } from 'node:timers/promises';

/** The slice of the registry database the overlap needs: PostgreSQL through `openPostgres`. */
export interface TransactionalDb<Tx> {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface Overlap<T, U> {
  first: PromiseSettledResult<T>;
  second: PromiseSettledResult<U>;
  /** PostgreSQL showed the second transaction waiting on a lock while the first was still open. */
  secondBlocked: boolean;
}

/**
 * Runs `first` in a transaction up to just before its COMMIT, starts `second` in another, waits (up to
 * 2 s) until PostgreSQL shows a transaction waiting on a lock, then lets the first commit. This is the
 * interleaving a race test needs, made deterministic instead of hoped for.
 */
export async function overlapTransactions<Tx, T, U>(
  db: TransactionalDb<Tx>,
  first: (tx: Tx) => Promise<T>,
  second: (tx: Tx) => Promise<U>,
): Promise<Overlap<T, U>> {
  let done!: () => void;
  let commit!: () => void;
  const firstDone = new Promise<void>((r) => {
    done = r;
  });
  const mayCommit = new Promise<void>((r) => {
    commit = r;
  });
  const a = db.transaction(async (tx) => {
    const result = await first(tx);
    done();
    await mayCommit;
    return result;
  });
  await Promise.race([firstDone, a]);
  let settled = false;
  const b = db.transaction(second).finally(() => {
    settled = true;
  });
  let secondBlocked = false;
  for (let i = 0; i < 100 && !settled && !secondBlocked; i++) {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
    );
    if (rows[0]!.n > 0) secondBlocked = true;
    else await sleep(20);
  }
  commit();
  const [ra, rb] = await Promise.allSettled([a, b]);
  return { first: ra, second: rb, secondBlocked };
}
