import type { Database, SqlExecutor } from '../../db/sql-client.js';

/** A database failure under the authorization server: the token endpoint answers 503, never a half-issued token. */
export class OAuthStoreUnavailable extends Error {
  override readonly name = 'OAuthStoreUnavailable';
  constructor(override readonly cause: unknown) {
    super('The authorization server store failed.');
  }
}

function wrap<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => {
    throw new OAuthStoreUnavailable(err);
  });
}

/** The database as the provider sees it: every failure becomes OAuthStoreUnavailable. */
export function storeGuarded(db: Database): Database {
  const exec = (tx: SqlExecutor): SqlExecutor => ({
    query: (sql, params) => wrap(tx.query(sql, params)),
    exec: (sql) => wrap(tx.exec(sql)),
  });
  return {
    kind: db.kind,
    query: (sql, params) => wrap(db.query(sql, params)),
    exec: (sql) => wrap(db.exec(sql)),
    transaction: (fn) => wrap(db.transaction((tx) => fn(exec(tx)))),
    listen: (...args) => db.listen(...args),
    close: () => db.close(),
  };
}
