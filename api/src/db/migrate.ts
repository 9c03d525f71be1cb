import { createHash } from 'node:crypto';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { Database, SqlExecutor } from './sql-client.js';

// Arbitrary constant shared by every API instance: concurrent migrators (e.g. two replicas starting
// together) queue on this transaction-scoped advisory lock instead of racing on CREATE TABLE.
const MIGRATION_LOCK_KEY = 0x6c770001;

export interface MigrationResult {
  /** Ids applied by this call, in order. */
  applied: string[];
  /** Ids that were already present. */
  skipped: string[];
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1]!.id;
    const cur = migrations[i]!.id;
    if (prev >= cur) throw new Error(`migrations out of order or duplicated: ${prev} then ${cur}`);
  }
}

async function lock(tx: SqlExecutor): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
}

async function applyOne(db: Database, m: Migration): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lock(tx);
    const { rows } = await tx.query<{ checksum: string }>(
      'SELECT checksum FROM schema_migrations WHERE id = $1',
      [m.id],
    );
    const existing = rows[0];
    if (existing) {
      // An edited migration would leave databases that ran the old text silently different.
      if (existing.checksum !== checksum(m.sql)) {
        throw new Error(`migration ${m.id} was changed after it was applied; add a new migration instead`);
      }
      return false;
    }
    await tx.exec(m.sql);
    await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [m.id, checksum(m.sql)]);
    return true;
  });
}

/**
 * Brings the schema up to date: each pending migration runs once, in order, in its own transaction
 * together with its `schema_migrations` row. Re-running is a no-op; so is losing a race to another instance.
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  assertOrdered(migrations);
  await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const m of migrations) {
    if (await applyOne(db, m)) result.applied.push(m.id);
    else result.skipped.push(m.id);
  }
  return result;
}
