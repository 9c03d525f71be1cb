import type { Migration } from './types.js';

/**
 * Linkwell as an OAuth 2.0 / OpenID Connect authorization server (docs/oauth.md), all owned by the oauth context.
 * - oauth_models: every oidc-provider model instance (grants, sessions, codes, refresh tokens, interactions…),
 *   one row each, the way its adapter interface is shaped; JWT access tokens are never stored.
 * - oauth_clients: apps and partner back ends registered by developers; the secret is kept encrypted because the
 *   provider compares it in plain text (client_secret_basic/post), and is shown to the developer only once.
 * - oauth_subjects: pairwise subject → account, so the resource server can find the person behind a token
 *   without the account id ever leaving the platform.
 * - oauth_consents: one row per consent decision (what was granted and refused, under which consent text).
 * - oauth_connection_events: connection.revoked and friends, for the app to be told (webhooks read it later).
 */
export const oauthMigration: Migration = {
  id: '0010_oauth',
  sql: `
CREATE TABLE oauth_models (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oauth_models_grant ON oauth_models (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_models_uid ON oauth_models (uid) WHERE uid IS NOT NULL;
CREATE INDEX oauth_models_expiry ON oauth_models (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX oauth_models_grant_account ON oauth_models ((payload->>'accountId')) WHERE model = 'Grant';

CREATE TABLE oauth_clients (
  client_id text PRIMARY KEY,
  owner_account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name text NOT NULL,
  redirect_uris text[] NOT NULL,
  logo_uri text,
  policy_uri text,
  scopes text[] NOT NULL,
  grant_types text[] NOT NULL,
  token_endpoint_auth_method text NOT NULL
    CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'none')),
  secret_ciphertext text,
  sandbox boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  secret_rotated_at timestamptz,
  disabled_at timestamptz,
  CHECK ((token_endpoint_auth_method = 'none') = (secret_ciphertext IS NULL))
);
CREATE INDEX oauth_clients_owner ON oauth_clients (owner_account_id);

CREATE TABLE oauth_subjects (
  subject text PRIMARY KEY,
  sector text NOT NULL,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX oauth_subjects_sector_account ON oauth_subjects (sector, account_id);

CREATE TABLE oauth_consents (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  client_id text NOT NULL,
  grant_id text NOT NULL,
  granted_scopes text[] NOT NULL,
  refused_scopes text[] NOT NULL,
  consent_text_version text NOT NULL,
  granted_at timestamptz NOT NULL,
  withdrawn_at timestamptz,
  withdrawn_by text CHECK (withdrawn_by IN ('person', 'client', 'platform'))
);
CREATE INDEX oauth_consents_account ON oauth_consents (account_id, client_id);
CREATE INDEX oauth_consents_grant ON oauth_consents (grant_id);

CREATE TABLE oauth_connection_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  client_id text NOT NULL,
  subject text NOT NULL,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX oauth_connection_events_client ON oauth_connection_events (client_id, occurred_at);
`,
};
