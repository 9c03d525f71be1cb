import type { SqlClient } from '../../../db/sql-client.js';

/** The only SQL on crm_activity_days, crm_activity_flags and crm_feed_cursor. */
// A set of accounts is matched with `IN (SELECT unnest($n))`, which PostgreSQL and PGlite run as a hashed
// subplan or a join; `= ANY($n)` compared each row with every element when the planner chose a scan.

export interface CountDelta {
  accountId: string;
  day: string;
  metric: string;
  deviceId: string;
  delta: number;
}

export interface FlagDelta {
  accountId: string;
  day: string;
  flag: string;
  delta: number;
}

export interface ActivityDbRow {
  account_id: string;
  day: string;
  metric: string;
  device_id: string;
  readings: number;
}

export interface FlagDbRow {
  account_id: string;
  day: string;
  flag: string;
  count: number;
}

export function createActivityRepository(sql: SqlClient) {
  return {
    async cursor(name: string): Promise<string | null> {
      const { rows } = await sql.query<{ cursor: string | null }>(
        'SELECT cursor FROM crm_feed_cursor WHERE name = $1',
        [name],
      );
      return rows[0]?.cursor ?? null;
    },

    /**
     * Moves the cursor from `from` to `to`, only if it is still at `from`: false when another pass applied
     * this page already (the page must then not be applied again).
     */
    async advanceCursor(name: string, from: string | null, to: string, now: Date): Promise<boolean> {
      await sql.query(
        'INSERT INTO crm_feed_cursor (name, cursor, updated_at) VALUES ($1, NULL, $2) ON CONFLICT (name) DO NOTHING',
        [name, now],
      );
      const { rows } = await sql.query(
        `UPDATE crm_feed_cursor SET cursor = $3, updated_at = $4
          WHERE name = $1 AND cursor IS NOT DISTINCT FROM $2 RETURNING name`,
        [name, from, to, now],
      );
      return rows.length === 1;
    },

    /**
     * Adds the deltas to the day counts. A row is created by a positive delta only: a deletion of a reading
     * the CRM never counted (it predates the feed) changes nothing. Counts never go below 0, and empty rows go.
     */
    async applyCounts(deltas: readonly CountDelta[]): Promise<void> {
      if (deltas.length === 0) return;
      const cols = [
        deltas.map((d) => d.accountId),
        deltas.map((d) => d.day),
        deltas.map((d) => d.metric),
        deltas.map((d) => d.deviceId),
        deltas.map((d) => d.delta),
      ];
      const f = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS f(account_id, day, metric, device_id, delta)`;
      await sql.query(
        `UPDATE crm_activity_days c SET readings = greatest(0, c.readings + f.delta) FROM ${f}
          WHERE c.account_id = f.account_id AND c.day = f.day::date AND c.metric = f.metric AND c.device_id = f.device_id`,
        cols,
      );
      await sql.query(
        `INSERT INTO crm_activity_days (account_id, day, metric, device_id, readings)
         SELECT f.account_id, f.day::date, f.metric, f.device_id, f.delta FROM ${f} WHERE f.delta > 0
         ON CONFLICT (account_id, day, metric, device_id) DO NOTHING`,
        cols,
      );
      await sql.query(
        'DELETE FROM crm_activity_days WHERE account_id IN (SELECT unnest($1::text[])) AND readings = 0',
        [[...new Set(deltas.map((d) => d.accountId))]],
      );
    },

    async applyFlags(deltas: readonly FlagDelta[]): Promise<void> {
      if (deltas.length === 0) return;
      const cols = [
        deltas.map((d) => d.accountId),
        deltas.map((d) => d.day),
        deltas.map((d) => d.flag),
        deltas.map((d) => d.delta),
      ];
      const f = `unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS f(account_id, day, flag, delta)`;
      await sql.query(
        `UPDATE crm_activity_flags c SET count = greatest(0, c.count + f.delta) FROM ${f}
          WHERE c.account_id = f.account_id AND c.day = f.day::date AND c.flag = f.flag`,
        cols,
      );
      await sql.query(
        `INSERT INTO crm_activity_flags (account_id, day, flag, count)
         SELECT f.account_id, f.day::date, f.flag, f.delta FROM ${f} WHERE f.delta > 0
         ON CONFLICT (account_id, day, flag) DO NOTHING`,
        cols,
      );
      await sql.query(
        'DELETE FROM crm_activity_flags WHERE account_id IN (SELECT unnest($1::text[])) AND count = 0',
        [[...new Set(deltas.map((d) => d.accountId))]],
      );
    },

    async activityOf(accounts: readonly string[]): Promise<ActivityDbRow[]> {
      const { rows } = await sql.query<ActivityDbRow>(
        `SELECT account_id, day::text AS day, metric, device_id, readings FROM crm_activity_days
          WHERE account_id IN (SELECT unnest($1::text[]))`,
        [accounts],
      );
      return rows;
    },

    async flagsOf(accounts: readonly string[]): Promise<FlagDbRow[]> {
      const { rows } = await sql.query<FlagDbRow>(
        `SELECT account_id, day::text AS day, flag, count FROM crm_activity_flags WHERE account_id IN (SELECT unnest($1::text[]))`,
        [accounts],
      );
      return rows;
    },
  };
}

export type ActivityRepository = ReturnType<typeof createActivityRepository>;
