import type { Migration } from './types.js';

/**
 * Sign-in with existing identities (docs/identity.md): identities keyed by (provider, issuer, subject),
 * server-side sign-in transactions, browser sessions, rotating refresh tokens, the audit log, link
 * suggestions and reversible account merges.
 *
 * Secrets (session cookies, refresh tokens, the sign-in browser binding, `state`) are stored only as
 * SHA-256 hashes. The PKCE verifier and nonce are kept in clear for the 10 minutes a transaction lives:
 * the server needs them at the callback.
 *
 * `device_assignments.storage_account_id` is the InfluxDB `account` tag a slot's readings are written
 * under when it differs from the owner: a merge moves the slot to the surviving account but keeps writing
 * under the merged account, which the surviving account's trends read through the merge alias, so an undo
 * restores the split without rewriting a single point (docs/decisions.md).
 */
export const identityMigration: Migration = {
  id: '0004_identity',
  sql: `
ALTER TABLE accounts ADD COLUMN merged_into text REFERENCES accounts(id);

CREATE TABLE identities (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts(id),
  provider text NOT NULL,
  issuer text NOT NULL,
  subject text NOT NULL,
  -- name, picture, email, email_verified as the provider last asserted them.
  claims jsonb NOT NULL,
  -- Whether this provider's email_verified was trusted when the snapshot was taken (provider config).
  email_trusted boolean NOT NULL,
  linked_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  UNIQUE (provider, issuer, subject)
);
CREATE INDEX identities_account ON identities (account_id);
-- Lower-cased e-mail of trusted, verified snapshots: only ever used to suggest a link, never to make one.
CREATE INDEX identities_verified_email ON identities ((lower(claims->>'email')))
  WHERE email_trusted AND (claims->>'email_verified') = 'true';

-- WeChat/QQ-style providers give one openid per app; all of them are kept for the identity.
CREATE TABLE identity_app_ids (
  identity_id text NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  app_id text NOT NULL,
  openid text NOT NULL,
  PRIMARY KEY (app_id, openid)
);
CREATE INDEX identity_app_ids_identity ON identity_app_ids (identity_id);

CREATE TABLE signin_transactions (
  state_hash text PRIMARY KEY,
  provider text NOT NULL,
  client_id text NOT NULL,
  redirect_uri text NOT NULL,
  nonce text,
  code_verifier text NOT NULL,
  intent text NOT NULL CHECK (intent IN ('signin', 'link', 'stepup')),
  account_id text REFERENCES accounts(id),
  session_id text,
  browser_binding_hash text NOT NULL,
  return_to text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  account_id text NOT NULL REFERENCES accounts(id),
  created_at timestamptz NOT NULL,
  -- Last time the person proved who they are upstream (sign-in or step-up).
  authenticated_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  family_id text NOT NULL,
  session_id text NOT NULL REFERENCES sessions(id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL,
  at timestamptz NOT NULL,
  action text NOT NULL,
  ip text,
  user_agent text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_account ON audit_log (account_id, id DESC);

CREATE TABLE link_suggestions (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts(id),
  existing_account_id text NOT NULL REFERENCES accounts(id),
  identity_id text NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX link_suggestions_account ON link_suggestions (account_id);

-- Proof, from a finished link flow, that the person controls source_account as well as target_account.
CREATE TABLE merge_offers (
  id text PRIMARY KEY,
  target_account_id text NOT NULL REFERENCES accounts(id),
  source_account_id text NOT NULL REFERENCES accounts(id),
  session_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE account_merges (
  id text PRIMARY KEY,
  target_account_id text NOT NULL REFERENCES accounts(id),
  source_account_id text NOT NULL REFERENCES accounts(id),
  merged_at timestamptz NOT NULL,
  undo_until timestamptz NOT NULL,
  undone_at timestamptz,
  -- Exactly what moved, per module, so an undo restores the split row for row.
  inventory jsonb NOT NULL
);
CREATE INDEX account_merges_target ON account_merges (target_account_id) WHERE undone_at IS NULL;
CREATE INDEX account_merges_source ON account_merges (source_account_id);

ALTER TABLE device_assignments ADD COLUMN storage_account_id text REFERENCES accounts(id);

CREATE OR REPLACE VIEW ingest_device_accounts AS
  SELECT g.id AS gateway_id, d.address AS device_address, d.id AS device_id, a.slot,
         COALESCE(a.storage_account_id, a.account_id) AS account_id
  FROM gateways g
  JOIN devices d ON d.household_id = g.household_id
  JOIN device_assignments a ON a.device_id = d.id
  WHERE g.revoked_at IS NULL;
`,
};
