// What the webhooks need to know about an app and its people: the oauth context's own types.
import type { AppFacts, AppPerson } from '../oauth/index.js';
import type { Lookup } from './url-policy.js';

export type { AppFacts, AppPerson };

/** The oauth context's answers, injected (webhooks never reads oauth tables). */
export interface AppDirectory {
  app(clientId: string): Promise<AppFacts | undefined>;
  /** Every person with a live grant for the app. */
  persons(clientId: string): Promise<AppPerson[]>;
  /** The subject the app knew a person by, even after the grant is gone (connection.revoked, user.deleted). */
  subjectOf(clientId: string, accountId: string): Promise<string | undefined>;
}

export interface WebhookSettings {
  /** How often the worker looks for due work when nothing wakes it (ms). */
  pollMs: number;
  /** How long a claimed message is ours; past it another process may send it again (same webhook-id). */
  leaseMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  snippetBytes: number;
  /** Messages sent at once per pass. */
  batch: number;
  /** How long a rotated-out secret keeps signing unless revoked earlier. */
  rotationOverlapMs: number;
  random: () => number;
  lookup: Lookup;
  /** The wall clock the `webhook-timestamp` header carries (receivers compare it with theirs). */
  wallClock: () => number;
  /** Extra CA certificates for https receivers (tests). */
  ca?: string | undefined;
  /** Identifies this process's leases. */
  workerId: string;
}

export const DEFAULT_WEBHOOK_SETTINGS: Omit<WebhookSettings, 'workerId' | 'lookup'> = {
  pollMs: 1_000,
  leaseMs: 60_000,
  // Standard Webhooks leaves timeouts to the producer; 10 s is long for a receiver that should answer fast
  // and queue its own work, and short enough that one slow receiver does not hold a lease for long.
  timeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
  snippetBytes: 1024,
  batch: 32,
  rotationOverlapMs: 24 * 3_600_000,
  random: Math.random,
  wallClock: Date.now,
};
