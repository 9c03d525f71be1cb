import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, type Registry } from 'prom-client';

const LABELS = ['method', 'route', 'status_code'] as const;

/** Returns the metric already in `registry` or registers a new one, so two apps can share one registry. */
function counter(registry: Registry): Counter<(typeof LABELS)[number]> {
  const existing = registry.getSingleMetric('http_requests_total');
  if (existing) return existing as Counter<(typeof LABELS)[number]>;
  return new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route pattern and status code.',
    labelNames: LABELS,
    registers: [registry],
  });
}

function histogram(registry: Registry): Histogram<(typeof LABELS)[number]> {
  const existing = registry.getSingleMetric('http_request_duration_seconds');
  if (existing) return existing as Histogram<(typeof LABELS)[number]>;
  return new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route pattern and status code.',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

/**
 * Default process metrics plus request count and duration on the given registry (never the global
 * one). The route label is the route pattern, or `unmatched` for 404s, to keep label values bounded.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  if (!registry.getSingleMetric('process_cpu_user_seconds_total'))
    collectDefaultMetrics({ register: registry });
  const requests = counter(registry);
  const durations = histogram(registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
  });
}
