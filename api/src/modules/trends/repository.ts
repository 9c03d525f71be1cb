import type { ZoneSpan } from '@linkwell/firmware-protocol';
import type { SqlClient } from '../../db/sql-client.js';
import type { HealthEventKind, HealthEventView } from './events.js';

export interface HealthProfileRow {
  birth_date: string | null;
  height_m: number | null;
  units: Record<string, string>;
  bp_scheme: string | null;
  bp_setting: string | null;
  bmi_scheme: string | null;
  updated_at: Date;
}

/** The only SQL on the trends tables (migration 0009_trends). */
export function createTrendsRepository(sql: SqlClient) {
  return {
    async zoneSpans(accountId: string): Promise<ZoneSpan[]> {
      const { rows } = await sql.query<{ time_zone: string; from_ms: string }>(
        `SELECT time_zone, (extract(epoch FROM effective_from) * 1000)::bigint AS from_ms
           FROM account_time_zones WHERE account_id = $1 ORDER BY effective_from`,
        [accountId],
      );
      return rows.map((r) => ({ zone: r.time_zone, fromMs: Number(r.from_ms) }));
    },

    /** Records a zone from `fromMs` on and asks the rollup worker to redo that person's civil days. */
    async setTimeZone(accountId: string, zone: string, fromMs: number, nowMs: number): Promise<void> {
      await sql.query(
        `INSERT INTO account_time_zones (account_id, time_zone, effective_from, created_at)
         VALUES ($1, $2, to_timestamp($3::double precision / 1000), to_timestamp($4::double precision / 1000))
         ON CONFLICT (account_id, effective_from) DO UPDATE SET time_zone = EXCLUDED.time_zone, created_at = EXCLUDED.created_at`,
        [accountId, zone, fromMs, nowMs],
      );
      await sql.query(
        `INSERT INTO rollup_requests (account_id, from_ms, requested_at) VALUES ($1, $2, to_timestamp($3::double precision / 1000))`,
        [accountId, fromMs, nowMs],
      );
    },

    async profile(accountId: string): Promise<HealthProfileRow | undefined> {
      const { rows } = await sql.query<HealthProfileRow>(
        `SELECT to_char(birth_date, 'YYYY-MM-DD') AS birth_date, height_m, units, bp_scheme, bp_setting, bmi_scheme, updated_at
           FROM health_profiles WHERE account_id = $1`,
        [accountId],
      );
      return rows[0];
    },

    async saveProfile(
      accountId: string,
      p: Omit<HealthProfileRow, 'updated_at'>,
      nowMs: number,
    ): Promise<void> {
      await sql.query(
        `INSERT INTO health_profiles (account_id, birth_date, height_m, units, bp_scheme, bp_setting, bmi_scheme, updated_at)
         VALUES ($1, $2::date, $3, $4::jsonb, $5, $6, $7, to_timestamp($8::double precision / 1000))
         ON CONFLICT (account_id) DO UPDATE SET birth_date = EXCLUDED.birth_date, height_m = EXCLUDED.height_m,
           units = EXCLUDED.units, bp_scheme = EXCLUDED.bp_scheme, bp_setting = EXCLUDED.bp_setting,
           bmi_scheme = EXCLUDED.bmi_scheme, updated_at = EXCLUDED.updated_at`,
        [
          accountId,
          p.birth_date,
          p.height_m,
          JSON.stringify(p.units),
          p.bp_scheme,
          p.bp_setting,
          p.bmi_scheme,
          nowMs,
        ],
      );
    },

    async sourcePriority(accountId: string, metric: string): Promise<string[]> {
      const { rows } = await sql.query<{ sources: string[] }>(
        'SELECT sources FROM source_priorities WHERE account_id = $1 AND metric = $2',
        [accountId, metric],
      );
      return rows[0]?.sources ?? [];
    },

    async setSourcePriority(accountId: string, metric: string, sources: readonly string[], nowMs: number) {
      await sql.query(
        `INSERT INTO source_priorities (account_id, metric, sources, updated_at)
         VALUES ($1, $2, $3::jsonb, to_timestamp($4::double precision / 1000))
         ON CONFLICT (account_id, metric) DO UPDATE SET sources = EXCLUDED.sources, updated_at = EXCLUDED.updated_at`,
        [accountId, metric, JSON.stringify(sources), nowMs],
      );
    },

    async bpProgramme(accountId: string): Promise<unknown | undefined> {
      const { rows } = await sql.query<{ programme: unknown }>(
        'SELECT programme FROM bp_programmes WHERE account_id = $1',
        [accountId],
      );
      return rows[0]?.programme;
    },

    async setBpProgramme(accountId: string, programme: unknown, nowMs: number): Promise<void> {
      await sql.query(
        `INSERT INTO bp_programmes (account_id, programme, updated_at) VALUES ($1, $2::jsonb, to_timestamp($3::double precision / 1000))
         ON CONFLICT (account_id) DO UPDATE SET programme = EXCLUDED.programme, updated_at = EXCLUDED.updated_at`,
        [accountId, JSON.stringify(programme), nowMs],
      );
    },

    /** The earliest zone change the rollup worker has yet to apply to this person's civil-day rows. */
    async pendingZoneChangeFrom(accountId: string): Promise<number | undefined> {
      const { rows } = await sql.query<{ from_ms: string | null }>(
        'SELECT min(from_ms) AS from_ms FROM rollup_requests WHERE account_id = $1 AND done_at IS NULL',
        [accountId],
      );
      return rows[0]?.from_ms == null ? undefined : Number(rows[0].from_ms);
    },

    /**
     * Everything a trend request needs from the registry about one person, in one round trip: zone history,
     * saved units, the source order for the metric, a zone change the worker has yet to redo, and the
     * worker's state.
     */
    async trendContext(accountId: string, metric: string) {
      const { rows } = await sql.query<{
        zones: { time_zone: string; from_ms: string | number }[] | null;
        units: Record<string, string> | null;
        sources: string[] | null;
        pending_from: string | null;
        cursor_ms: string | null;
        built: boolean | null;
      }>(
        `SELECT
           (SELECT json_agg(json_build_object('time_zone', time_zone,
                     'from_ms', (extract(epoch FROM effective_from) * 1000)::bigint) ORDER BY effective_from)
              FROM account_time_zones WHERE account_id = $1) AS zones,
           (SELECT units FROM health_profiles WHERE account_id = $1) AS units,
           (SELECT sources FROM source_priorities WHERE account_id = $1 AND metric = $2) AS sources,
           (SELECT min(from_ms) FROM rollup_requests WHERE account_id = $1 AND done_at IS NULL) AS pending_from,
           (SELECT cursor_ms FROM rollup_state WHERE name = 'main') AS cursor_ms,
           (SELECT built_at IS NOT NULL FROM rollup_state WHERE name = 'main') AS built`,
        [accountId, metric],
      );
      const r = rows[0]!;
      return {
        zones: (r.zones ?? []).map((z) => ({ zone: z.time_zone, fromMs: Number(z.from_ms) })),
        units: r.units ?? {},
        sources: r.sources ?? [],
        pendingZoneFrom: r.pending_from == null ? undefined : Number(r.pending_from),
        rollups: r.cursor_ms == null ? undefined : { cursorMs: Number(r.cursor_ms), built: r.built === true },
      };
    },

    /** The rollup worker's progress: rollups are usable once its first build finished. */
    async rollupState(): Promise<{ cursorMs: number; built: boolean } | undefined> {
      const { rows } = await sql.query<{ cursor_ms: string; built_at: Date | null }>(
        `SELECT cursor_ms, built_at FROM rollup_state WHERE name = 'main'`,
      );
      const r = rows[0];
      return r === undefined ? undefined : { cursorMs: Number(r.cursor_ms), built: r.built_at !== null };
    },
  };
}

