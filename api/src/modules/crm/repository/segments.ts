import type { Database, SqlClient } from '../../../db/sql-client.js';
import type { Purpose } from '../catalog.js';
import { renumber } from './segment-sql.js';

/**
 * SQL on the segment tables of migration 0019 (crm_segments, crm_segment_members, crm_segment_sizes,
 * crm_releases) and the counts over crm_profiles that compiled rules make. Predicates come only from
 * compileRule (segment-sql.ts), so they hold placeholders and catalog columns, never a value.
 */

export interface SegmentRow {
  id: string;
  orgId: string;
  name: string;
  rule: unknown;
  purpose: Purpose;
  kind: 'dynamic' | 'static';
  createdAt: number;
  updatedAt: number;
  refreshedAt: number | null;
}

/** A boolean SQL expression over `crm_profiles p` and its parameters ($1…). */
export interface Predicate {
  sql: string;
  params: unknown[];
}

export interface ReleaseRow {
  fingerprint: string;
  predicate: string;
  params: unknown[];
  answer: number;
  releasedAt: number;
}

interface SegmentDbRow {
  segment_id: string;
  org_id: string;
  name: string;
  rule: unknown;
  purpose: string;
  kind: 'dynamic' | 'static';
  created_at: Date | string;
  updated_at: Date | string;
  refreshed_at: Date | string | null;
}

const ms = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(v));
const toRow = (r: SegmentDbRow): SegmentRow => ({
  id: r.segment_id,
  orgId: r.org_id,
  name: r.name,
  rule: typeof r.rule === 'string' ? JSON.parse(r.rule) : r.rule,
  purpose: r.purpose as Purpose,
  kind: r.kind,
  createdAt: ms(r.created_at),
  updatedAt: ms(r.updated_at),
  refreshedAt: r.refreshed_at === null ? null : ms(r.refreshed_at),
});
const iso = (t: number) => new Date(t).toISOString();
const COLS = 'segment_id, org_id, name, rule, purpose, kind, created_at, updated_at, refreshed_at';
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

/** `extra` parameters come first ($1…), the predicate's after them. */
function withLeading(p: Predicate, extra: unknown[]): { sql: string; params: unknown[] } {
  return { sql: renumber(p.sql, extra.length), params: [...extra, ...p.params] };
}

