import type { SqlClient } from '../../../db/sql-client.js';

/**
 * SQL of the aggregate reports (issue 16 §5 "Reports", docs/crm.md): exact counts over the people whose
 * consent snapshot holds `consent` (e.g. 'marketing/usage'); the service suppresses cells below k before
 * anything leaves it.
 */
export function createSegmentReportsRepository(db: SqlClient) {
  return {
    /** Whether H3's grade history (crm_grade_history(account_id, month, grade)) exists in this database. */
    async hasGradeHistory(): Promise<boolean> {
      const { rows } = await db.query<{ t: string | null }>(
        "SELECT to_regclass('crm_grade_history')::text AS t",
      );
      return rows[0]?.t != null;
    },

    /** People per (grade in `fromMonth`, grade in `toMonth`); months as YYYY-MM-01. */
    async gradeMoves(
      fromMonth: string,
      toMonth: string,
      consent: string,
    ): Promise<{ from: string; to: string; n: number }[]> {
      const { rows } = await db.query<{ from_grade: string; to_grade: string; n: number }>(
        `SELECT a.grade AS from_grade, b.grade AS to_grade, count(DISTINCT a.account_id)::integer AS n
           FROM crm_grade_history a
           JOIN crm_grade_history b ON b.account_id = a.account_id AND b.month = $2::date
           JOIN crm_profiles p ON p.account_id = a.account_id AND p.consents @> ARRAY[$3::text]
          WHERE a.month = $1::date
          GROUP BY a.grade, b.grade`,
        [fromMonth, toMonth, consent],
      );
      return rows.map((r) => ({ from: r.from_grade, to: r.to_grade, n: r.n }));
    },

    /**
     * The concentration of value_score: people with a score, its total, how many of the top-ranked people
     * it takes to reach `share` of the total, and the value the top `topShare` of people give.
     */
    async concentration(
      consent: string,
      share: number,
      topShare: number,
    ): Promise<{ people: number; total: number; peopleForShare: number | null; topValue: number | null }> {
      const { rows } = await db.query<{
        people: number | null;
        total: number | null;
        people_for_share: number | null;
        top_value: number | null;
      }>(
        `WITH ranked AS (
           SELECT row_number() OVER w AS rn,
                  sum(value_score) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
                  sum(value_score) OVER () AS total,
                  count(*) OVER () AS people
             FROM crm_profiles p
            WHERE p.value_score IS NOT NULL AND p.consents @> ARRAY[$1::text]
           WINDOW w AS (ORDER BY value_score DESC, account_id))
         SELECT max(people)::integer AS people, max(total)::double precision AS total,
                min(rn) FILTER (WHERE cum >= $2::double precision * total)::integer AS people_for_share,
                max(cum) FILTER (WHERE rn <= ceil($3::double precision * people))::double precision AS top_value
           FROM ranked`,
        [consent, share, topShare],
      );
      const r = rows[0];
      return {
        people: r?.people ?? 0,
        total: r?.total ?? 0,
        peopleForShare: r?.people_for_share ?? null,
        topValue: r?.top_value ?? null,
      };
    },

    /** People per lifecycle stage. */
    async lifecycle(consent: string): Promise<{ stage: string; n: number }[]> {
      const { rows } = await db.query<{ stage: string; n: number }>(
        `SELECT lifecycle_stage AS stage, count(*)::integer AS n FROM crm_profiles p
          WHERE lifecycle_stage IS NOT NULL AND p.consents @> ARRAY[$1::text]
          GROUP BY lifecycle_stage`,
        [consent],
      );
      return rows;
    },
  };
}

export type SegmentReportsRepository = ReturnType<typeof createSegmentReportsRepository>;
