/**
 * When a webhook is tried again: the example schedule of Standard Webhooks v1.0.0 ("Retry schedule":
 * immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), which adds up to 75 h 35 min 5 s: more
 * than the 72 h issue 15 promises a receiver to come back within. Apps' webhooks and the CRM's webhook
 * destinations both follow it.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];
