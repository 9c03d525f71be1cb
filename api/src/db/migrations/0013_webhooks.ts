import type { Migration } from './types.js';

/**
 * Standard Webhooks for apps (docs/webhooks.md, issue 15), all owned by the webhooks context.
 * - webhook_endpoints: one receiver URL of a developer app, the event types it takes, thin or full payloads,
 *   its state (unverified until it answers the challenge, active, or disabled with a reason), its health, and
 *   its position in the event log (`cursor`, the events context's opaque cursor).
 * - webhook_secrets: the endpoint's `whsec_` secrets, encrypted; two are live during a rotation.
 * - webhook_messages: the durable delivery queue, one row per (endpoint, event, origin). A worker leases a
 *   row (`lease_owner`, `lease_until`) before sending, so two API processes never send it at the same time and
 *   a process killed mid-send leaves a lease that expires and the row is sent again under the same webhook-id.
 * - webhook_attempts: the delivery log.
 * - webhook_backfills: rate-limited re-deliveries of a time range, and their progress.
 * - webhook_notices: what the platform told the developer (auto-disable and the like).
 */
export const webhooksMigration: Migration = {
  id: '0013_webhooks',
  sql: `
CREATE TABLE webhook_endpoints (
  id text PRIMARY KEY,
  client_id text NOT NULL,
  url text NOT NULL,
  event_types text[] NOT NULL,
  payload text NOT NULL CHECK (payload IN ('thin', 'full')),
  status text NOT NULL CHECK (status IN ('unverified', 'active', 'disabled')),
  description text,
  ed25519_private text,
  ed25519_public text,
  cursor text,
  verified_at timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  failing_since timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_client ON webhook_endpoints (client_id);

CREATE TABLE webhook_secrets (
  id text PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  ciphertext text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

CREATE TABLE webhook_messages (
  id bigserial PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event_type text NOT NULL,
  person_key text NOT NULL,
  occurred_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  origin text NOT NULL CHECK (origin IN ('event', 'replay', 'backfill', 'progress')),
  backfill_id text,
  state text NOT NULL CHECK (state IN ('pending', 'delivered')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE UNIQUE INDEX webhook_messages_event_once ON webhook_messages (endpoint_id, event_id) WHERE origin = 'event';
CREATE INDEX webhook_messages_due ON webhook_messages (state, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_messages_person ON webhook_messages (endpoint_id, person_key, id) WHERE state = 'pending';
CREATE INDEX webhook_messages_event ON webhook_messages (endpoint_id, event_id);

CREATE TABLE webhook_attempts (
  id bigserial PRIMARY KEY,
  message_id bigint NOT NULL REFERENCES webhook_messages(id) ON DELETE CASCADE,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event_type text NOT NULL,
  attempted_at timestamptz NOT NULL,
  ok boolean NOT NULL,
  http_status integer,
  error_code text,
  latency_ms integer NOT NULL,
  response_snippet text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id DESC);

CREATE TABLE webhook_backfills (
  id text PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  subject text,
  from_at timestamptz NOT NULL,
  to_at timestamptz NOT NULL,
  rate double precision NOT NULL CHECK (rate > 0),
  state text NOT NULL CHECK (state IN ('running', 'enqueued', 'completed')),
  cursor text,
  enqueued integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX webhook_backfills_endpoint ON webhook_backfills (endpoint_id);

CREATE TABLE webhook_notices (
  id bigserial PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  kind text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX webhook_notices_endpoint ON webhook_notices (endpoint_id, id DESC);
`,
};
