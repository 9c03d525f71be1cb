/** The slice of a SQL client most code needs; a PGlite instance and a pg Pool both fit. */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** A client that can also run a script of several statements (no parameters). */
export interface SqlExecutor extends SqlClient {
  exec(sql: string): Promise<void>;
}

/**
 * The registry database, whichever engine backs it. `transaction` commits when `fn` resolves and
 * rolls back when it throws; queries inside must go through the `tx` it is given.
 */
export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` (e.g. `linkwell_registry`, migration 0003): `onPayload` gets each NOTIFY payload
   * after its transaction commits. On PostgreSQL a dedicated connection listens; `onError` is called once
   * if it is lost, after which nothing more arrives (listen again). Resolves with the function that stops.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onError?: (err: Error) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
