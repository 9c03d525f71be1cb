import type { Migration } from './types.js';

/**
 * Gateway operations (docs/gateways.md, docs/devices.md). A cross-service contract like
 * `ingest_device_accounts`, written from both sides:
 * - ingest hosts the broker, so it sees each gateway's retained `status` and its `events`: it upserts
 *   `gateway_presence` and `nearby_devices` (any cluster node may receive a message; every write is an upsert);
 * - the API queues `gateway_commands` and announces each with pg_notify('linkwell_commands', id); one ingest
 *   node claims it (state queued → sent, exactly once), sends it on the command channel and stores the result.
 */
export const gatewayOperationsMigration: Migration = {
  id: '0007_gateway_operations',
  sql: `
-- The gateway's last status message (the retained lw/v1/gw/{gw}/status, also its Last Will).
-- since: when it last changed between online and offline; updated_at: the last status seen.
CREATE TABLE gateway_presence (
  gateway_id text PRIMARY KEY REFERENCES gateways(id) ON DELETE CASCADE,
  online boolean NOT NULL,
  version text,
  since timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Devices a gateway heard and matched to a profile (device.discovered), with DIS facts and battery once it
-- connected (device.info). Ingest keeps at most a bounded number per gateway and drops stale ones.
-- address: uppercase AA:BB:CC:DD:EE:FF, as in devices.
CREATE TABLE nearby_devices (
  gateway_id text NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
  address text NOT NULL,
  name text,
  profile_id text,
  model text,
  maker text,
  battery_percent smallint CHECK (battery_percent BETWEEN 0 AND 100),
  rssi smallint,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (gateway_id, address)
);
CREATE INDEX nearby_devices_address ON nearby_devices (address);
CREATE INDEX nearby_devices_seen ON nearby_devices (gateway_id, seen_at);

-- A command for a gateway. queued (API) → sent (one ingest node claimed it) → ok | error | timed_out.
-- deadline: the gateway refuses the command after it (the wire command's expires_at), and the platform gives
-- up at it, so a command the person was told timed out never runs later.
CREATE TABLE gateway_commands (
  id text PRIMARY KEY,
  gateway_id text NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  device_id text,
  op text NOT NULL,
  args jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'ok', 'error', 'timed_out')),
  result jsonb,
  error_code text,
  created_by text REFERENCES accounts(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  deadline timestamptz NOT NULL,
  sent_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX gateway_commands_open ON gateway_commands (deadline) WHERE state IN ('queued', 'sent');
CREATE INDEX gateway_commands_household ON gateway_commands (household_id, created_at);
`,
};
