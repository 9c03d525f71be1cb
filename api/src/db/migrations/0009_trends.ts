import type { Migration } from './types.js';

/**
 * Trends and health computations (docs/trends.md, issue 13):
 * - a person's IANA time zone over time, so a daily window is the civil day where they were;
 * - a health profile (birth date, height, unit and scheme preferences);
 * - per-person, per-metric source priority for reconciliation, readable and changeable;
 * - a custom blood-pressure programme (thresholds supplied as data);
 * - the rollup worker's state (journal cursor, whether the first full build finished) and the civil-day
 *   recomputations a time-zone change asks for. Ingest's rollup worker writes these; the API reads them.
 * - health events ingest raises as readings arrive (a blood pressure at or above 180 and/or 120 is `bp_urgent`),
 *   one row per reading however often it is resent.
 * `rollup_account_zones` gives the worker each InfluxDB account tag's zone history: a tag merged into
 * another account follows the surviving account's zones (accountTags in the identity repository).
 */
export const trendsMigration: Migration = {
  id: '0009_trends',
  sql: `
CREATE TABLE account_time_zones (
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE ON UPDATE CASCADE,
  time_zone text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  effective_from timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, effective_from)
);

CREATE TABLE health_profiles (
  account_id text PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE ON UPDATE CASCADE,
  birth_date date,
  height_m double precision CHECK (height_m IS NULL OR (height_m > 0.3 AND height_m < 2.8)),
  units jsonb NOT NULL DEFAULT '{}'::jsonb,
  bp_scheme text,
  bp_setting text,
  bmi_scheme text,
  updated_at timestamptz NOT NULL
);

CREATE TABLE source_priorities (
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE ON UPDATE CASCADE,
  metric text NOT NULL,
  sources jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, metric)
);

CREATE TABLE bp_programmes (
  account_id text PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE ON UPDATE CASCADE,
  programme jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE rollup_state (
  name text PRIMARY KEY,
  cursor_ms bigint NOT NULL,
  built_at timestamptz,
  updated_at timestamptz NOT NULL
);

CREATE TABLE rollup_requests (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL,
  from_ms bigint NOT NULL,
  requested_at timestamptz NOT NULL,
  done_at timestamptz
);
CREATE INDEX rollup_requests_open ON rollup_requests (id) WHERE done_at IS NULL;

CREATE TABLE health_events (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL,
  kind text NOT NULL,
  device_id text NOT NULL DEFAULT '',
  measured_at timestamptz NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL,
  UNIQUE (account_id, kind, device_id, measured_at)
);
CREATE INDEX health_events_account ON health_events (account_id, measured_at DESC);

CREATE VIEW rollup_account_zones AS
  WITH RECURSIVE tags(account_id, tag) AS (
    SELECT a.id, a.id FROM accounts a
     WHERE NOT EXISTS (SELECT 1 FROM account_merges m WHERE m.source_account_id = a.id AND m.undone_at IS NULL)
    UNION
    SELECT tags.account_id, m.source_account_id
      FROM account_merges m JOIN tags ON m.target_account_id = tags.tag
     WHERE m.undone_at IS NULL
  )
  SELECT tags.tag AS account_tag, z.time_zone, z.effective_from
    FROM tags JOIN account_time_zones z ON z.account_id = tags.account_id;
`,
};
