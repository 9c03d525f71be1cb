import type { Migration } from './types.js';

/**
 * CRM destinations (issue 16 §7, docs/crm.md "Destinations"):
 * - `crm_destinations`: an organisation's destinations: kind, consent recipient, accepted purposes and
 *   sensitivities, k (≥ 100), and per kind the approved OAuth client (profile_api) or the signed URL (webhook);
 * - `crm_destination_segments`: the segments a destination syncs;
 * - `crm_destination_members`: the last synced copy (who the destination holds), with the pairwise subject a
 *   profile_api client knows each person by;
 * - `crm_destination_syncs`: the sync log (entered, exited, or the coded reason nothing left);
 * - `crm_destination_files`: the latest hashed CSV of a hashed_csv/ads destination;
 * - `crm_destination_outbox`: the webhook destination's durable queue, one row per event, and its attempts in
 *   `crm_destination_deliveries`.
 */
export const crmDestinationsMigration: Migration = {
  id: '0020_crm_destinations',
  sql: `
CREATE TABLE crm_destinations (
  destination_id text PRIMARY KEY,
  org_id text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('hashed_csv', 'ads', 'profile_api', 'webhook', 'care_programme')),
  recipient text NOT NULL CHECK (recipient ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  purposes jsonb NOT NULL,
  sensitivities jsonb NOT NULL,
  k integer NOT NULL CHECK (k >= 100),
  client_id text,
  url text,
  secret text,
  created_at timestamptz NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE crm_destination_segments (
  destination_id text NOT NULL REFERENCES crm_destinations (destination_id) ON DELETE CASCADE,
  segment_id text NOT NULL,
  PRIMARY KEY (destination_id, segment_id)
);

CREATE TABLE crm_destination_members (
  destination_id text NOT NULL REFERENCES crm_destinations (destination_id) ON DELETE CASCADE,
  account_id text NOT NULL,
  subject text,
  synced_at timestamptz NOT NULL,
  PRIMARY KEY (destination_id, account_id)
);
CREATE INDEX crm_destination_members_subject ON crm_destination_members (destination_id, subject);

CREATE TABLE crm_destination_syncs (
  sync_id bigserial PRIMARY KEY,
  destination_id text NOT NULL REFERENCES crm_destinations (destination_id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  entered integer NOT NULL,
  exited integer NOT NULL,
  members integer NOT NULL,
  refused text
);
CREATE INDEX crm_destination_syncs_dest ON crm_destination_syncs (destination_id, sync_id DESC);

CREATE TABLE crm_destination_files (
  destination_id text PRIMARY KEY REFERENCES crm_destinations (destination_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  rows integer NOT NULL,
  csv text NOT NULL
);

CREATE TABLE crm_destination_outbox (
  event_id text PRIMARY KEY,
  destination_id text NOT NULL REFERENCES crm_destinations (destination_id) ON DELETE CASCADE,
  type text NOT NULL,
  body text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX crm_destination_outbox_due ON crm_destination_outbox (next_at) WHERE delivered_at IS NULL;

CREATE TABLE crm_destination_deliveries (
  event_id text NOT NULL REFERENCES crm_destination_outbox (event_id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  status integer,
  error text,
  PRIMARY KEY (event_id, attempt)
);

CREATE TABLE crm_destination_cursor (
  name text PRIMARY KEY,
  position text
);
`,
};
