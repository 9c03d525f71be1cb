import type { Migration } from './types.js';

/**
 * FHIR Bulk Data export jobs (hl7.org/fhir/uv/bulkdata/export.html), owned by the fhir context. One row per
 * kick-off: who may poll it (the account, and the app's client id; NULL first-party), what it reads (the
 * token's scopes and the app's pairwise subject, kept so a re-run after a restart reads exactly what the
 * kick-off was allowed to), its state and, once done, the manifest's output list. Files live on disk under
 * the API's export directory, named by the job id; rows and files go together when the job expires.
 * heartbeat_at is refreshed while a process runs the job: a running job whose heartbeat went stale was
 * left by a process that died, and is queued again (several API processes may share one registry).
 */
export const exportsMigration: Migration = {
  id: '0012_exports',
  sql: `
CREATE TABLE fhir_export_jobs (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  client_id text,
  app_subject text,
  scopes text[] NOT NULL,
  types text[] NOT NULL,
  since timestamptz,
  request_url text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  heartbeat_at timestamptz,
  transaction_time timestamptz NOT NULL,
  output jsonb NOT NULL DEFAULT '[]'::jsonb,
  error text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  expires_at timestamptz NOT NULL
);
CREATE INDEX fhir_export_jobs_account ON fhir_export_jobs (account_id, created_at);
CREATE INDEX fhir_export_jobs_pending ON fhir_export_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX fhir_export_jobs_expiry ON fhir_export_jobs (expires_at);
`,
};
