import type { Migration } from './types.js';

/**
 * Attribution and the household inbox (docs/attribution.md). A cross-service contract:
 * - ingest writes `inbox_items` (readings it cannot attribute with enough confidence), inside the publish's
 *   handling and before the PUBACK, so every ingest node and the API share one store;
 * - the API records decisions (file, discard) and `reading_moves` (file an inbox item, reassign a stored
 *   reading); ingest executes the moves in InfluxDB step by step, so a crash at any step resumes;
 * - `attribution_rules` and `member_baselines` feed the weight-proximity rule in ingest.
 * Changes that ingest must act on are announced with pg_notify: rules on `linkwell_registry` (as any
 * registry change, so held readings are re-resolved) and decisions on `linkwell_moves`.
 */
export const attributionMigration: Migration = {
  id: '0006_attribution',
  sql: `
-- How a claimed device's readings are attributed:
--   single: one owner (device_assignments slot NULL);
--   slots:  a multi-user device (UDS user index, BLS user id) with a slot-to-member map;
--   weight: a shared scale without a user index; attributed by weight proximity and member rules.
ALTER TABLE devices
  ADD COLUMN name text,
  ADD COLUMN maker text,
  ADD COLUMN profile_id text,
  ADD COLUMN battery_percent smallint CHECK (battery_percent BETWEEN 0 AND 100),
  ADD COLUMN attribution text NOT NULL DEFAULT 'single' CHECK (attribution IN ('single', 'slots', 'weight')),
  ADD COLUMN slot_count smallint CHECK (slot_count BETWEEN 1 AND 255),
  ADD COLUMN claimed_by text REFERENCES accounts(id),
  ADD COLUMN claimed_at timestamptz;
UPDATE devices SET attribution = 'slots'
  WHERE id IN (SELECT device_id FROM device_assignments WHERE slot IS NOT NULL);

-- Every device a gateway's household has claimed, with or without assignments: ingest tells an
-- unclaimed device (held) from a claimed shared scale (attributed by weight, else the inbox).
CREATE VIEW ingest_devices AS
  SELECT g.id AS gateway_id, d.address AS device_address, d.id AS device_id, d.household_id,
         d.attribution, d.slot_count
  FROM gateways g
  JOIN devices d ON d.household_id = g.household_id
  WHERE g.revoked_at IS NULL;

-- A reading waiting for a person. id = 'ibx_' + a hash of (gateway, reading id), so a resent envelope
-- finds its row instead of adding one. measured_at is the reading's own time (ms), kept when filed.
CREATE TABLE inbox_items (
  id text PRIMARY KEY,
  gateway_id text NOT NULL,
  household_id text REFERENCES households(id) ON DELETE CASCADE,
  device_address text NOT NULL,
  device_id text REFERENCES devices(id) ON DELETE SET NULL,
  slot smallint,
  metric text NOT NULL,
  measured_at bigint NOT NULL,
  reading jsonb NOT NULL,
  reason text NOT NULL CHECK (reason IN ('unknown_device', 'unassigned_slot', 'ambiguous')),
  -- Candidates, best first: [{"account": "acct_…", "confidence": 0.82, "rule": "…"}].
  hint jsonb NOT NULL DEFAULT '[]',
  state text NOT NULL DEFAULT 'held'
    CHECK (state IN ('held', 'filing', 'stored', 'discarded', 'expired')),
  target_account_id text REFERENCES accounts(id),
  -- How it was finally attributed: an attribution method (uds-user-index, …, manual).
  method text,
  decided_by text REFERENCES accounts(id),
  decided_at timestamptz,
  received_at timestamptz NOT NULL,
  stored_at timestamptz
);
CREATE INDEX inbox_items_household ON inbox_items (household_id, state, measured_at);
CREATE INDEX inbox_items_open_gateway ON inbox_items (gateway_id) WHERE state IN ('held', 'filing');

-- A stored reading (or an inbox item being filed) moving to another member. Steps, each idempotent:
-- pending -> (snapshot saved) -> copied (point written under to_account) -> done (old point deleted).
CREATE TABLE reading_moves (
  id text PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('file', 'reassign')),
  inbox_item_id text REFERENCES inbox_items(id) ON DELETE CASCADE,
  metric text NOT NULL,
  device_id text NOT NULL,
  measured_at bigint NOT NULL,
  -- The InfluxDB account tag the point has now; NULL when filing from the inbox.
  from_account_id text,
  to_account_id text NOT NULL REFERENCES accounts(id),
  -- The point's fields, saved before anything is written, so a crash cannot lose the values.
  snapshot jsonb,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'copied', 'done', 'failed')),
  error_code text,
  requested_by text NOT NULL REFERENCES accounts(id),
  created_at timestamptz NOT NULL,
  done_at timestamptz
);
-- One open move per point: concurrent moves of one reading race here and exactly one wins.
CREATE UNIQUE INDEX reading_moves_one_open ON reading_moves (metric, device_id, measured_at)
  WHERE state IN ('pending', 'copied');
CREATE INDEX reading_moves_open ON reading_moves (created_at) WHERE state IN ('pending', 'copied');

-- A member's own auto-rule for shared scales (device_id NULL = every weight-attributed device).
CREATE TABLE attribution_rules (
  id text PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  device_id text REFERENCES devices(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('weight_range', 'weight_near_trend')),
  min_kg double precision,
  max_kg double precision,
  tolerance_kg double precision,
  threshold double precision NOT NULL CHECK (threshold > 0 AND threshold <= 1),
  created_by text NOT NULL REFERENCES accounts(id),
  created_at timestamptz NOT NULL,
  CHECK (
    (kind = 'weight_range' AND min_kg IS NOT NULL AND max_kg IS NOT NULL AND min_kg < max_kg)
    OR (kind = 'weight_near_trend' AND tolerance_kg > 0)
  )
);
CREATE INDEX attribution_rules_household ON attribution_rules (household_id);
CREATE TRIGGER attribution_rules_registry_change AFTER INSERT OR UPDATE OR DELETE ON attribution_rules
  FOR EACH ROW EXECUTE FUNCTION registry_change_notify();

-- A member's recent stored values per metric (newest last, at most 5), kept by ingest as it stores
-- attributed weights: the "trend" the weight-proximity rule compares with.
CREATE TABLE member_baselines (
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  metric text NOT NULL,
  recent jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, metric)
);
`,
};
