import type { SqlClient } from '../../db/sql-client.js';
import type { InfluxClient } from '../../influx/client.js';
import { quoteIdentifier, quoteString } from '../../influx/influxql.js';

export interface CountDeps {
  influx: InfluxClient;
  db: SqlClient;
  /** The InfluxDB `account` tags of an account (its own and merged ones), as the readings context uses. */
  accountTags: (sql: SqlClient, accountId: string) => Promise<readonly string[]>;
}

export type CountReadings = (
  accountId: string,
  q: { metrics: readonly string[]; fromMs: number; toMs: number },
) => Promise<number>;

/**
 * How many readings an export will carry, told to the client up front so it can show progress. InfluxDB
 * counts per field; a reading is one row, so the largest field count of a measurement is its row count
 * whenever one field is present in every row (the catalog's primary field is).
 */
export function createReadingCounter(deps: CountDeps): CountReadings {
  return async (accountId, q) => {
    const tags = await deps.accountTags(deps.db, accountId);
    if (tags.length === 0 || q.metrics.length === 0 || q.fromMs >= q.toMs) return 0;
    const who = tags.map((t) => `${quoteIdentifier('account')} = ${quoteString(t)}`).join(' OR ');
    const counts = await Promise.all(
      q.metrics.map(async (metric) => {
        const series = await deps.influx.query(
          `SELECT count(*) FROM ${quoteIdentifier(metric)} WHERE (${who}) AND time >= ${q.fromMs}ms AND time < ${q.toMs}ms`,
        );
        let rows = 0;
        for (const s of series)
          for (const row of s.values)
            for (const v of row.slice(1)) if (typeof v === 'number' && v > rows) rows = v;
        return rows;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
}