export function createSegmentsRepository(db: Database) {
  // Scans of every profile are cheap per row but estimated dear (correlated subqueries), so PostgreSQL's JIT
  // compiles them first: 3.9 s of an 11 s count over 1M profiles in bench:segments. Off for these scans.
  async function scan<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (db.kind !== 'postgres') return (await db.query<T>(sql, params)).rows;
    return db.transaction(async (tx) => {
      await tx.query('SET LOCAL jit = off');
      return (await tx.query<T>(sql, params)).rows;
    });
  }

  return {
    /** False when the organisation already has a segment of that name. */
    async insert(s: SegmentRow): Promise<boolean> {
      try {
        await db.query(
          `INSERT INTO crm_segments (${COLS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $7, NULL)`,
          [s.id, s.orgId, s.name, JSON.stringify(s.rule), s.purpose, s.kind, iso(s.createdAt)],
        );
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },

    /** 'taken' when the new name belongs to another segment of the organisation. */
    async update(
      orgId: string,
      id: string,
      s: Pick<SegmentRow, 'name' | 'rule' | 'purpose'>,
      now: number,
    ): Promise<'ok' | 'missing' | 'taken'> {
      try {
        const { rows } = await db.query(
          `UPDATE crm_segments SET name = $3, rule = $4::jsonb, purpose = $5, updated_at = $6
            WHERE org_id = $1 AND segment_id = $2 RETURNING segment_id`,
          [orgId, id, s.name, JSON.stringify(s.rule), s.purpose, iso(now)],
        );
        return rows.length ? 'ok' : 'missing';
      } catch (e) {
        if (isUniqueViolation(e)) return 'taken';
        throw e;
      }
    },

    async remove(orgId: string, id: string): Promise<boolean> {
      const { rows } = await db.query(
        'DELETE FROM crm_segments WHERE org_id = $1 AND segment_id = $2 RETURNING segment_id',
        [orgId, id],
      );
      return rows.length > 0;
    },

    async get(orgId: string, id: string): Promise<SegmentRow | undefined> {
      const { rows } = await db.query<SegmentDbRow>(
        `SELECT ${COLS} FROM crm_segments WHERE org_id = $1 AND segment_id = $2`,
        [orgId, id],
      );
      return rows[0] && toRow(rows[0]);
    },

    async list(orgId: string): Promise<SegmentRow[]> {
      const { rows } = await db.query<SegmentDbRow>(
        `SELECT ${COLS} FROM crm_segments WHERE org_id = $1 ORDER BY name`,
        [orgId],
      );
      return rows.map(toRow);
    },

    /**
     * Distinct people (account_id is the key, one row a person) matching `rule` with consent, and those
     * matching it without the consent the segment needs, in one scan.
     */
    async preview(rule: Predicate, consent: Predicate): Promise<{ size: number; excluded: number }> {
      // Both predicates come from one compilation and share its parameter list.
      const rows = await scan<{ size: number; excluded: number }>(
        `SELECT count(*) FILTER (WHERE m AND c)::integer AS size, count(*) FILTER (WHERE m AND NOT c)::integer AS excluded
           FROM (SELECT coalesce(${rule.sql}, false) AS m, ${consent.sql} AS c FROM crm_profiles p) x`,
        rule.params,
      );
      return { size: rows[0]?.size ?? 0, excluded: rows[0]?.excluded ?? 0 };
    },

    async count(p: Predicate): Promise<number> {
      const rows = await scan<{ n: number }>(
        `SELECT count(*)::integer AS n FROM crm_profiles p WHERE ${p.sql}`,
        p.params,
      );
      return rows[0]?.n ?? 0;
    },

    /**
     * The differencing scan: the new predicate's size and, for each earlier one, how many people are in the
     * new and not the old, and in the old and not the new, all in one pass over crm_profiles.
     */
    async differences(
      next: Predicate,
      earlier: readonly Predicate[],
    ): Promise<{ size: number; diffs: { newOnly: number; oldOnly: number }[] }> {
      const params = [...next.params];
      const exprs = [`coalesce(${next.sql}, false) AS n`];
      earlier.forEach((o, i) => {
        exprs.push(`coalesce(${renumber(o.sql, params.length)}, false) AS o${i}`);
        params.push(...o.params);
      });
      const aggs = ['count(*) FILTER (WHERE n)::integer AS size'];
      earlier.forEach((_, i) => {
        aggs.push(`count(*) FILTER (WHERE n AND NOT o${i})::integer AS a${i}`);
        aggs.push(`count(*) FILTER (WHERE o${i} AND NOT n)::integer AS b${i}`);
      });
      const rows = await scan<Record<string, number>>(
        `SELECT ${aggs.join(', ')} FROM (SELECT ${exprs.join(', ')} FROM crm_profiles p) x`,
        params,
      );
      const r = rows[0] ?? {};
      return {
        size: r.size ?? 0,
        diffs: earlier.map((_, i) => ({ newOnly: r[`a${i}`] ?? 0, oldOnly: r[`b${i}`] ?? 0 })),
      };
    },

    /** The organisation's releases since `since`, newest first, at most `limit`. */
    async releases(orgId: string, since: number, limit: number): Promise<ReleaseRow[]> {
      const { rows } = await db.query<{
        fingerprint: string;
        predicate: string;
        params: unknown;
        answer: number;
        released_at: Date | string;
      }>(
        `SELECT fingerprint, predicate, params, answer, released_at FROM crm_releases
          WHERE org_id = $1 AND released_at >= $2 ORDER BY released_at DESC, release_id DESC LIMIT $3`,
        [orgId, iso(since), limit],
      );
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        predicate: r.predicate,
        params: (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as unknown[],
        answer: r.answer,
        releasedAt: ms(r.released_at),
      }));
    },

    async recordRelease(orgId: string, fp: string, p: Predicate, answer: number, now: number) {
      await db.query(
        `INSERT INTO crm_releases (org_id, fingerprint, predicate, params, answer, released_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
        [orgId, fp, p.sql, JSON.stringify(p.params), answer, iso(now)],
      );
    },

    /** The account ids matching `p`, for a destination's sync (never for a marketer). */
    async accounts(p: Predicate): Promise<string[]> {
      const rows = await scan<{ account_id: string }>(
        `SELECT p.account_id FROM crm_profiles p WHERE ${p.sql} ORDER BY p.account_id`,
        p.params,
      );
      return rows.map((r) => r.account_id);
    },

    /**
     * Refresh: people matching `p` now and not in the segment enter, members not matching exit (their stay
     * is closed, never deleted), and the day's size is recorded; one transaction.
     */
    async refresh(
      segmentId: string,
      p: Predicate,
      now: number,
    ): Promise<{ entered: number; exited: number; size: number }> {
      return db.transaction(async (tx) => {
        if (db.kind === 'postgres') await tx.query('SET LOCAL jit = off');
        const lead = withLeading(p, [segmentId, iso(now)]);
        const exited = await tx.query(
          `UPDATE crm_segment_members m SET exited_at = $2::timestamptz
            WHERE m.segment_id = $1 AND m.exited_at IS NULL
              AND m.account_id NOT IN (SELECT p.account_id FROM crm_profiles p WHERE ${lead.sql})
          RETURNING m.account_id`,
          lead.params,
        );
        const entered = await tx.query(
          `INSERT INTO crm_segment_members (segment_id, account_id, entered_at)
           SELECT $1::text, p.account_id, $2::timestamptz FROM crm_profiles p
            WHERE ${lead.sql}
              AND NOT EXISTS (SELECT 1 FROM crm_segment_members o
                               WHERE o.segment_id = $1 AND o.account_id = p.account_id AND o.exited_at IS NULL)
          RETURNING account_id`,
          lead.params,
        );
        const size = await openCount(tx, segmentId);
        await tx.query(
          `INSERT INTO crm_segment_sizes (segment_id, day, size) VALUES ($1, $2::date, $3)
           ON CONFLICT (segment_id, day) DO UPDATE SET size = EXCLUDED.size`,
          [segmentId, iso(now).slice(0, 10), size],
        );
        await tx.query('UPDATE crm_segments SET refreshed_at = $2 WHERE segment_id = $1', [
          segmentId,
          iso(now),
        ]);
        return { entered: entered.rows.length, exited: exited.rows.length, size };
      });
    },

    /** The daily size series from `fromDay` to `toDay` (YYYY-MM-DD, inclusive). */
    async sizes(segmentId: string, fromDay: string, toDay: string): Promise<{ day: string; size: number }[]> {
      const { rows } = await db.query<{ day: string; size: number }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, size FROM crm_segment_sizes
          WHERE segment_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`,
        [segmentId, fromDay, toDay],
      );
      return rows;
    },

    /** Membership stays of one person (entered/exited), newest first: the history a withdrawal audit needs. */
    async stays(
      segmentId: string,
      accountId: string,
    ): Promise<{ enteredAt: number; exitedAt: number | null }[]> {
      const { rows } = await db.query<{ entered_at: Date | string; exited_at: Date | string | null }>(
        `SELECT entered_at, exited_at FROM crm_segment_members
          WHERE segment_id = $1 AND account_id = $2 ORDER BY entered_at DESC`,
        [segmentId, accountId],
      );
      return rows.map((r) => ({
        enteredAt: ms(r.entered_at),
        exitedAt: r.exited_at === null ? null : ms(r.exited_at),
      }));
    },
  };
}

async function openCount(tx: SqlClient, segmentId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    'SELECT count(*)::integer AS n FROM crm_segment_members WHERE segment_id = $1 AND exited_at IS NULL',
    [segmentId],
  );
  return rows[0]?.n ?? 0;
}

export type SegmentsRepository = ReturnType<typeof createSegmentsRepository>;
