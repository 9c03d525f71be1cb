import type { Migration } from './types.js';

/**
 * The consents context (docs/consents.md, issue 16): one append-only history of consent decisions per
 * account × purpose × data category × recipient.
 *
 * `kind` is `grant` (with the version and SHA-256 of the text the person was shown), `withdrawal`, or
 * `expiry`: a marker the context adds once a grant's `expires_at` has passed, pointing at that grant
 * (`expired_seq`, unique, so a marker is written once however many readers sweep). A key's state is its
 * latest `grant` or `withdrawal` by `seq`; markers never decide it (expiry is decided by time), they only
 * make the change in the history and the change feed.
 *
 * No row is ever updated (a trigger refuses it): a decision never overwrites the one before, so the
 * history proves what a person agreed to and when (GDPR Art. 7(1)). Rows go with their account
 * (ON DELETE CASCADE), the erasure a deleted account is owed (Art. 17).
 *
 * `tx` orders the change feed the way the event log does (migration 0011): readers take only rows of
 * transactions older than every running one, so nothing appears behind a position already handed out.
 */
export const consentsMigration: Migration = {
  id: '0015_consents',
  sql: `
CREATE TABLE consent_records (
  seq bigserial PRIMARY KEY,
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (
    purpose IN ('service', 'product_analytics', 'marketing', 'research', 'care_programme')
    OR purpose ~ '^share:[a-z0-9][a-z0-9_-]{0,62}$'),
  category text NOT NULL CHECK (category IN ('usage', 'health', 'contact')),
  recipient text NOT NULL CHECK (recipient ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  kind text NOT NULL CHECK (kind IN ('grant', 'withdrawal', 'expiry')),
  at timestamptz NOT NULL,
  channel text CHECK (channel IN ('console', 'api', 'cli', 'import')),
  text_version text,
  text_locale text CHECK (text_locale IN ('en', 'zh-CN')),
  text_sha256 text CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz,
  expired_seq bigint UNIQUE REFERENCES consent_records(seq) ON DELETE CASCADE,
  CHECK ((kind = 'grant') = (text_version IS NOT NULL AND text_sha256 IS NOT NULL AND text_locale IS NOT NULL)),
  CHECK (kind = 'grant' OR expires_at IS NULL),
  CHECK ((kind = 'expiry') = (expired_seq IS NOT NULL)),
  CHECK ((kind = 'expiry') = (channel IS NULL))
);
CREATE INDEX consent_records_key ON consent_records (account_id, purpose, category, recipient, seq DESC);
CREATE INDEX consent_records_purpose ON consent_records (purpose, category, recipient, account_id, seq DESC);
CREATE INDEX consent_records_position ON consent_records (tx, seq);
CREATE INDEX consent_records_expiring ON consent_records (expires_at) WHERE kind = 'grant' AND expires_at IS NOT NULL;

CREATE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_records is append-only';
END $$;

CREATE TRIGGER consent_records_append_only BEFORE UPDATE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_records_append_only();
`,
};
