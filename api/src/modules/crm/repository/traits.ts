import type { SqlClient } from '../../../db/sql-client.js';
import { DEVICE_KINDS, type LifecycleStage, TRAIT_CATALOG, type TraitType } from '../catalog.js';

/** The only SQL on crm_profiles' trait columns, crm_runs, crm_lifecycle_transitions and crm_grade_history. */

const SQL_TYPE: Record<TraitType, string> = {
  integer: 'integer',
  number: 'double precision',
  boolean: 'boolean',
  text: 'text',
  enum: 'text',
  timestamp: 'timestamptz',
};

// Column names come from the catalog (a fixed, reviewed list), never from input.
const TYPE_OF = new Map(TRAIT_CATALOG.map((t) => [t.name, SQL_TYPE[t.type]]));

function columnsChecked(columns: readonly string[]): string[] {
  for (const c of columns) if (!TYPE_OF.has(c)) throw new Error(`not a trait column: ${c}`);
  return [...columns];
}

export interface RunRow {
  id: string;
  kind: 'batch' | 'incremental';
  started_at: Date;
  finished_at: Date | null;
  inputs: Record<string, unknown>;
  people: number;
  ms: number | null;
}

export function createTraitsRepository(sql: SqlClient) {
  return {
    /** Everyone with activity gets a profile row (all traits NULL until consent allows them). */
    async ensureProfilesForActivity(now: Date): Promise<void> {
      await sql.query(
        `INSERT INTO crm_profiles (account_id, computed_at)
         SELECT DISTINCT account_id, $1::timestamptz FROM crm_activity_days ON CONFLICT (account_id) DO NOTHING`,
        [now],
      );
    },

    /** Records each person's consent snapshot ('purpose/category' pairs), creating rows as needed. */
    async setConsents(snapshot: ReadonlyMap<string, readonly string[]>, now: Date): Promise<void> {
      if (snapshot.size === 0) return;
      await sql.query(
        `INSERT INTO crm_profiles (account_id, consents, computed_at)
         SELECT j.account_id, string_to_array(j.consents, ','), $3::timestamptz
           FROM unnest($1::text[], $2::text[]) AS j(account_id, consents)
         ON CONFLICT (account_id) DO UPDATE SET consents = excluded.consents`,
        [[...snapshot.keys()], [...snapshot.values()].map((c) => c.join(',')), now],
      );
    },

    /**
     * Everyone not in `holders` holds none of the CRM's consents. NOT EXISTS, not NOT IN: with holders past
     * work_mem PostgreSQL cannot hash a NOT IN subquery and rescans it per row (quadratic at 1M profiles,
     * bench:segments), while NOT EXISTS plans as a hash anti-join.
     */
    async clearConsentsExcept(holders: readonly string[]): Promise<void> {
      await sql.query(
        `UPDATE crm_profiles SET consents = '{}' WHERE cardinality(consents) > 0
           AND NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS h(account_id) WHERE h.account_id = crm_profiles.account_id)`,
        [holders],
      );
    },

    /**
     * Sets the columns to NULL for everyone (or, with `accounts`, for those of them) without the consent `pair`.
     * Rows already NULL are left alone, so a run rewrites only what a withdrawal changed.
     */
    async clearWithout(
      pair: string,
      columns: readonly string[],
      accounts?: readonly string[],
    ): Promise<void> {
      const cols = columnsChecked(columns);
      const scope = accounts ? 'AND account_id IN (SELECT unnest($2::text[]))' : '';
      await sql.query(
        `UPDATE crm_profiles SET ${cols.map((c) => `${c} = NULL`).join(', ')}
          WHERE NOT ($1 = ANY(consents)) ${scope} AND (${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')})`,
        accounts ? [pair, accounts] : [pair],
      );
    },

    /** Lifecycle transitions and grade history are usage traits too: gone with the consent. */
    async forgetHistoryWithout(pair: string, accounts?: readonly string[]): Promise<void> {
      const scope = accounts ? 'AND account_id IN (SELECT unnest($2::text[]))' : '';
      const params = accounts ? [pair, accounts] : [pair];
      const who = `SELECT account_id FROM crm_profiles WHERE NOT ($1 = ANY(consents)) ${scope}`;
      await sql.query(`DELETE FROM crm_lifecycle_transitions WHERE account_id IN (${who})`, params);
      await sql.query(`DELETE FROM crm_grade_history WHERE account_id IN (${who})`, params);
    },

    async accountsMissingSignup(accounts: readonly string[]): Promise<string[]> {
      const { rows } = await sql.query<{ account_id: string }>(
        'SELECT account_id FROM crm_profiles WHERE account_id IN (SELECT unnest($1::text[])) AND signed_up_at IS NULL',
        [accounts],
      );
      return rows.map((r) => r.account_id);
    },

    async setSignups(dates: ReadonlyMap<string, Date>): Promise<void> {
      if (dates.size === 0) return;
      await sql.query(
        `UPDATE crm_profiles p SET signed_up_at = j.at FROM unnest($1::text[], $2::timestamptz[]) AS j(account_id, at)
          WHERE p.account_id = j.account_id`,
        [[...dates.keys()], [...dates.values()].map((d) => d.toISOString())],
      );
    },

    async previousStages(
      accounts: readonly string[],
    ): Promise<Map<string, { stage: LifecycleStage; at: Date }>> {
      const { rows } = await sql.query<{ account_id: string; to_stage: LifecycleStage; at: Date }>(
        `SELECT DISTINCT ON (account_id) account_id, to_stage, at FROM crm_lifecycle_transitions
          WHERE account_id IN (SELECT unnest($1::text[])) ORDER BY account_id, at DESC, id DESC`,
        [accounts],
      );
      return new Map(rows.map((r) => [r.account_id, { stage: r.to_stage, at: new Date(r.at) }]));
    },

    /** Writes the given trait columns of each row (missing values are NULL). */
    async writeTraits(
      rows: readonly Record<string, unknown>[],
      columns: readonly string[],
      now: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      const cols = columnsChecked(columns);
      const def = ['account_id text', ...cols.map((c) => `${c} ${TYPE_OF.get(c)}`)].join(', ');
      await sql.query(
        `UPDATE crm_profiles p SET computed_at = $2, ${cols.map((c) => `${c} = j.${c}`).join(', ')}
           FROM jsonb_to_recordset($1::jsonb) AS j(${def}) WHERE p.account_id = j.account_id`,
        [JSON.stringify(rows), now],
      );
    },

    async recordTransitions(
      rows: readonly { accountId: string; from: LifecycleStage | null; to: LifecycleStage }[],
      at: Date,
      runId: string,
    ): Promise<void> {
      if (rows.length === 0) return;
      await sql.query(
        `INSERT INTO crm_lifecycle_transitions (account_id, from_stage, to_stage, at, run_id)
         SELECT account_id, from_stage, to_stage, $4, $5 FROM unnest($1::text[], $2::text[], $3::text[])
           AS j(account_id, from_stage, to_stage)`,
        [rows.map((r) => r.accountId), rows.map((r) => r.from), rows.map((r) => r.to), at, runId],
      );
    },

    /**
     * Quintile scores over the people holding `pair` who have a reading: ⌈5 × cume_dist⌉ (cume_dist, not
     * ntile, so equal values share a score; rounded to 9 places first so 5 × 0.4 cannot ceil to 3).
     */
    async scoreRfe(pair: string): Promise<void> {
      const q = (order: string) =>
        `ceil(round((5 * cume_dist() OVER (ORDER BY ${order}))::numeric, 9))::integer`;
      await sql.query(
        `WITH s AS (
           SELECT account_id, ${q('recency_days DESC')} AS r, ${q('frequency_90d')} AS f, ${q('engagement')} AS e
             FROM crm_profiles WHERE $1 = ANY(consents) AND recency_days IS NOT NULL)
         UPDATE crm_profiles p SET r_score = s.r, f_score = s.f, e_score = s.e,
                rfe_code = s.r::text || s.f::text || s.e::text
           FROM s WHERE p.account_id = s.account_id`,
        [pair],
      );
      await sql.query(
        `UPDATE crm_profiles SET r_score = NULL, f_score = NULL, e_score = NULL, rfe_code = NULL
          WHERE $1 = ANY(consents) AND recency_days IS NULL`,
        [pair],
      );
    },

    /** ABC classes by the share of the total held by those ranked strictly above (traits/abc.ts). */
    async classifyAbc(pair: string, a: number, b: number): Promise<void> {
      await sql.query(
        `WITH base AS (
           SELECT account_id, coalesce(value_score, 0) AS v FROM crm_profiles WHERE $1 = ANY(consents)),
         t AS (SELECT sum(v) AS total FROM base),
         r AS (
           SELECT account_id, v,
                  sum(v) OVER (ORDER BY v DESC) - sum(v) OVER (PARTITION BY v) AS above FROM base)
         UPDATE crm_profiles p SET abc_class = CASE
             WHEN r.v <= 0 OR t.total <= 0 THEN 'C'
             WHEN r.above / t.total < $2 THEN 'A'
             WHEN r.above / t.total < $3 THEN 'B'
             ELSE 'C' END
           FROM r, t WHERE p.account_id = r.account_id`,
        [pair, a, b],
      );
    },

    /** Signup cohorts (UTC month): size and members with a measuring day in 30 days. */
    async cohorts(pair: string): Promise<{ cohort: string; size: number; active: number }[]> {
      const { rows } = await sql.query<{ cohort: string; size: string; active: string }>(
        `SELECT to_char(signed_up_at AT TIME ZONE 'UTC', 'YYYY-MM') AS cohort, count(*) AS size,
                count(*) FILTER (WHERE frequency_30d > 0) AS active
           FROM crm_profiles WHERE $1 = ANY(consents) AND signed_up_at IS NOT NULL GROUP BY 1`,
        [pair],
      );
      return rows.map((r) => ({ cohort: r.cohort, size: Number(r.size), active: Number(r.active) }));
    },

    async setClv(pair: string, byCohort: ReadonlyMap<string, number>): Promise<void> {
      await sql.query(
        `UPDATE crm_profiles p SET clv = j.clv FROM unnest($2::text[], $3::float8[]) AS j(cohort, clv)
          WHERE $1 = ANY(p.consents) AND to_char(p.signed_up_at AT TIME ZONE 'UTC', 'YYYY-MM') = j.cohort`,
        [pair, [...byCohort.keys()], [...byCohort.values()]],
      );
    },

    /** How many people own each set of kinds, the set as a mask in DEVICE_KINDS order. */
    async kindMasks(pair: string): Promise<{ mask: number; count: number }[]> {
      const { rows } = await sql.query<{ mask: number; n: string }>(
        `SELECT ${MASK} AS mask, count(*) AS n FROM crm_profiles WHERE $1 = ANY(consents) GROUP BY 1`,
        [pair],
      );
      return rows.map((r) => ({ mask: Number(r.mask), count: Number(r.n) }));
    },

    async setNextDevice(pair: string, byMask: ReadonlyMap<number, string>): Promise<void> {
      await sql.query(
        `UPDATE crm_profiles p SET next_device = j.kind FROM unnest($2::int[], $3::text[]) AS j(mask, kind)
          WHERE $1 = ANY(p.consents) AND ${MASK.replaceAll('owns_', 'p.owns_')} = j.mask`,
        [pair, [...byMask.keys()], [...byMask.values()]],
      );
    },

    async snapshotGrades(month: string): Promise<void> {
      await sql.query(
        `INSERT INTO crm_grade_history (month, account_id, grade)
         SELECT $1::date, account_id, engagement_grade FROM crm_profiles WHERE engagement_grade IS NOT NULL
         ON CONFLICT (month, account_id) DO UPDATE SET grade = excluded.grade`,
        [month],
      );
    },

    async startRun(
      kind: 'batch' | 'incremental',
      inputs: Record<string, unknown>,
      at: Date,
    ): Promise<string> {
      const { rows } = await sql.query<{ id: string }>(
        'INSERT INTO crm_runs (kind, started_at, inputs) VALUES ($1, $2, $3::jsonb) RETURNING id::text AS id',
        [kind, at, JSON.stringify(inputs)],
      );
      return rows[0]!.id;
    },

    async finishRun(id: string, people: number, at: Date, ms: number): Promise<void> {
      await sql.query('UPDATE crm_runs SET finished_at = $2, people = $3, ms = $4 WHERE id = $1::bigint', [
        id,
        at,
        people,
        Math.round(ms),
      ]);
    },

    async runs(limit: number): Promise<RunRow[]> {
      const { rows } = await sql.query<RunRow>(
        `SELECT id::text AS id, kind, started_at, finished_at, inputs, people, ms FROM crm_runs
          ORDER BY id DESC LIMIT $1`,
        [limit],
      );
      return rows;
    },

    async profile(accountId: string): Promise<Record<string, unknown> | undefined> {
      const cols = TRAIT_CATALOG.map((t) => t.name).join(', ');
      const { rows } = await sql.query(
        `SELECT consents, computed_at, ${cols} FROM crm_profiles WHERE account_id = $1`,
        [accountId],
      );
      return rows[0];
    },

    async transitionsOf(
      accountId: string,
    ): Promise<{ from_stage: string | null; to_stage: string; at: Date }[]> {
      const { rows } = await sql.query<{ from_stage: string | null; to_stage: string; at: Date }>(
        'SELECT from_stage, to_stage, at FROM crm_lifecycle_transitions WHERE account_id = $1 ORDER BY at, id',
        [accountId],
      );
      return rows;
    },
  };
}

const MASK = DEVICE_KINDS.map((k, i) => `(CASE WHEN owns_${k} THEN ${1 << i} ELSE 0 END)`).join(' + ');

export type TraitsRepository = ReturnType<typeof createTraitsRepository>;
