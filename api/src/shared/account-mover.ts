import type { SqlClient } from '../db/sql-client.js';

/**
 * How a merge reaches into a bounded context without touching its tables: each context that keeps rows
 * per account implements this over its own repository, and the identity module's merge calls every mover
 * inside one transaction. `move` returns a JSON inventory of exactly what it changed; `restore` puts those
 * rows back as they were, so merge followed by undo leaves the registry as if nothing happened.
 */
export interface AccountMover {
  /** The key of this context's part of the merge inventory, e.g. `households`. */
  readonly part: string;
  move(sql: SqlClient, from: string, to: string): Promise<unknown>;
  restore(sql: SqlClient, inventory: unknown, from: string, to: string): Promise<void>;
}
