import type { Migration } from './types.js';

/**
 * The CRM's trait computation (docs/crm.md, issue 16): its runs, the activity feed's position, the flags the
 * feed's classifier raised per day (counts, never values), lifecycle transitions and a monthly snapshot of
 * engagement grades (the tier-migration report reads it). All of it is usage- or health-derived: a person's
 * rows go when their consent for the purpose goes.
 */
export const crmTraitsMigration: Migration = {
  id: '0018_crm_traits',
  sql: `
-- One row per computation: a batch recompute or an incremental pass of the activity consumer.
CREATE TABLE crm_runs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('batch', 'incremental')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  -- The run date, thresholds, CLV parameters, and for incremental passes the facts and cursor.
  inputs jsonb NOT NULL DEFAULT '{}'::jsonb,
  people integer NOT NULL DEFAULT 0,
  ms integer
);
CREATE INDEX crm_runs_started ON crm_runs (started_at DESC);

-- Where the activity consumer is in the event log. A pass moves the cursor only from the position it read
-- after, in the transaction that applies the page, so a page is applied once however often it is read.
CREATE TABLE crm_feed_cursor (
  name text PRIMARY KEY,
  cursor text,
  updated_at timestamptz NOT NULL
);

-- Verdicts of the feed's classifier per person, UTC day and flag (e.g. bp_stage2), as counts.
CREATE TABLE crm_activity_flags (
  account_id text NOT NULL,
  day date NOT NULL,
  flag text NOT NULL,
  count integer NOT NULL CHECK (count >= 0),
  PRIMARY KEY (account_id, day, flag)
);

-- Lifecycle stage changes, the CRM's own event record of them (docs/crm.md "Lifecycle").
CREATE TABLE crm_lifecycle_transitions (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL,
  from_stage text,
  to_stage text NOT NULL,
  at timestamptz NOT NULL,
  run_id bigint REFERENCES crm_runs(id) ON DELETE SET NULL
);
CREATE INDEX crm_lifecycle_transitions_account ON crm_lifecycle_transitions (account_id, at DESC, id DESC);

-- Engagement grade per person and calendar month (the month's last run wins), for tier-migration reports.
CREATE TABLE crm_grade_history (
  month date NOT NULL,
  account_id text NOT NULL,
  grade text NOT NULL,
  PRIMARY KEY (month, account_id)
);
CREATE INDEX crm_grade_history_account ON crm_grade_history (account_id);
`,
};
