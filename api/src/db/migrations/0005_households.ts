import type { Migration } from './types.js';

/**
 * Households the people manage themselves (docs/households.md): the roles become owner, adult and dependent
 * (an existing `member` is an adult), and invites carry a single-use,
 * expiring, revocable code stored only as its SHA-256 hash. `ingest_device_accounts` is unchanged.
 */
export const householdsMigration: Migration = {
  id: '0005_households',
  sql: `
ALTER TABLE household_members DROP CONSTRAINT household_members_role_check;
UPDATE household_members SET role = 'adult' WHERE role = 'member';
ALTER TABLE household_members ADD CONSTRAINT household_members_role_check
  CHECK (role IN ('owner', 'adult', 'dependent'));

CREATE TABLE household_invites (
  id text PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  code_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('adult')),
  created_by text NOT NULL REFERENCES accounts(id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by text REFERENCES accounts(id),
  revoked_at timestamptz,
  CHECK ((used_at IS NULL) = (used_by IS NULL))
);
CREATE INDEX household_invites_household ON household_invites (household_id, created_at);
`,
};