export type TrendsRepository = ReturnType<typeof createTrendsRepository>;

/** The SQL on health_events (migration 0009_trends); ingest inserts, the API only reads. */
export function createHealthEventsRepository(sql: SqlClient) {
  return {
    async list(accounts: readonly string[], kind: HealthEventKind | undefined, limit: number) {
      const { rows } = await sql.query<{
        id: string;
        kind: HealthEventKind;
        device_id: string;
        measured_ms: number | string;
        details: Record<string, unknown> | string;
        created_ms: number | string;
      }>(
        `SELECT id::text AS id, kind, device_id, details,
                (extract(epoch FROM measured_at) * 1000)::float8 AS measured_ms,
                (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
           FROM health_events
          WHERE account_id = ANY($1::text[]) AND ($2::text IS NULL OR kind = $2)
          ORDER BY measured_at DESC, id DESC
          LIMIT $3`,
        [accounts, kind ?? null, limit],
      );
      return rows.map(
        (r): HealthEventView => ({
          id: r.id,
          kind: r.kind,
          device_id: r.device_id,
          measured_at: new Date(Math.round(Number(r.measured_ms))).toISOString(),
          details:
            typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
          created_at: new Date(Math.round(Number(r.created_ms))).toISOString(),
        }),
      );
    },
  };
}
