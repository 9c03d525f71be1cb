import type { Migration } from './types.js';

/**
 * Gateway onboarding through the OAuth 2.0 device authorization grant (RFC 8628), and the refresh tokens
 * a linked gateway trades for short-lived MQTT tokens. Only SHA-256 hashes of device codes and refresh
 * tokens are stored; the user code is stored as typed by nobody: normalised, 8 letters without the dash.
 */
export const deviceFlowMigration: Migration = {
  id: '0002_device_flow',
  sql: `
CREATE TABLE device_authorizations (
  id text PRIMARY KEY,
  device_code_hash text NOT NULL UNIQUE,
  user_code text NOT NULL,
  client_id text NOT NULL,
  gateway_name text,
  gateway_model text,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
  interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
  household_id text REFERENCES households(id) ON DELETE CASCADE,
  decided_by text REFERENCES accounts(id) ON DELETE SET NULL,
  gateway_id text REFERENCES gateways(id) ON DELETE CASCADE,
  last_polled_at timestamptz,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
-- A user code identifies at most one authorization that still waits for a decision.
CREATE UNIQUE INDEX device_authorizations_pending_user_code
  ON device_authorizations (user_code) WHERE status = 'pending';

CREATE TABLE gateway_refresh_tokens (
  token_hash text PRIMARY KEY,
  gateway_id text NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set when the token was exchanged (rotation); presenting it again revokes the gateway's whole family.
  used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX gateway_refresh_tokens_gateway ON gateway_refresh_tokens (gateway_id);
`,
};
