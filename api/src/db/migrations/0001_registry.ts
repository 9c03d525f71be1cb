import type { Migration } from './types.js';

/**
 * Identities, households, gateways, devices and who wears which device.
 * Table, column and view names are a cross-service contract: ingest reads `ingest_device_accounts`.
 * Ids are opaque text chosen by the API (prefixed, e.g. `acct_…`, `gw_…`), never a person's identity.
 */
export const registryMigration: Migration = {
  id: '0001_registry',
  sql: `
CREATE TABLE accounts (
  id text PRIMARY KEY,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE households (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE household_members (
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'member')),
  PRIMARY KEY (household_id, account_id)
);
CREATE INDEX household_members_account ON household_members (account_id);

CREATE TABLE gateways (
  id text PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX gateways_household ON gateways (household_id);

-- address: uppercase AA:BB:CC:DD:EE:FF, unique within a household.
CREATE TABLE devices (
  id text PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  address text NOT NULL,
  kind text NOT NULL,
  model text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (household_id, address)
);

-- slot NULL = single-user device (no user index); otherwise the device's user index 0..254.
CREATE TABLE device_assignments (
  device_id text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  slot smallint CHECK (slot BETWEEN 0 AND 254),
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
-- COALESCE so that a device has at most one NULL-slot assignment (NULLs are distinct in a plain UNIQUE).
CREATE UNIQUE INDEX device_assignments_device_slot ON device_assignments (device_id, COALESCE(slot, -1));
CREATE INDEX device_assignments_account ON device_assignments (account_id);

-- The read contract for ingest: which account a (gateway, device address, slot) reading belongs to.
-- A gateway only sees its own household's devices; revoked gateways see nothing.
CREATE VIEW ingest_device_accounts AS
  SELECT g.id AS gateway_id, d.address AS device_address, d.id AS device_id, a.slot, a.account_id
  FROM gateways g
  JOIN devices d ON d.household_id = g.household_id
  JOIN device_assignments a ON a.device_id = d.id
  WHERE g.revoked_at IS NULL;
`,
};
