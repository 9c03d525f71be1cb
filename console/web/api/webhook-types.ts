// The webhook JSON bodies as the console reads them (/v1/developer/apps/{client_id}/webhooks…,
// api/src/modules/webhooks/schemas.ts, docs/webhooks.md).

/** The event types an endpoint may subscribe to, in the order docs/webhooks.md lists them. */
export const WEBHOOK_EVENT_TYPES = [
  'reading.created',
  'reading.updated',
  'reading.deleted',
  'attribution.changed',
  'classification.changed',
  'connection.revoked',
  'user.deleted',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type WebhookPayload = 'thin' | 'full';
export type EndpointStatus = 'unverified' | 'active' | 'disabled';

export interface WebhookSecret {
  id: string;
  created_at: string;
  /** Set on the older secrets after a rotation: they keep signing until then (or until revoked). */
  expires_at: string | null;
}

export interface WebhookEndpoint {
  id: string;
  client_id: string;
  url: string;
  event_types: string[];
  payload: WebhookPayload;
  status: EndpointStatus;
  description: string | null;
  ed25519_public_key: string | null;
  verified_at: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  secrets: WebhookSecret[];
}

export interface CreatedEndpoint {
  endpoint: WebhookEndpoint;
  /** Shown once: the API keeps it encrypted and never sends it again. */
  secret: string;
  verification: { verified: boolean; detail: string };
}

export interface RotatedSecret {
  id: string;
  secret: string;
}

export interface EndpointHealth {
  state: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  failing_since: string | null;
  consecutive_failures: number;
  disabled_at: string | null;
  disabled_reason: string | null;
  backlog: number;
  notices: { kind: string; message: string; created_at: string }[];
}

export interface DeliveryAttempt {
  id: string;
  event_id: string;
  event_type: string;
  attempted_at: string;
  succeeded: boolean;
  http_status: number | null;
  error_code: string | null;
  latency_ms: number;
  response_snippet: string;
}

export interface AttemptPage {
  attempts: DeliveryAttempt[];
  /** Pass as `before` for the next (older) page; null on the last one. */
  next_before: string | null;
}

export interface ReplayResult {
  queued: number;
  event_ids: string[];
}

export interface Backfill {
  id: string;
  subject: string | null;
  from: string;
  to: string;
  rate: number;
  state: 'running' | 'enqueued' | 'completed';
  queued: number;
  delivered: number;
  started_at: string;
  completed_at: string | null;
}
