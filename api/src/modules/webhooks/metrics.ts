import { Counter, Histogram, type Registry } from 'prom-client';

export interface WebhookMetrics {
  attempts: Counter<'outcome'>;
  latency: Histogram;
  disabled: Counter<'reason'>;
}

/** `linkwell_webhook_*` on the API's registry; labels are outcomes and reasons, never URLs or ids. */
export function webhookMetrics(registry: Registry): WebhookMetrics {
  return {
    attempts: new Counter({
      name: 'linkwell_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered, 3xx/4xx/5xx, timeout, connection errors, refused addresses.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'linkwell_webhook_attempt_seconds',
      help: 'Time from sending a webhook to the end of its response (or the error).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    disabled: new Counter({
      name: 'linkwell_webhook_endpoints_disabled_total',
      help: 'Endpoints the platform disabled: gone (410) or retries_exhausted.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
