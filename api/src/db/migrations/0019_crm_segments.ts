import type { Migration } from './types.js';

/**
 * CRM segments (issue 16 §5-6, docs/crm.md "Segments" and "k-anonymity and differencing"):
 * - `crm_segments`: an organisation's segments, the rule AST as JSON, its consent purpose, dynamic or static;
 * - `crm_segment_members`: membership history, one row per stay (entered, and exited once it ends); the
 *   partial unique index keeps one open stay per person;
 * - `crm_segment_sizes`: the daily size series, one row per segment and UTC day (the last refresh that day);
 * - `crm_releases`: every count an organisation was given, as the compiled predicate and its parameters,
 *   so that a later count can be checked against each of them (the differencing defence) and an identical
 *   one answered from here instead of recounted.
 */
export const crmSegmentsMigration: Migration = {
  id: '0019_crm_segments',
  sql: `
CREATE TABLE crm_segments (
  segment_id text PRIMARY KEY,
  org_id text NOT NULL,
  name text NOT NULL,
  rule jsonb NOT NULL,
  purpose text NOT NULL DEFAULT 'marketing',
  kind text NOT NULL CHECK (kind IN ('dynamic', 'static')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  refreshed_at timestamptz,
  UNIQUE (org_id, name)
);

CREATE TABLE crm_segment_members (
  segment_id text NOT NULL REFERENCES crm_segments (segment_id) ON DELETE CASCADE,
  account_id text NOT NULL,
  entered_at timestamptz NOT NULL,
  exited_at timestamptz,
  PRIMARY KEY (segment_id, account_id, entered_at)
);
CREATE UNIQUE INDEX crm_segment_members_open ON crm_segment_members (segment_id, account_id)
  WHERE exited_at IS NULL;

CREATE TABLE crm_segment_sizes (
  segment_id text NOT NULL REFERENCES crm_segments (segment_id) ON DELETE CASCADE,
  day date NOT NULL,
  size integer NOT NULL,
  PRIMARY KEY (segment_id, day)
);

CREATE TABLE crm_releases (
  release_id bigserial PRIMARY KEY,
  org_id text NOT NULL,
  fingerprint text NOT NULL,
  predicate text NOT NULL,
  params jsonb NOT NULL,
  answer integer NOT NULL,
  released_at timestamptz NOT NULL
);
CREATE INDEX crm_releases_org ON crm_releases (org_id, released_at DESC);
`,
};
