import type { Migration } from './types.js';

/**
 * Organisations and their members' roles (docs/orgs.md, issue 16). A person may hold several roles in one
 * organisation: one row per (org, account, role). The slug doubles as the partner name in consents
 * (`share:<slug>`), hence the same pattern. Members are accounts, named by id; no e-mail is stored.
 */
export const orgsMigration: Migration = {
  id: '0016_orgs',
  sql: `
CREATE TABLE orgs (
  id text PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL REFERENCES accounts(id)
);

CREATE TABLE org_members (
  org_id text NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  account_id text NOT NULL REFERENCES accounts(id),
  role text NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer', 'marketer')),
  granted_at timestamptz NOT NULL,
  granted_by text NOT NULL REFERENCES accounts(id),
  PRIMARY KEY (org_id, account_id, role)
);
CREATE INDEX org_members_account ON org_members (account_id);
`,
};
