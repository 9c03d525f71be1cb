import type { Migration } from './types.js';

/**
 * Dependents, handover and sharing in households (docs/households.md, issue 12):
 * - a dependent is an account without an identity, managed by the adult who added it (`managed_by`);
 * - a handover code (single use, expiring, revocable, stored only as its SHA-256 hash like an invite)
 *   lets the person take over that account with an identity of their own;
 * - each member's health data is private until they share it with another member of the household.
 * Shares reference both memberships, so a member who leaves takes their shares along (ON DELETE CASCADE)
 * and a merge that moves a membership to the surviving account moves its shares too (ON UPDATE CASCADE).
 */
export const householdSharingMigration: Migration = {
  id: '0008_household_sharing',
  sql: `
ALTER TABLE household_members ADD COLUMN managed_by text REFERENCES accounts(id);

CREATE TABLE household_shares (
  household_id text NOT NULL,
  account_id text NOT NULL,
  viewer_account_id text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (household_id, account_id, viewer_account_id),
  FOREIGN KEY (household_id, account_id) REFERENCES household_members (household_id, account_id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  FOREIGN KEY (household_id, viewer_account_id) REFERENCES household_members (household_id, account_id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CHECK (account_id <> viewer_account_id)
);
CREATE INDEX household_shares_viewer ON household_shares (viewer_account_id, household_id);

CREATE TABLE household_handovers (
  id text PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  code_hash text NOT NULL UNIQUE,
  created_by text NOT NULL REFERENCES accounts(id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by text REFERENCES accounts(id),
  revoked_at timestamptz,
  CHECK ((used_at IS NULL) = (used_by IS NULL))
);
CREATE INDEX household_handovers_account ON household_handovers (household_id, account_id);
`,
};
