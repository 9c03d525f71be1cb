// The webhooks context's public surface (docs/webhooks.md): Standard Webhooks for developer apps.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Database } from '../../db/sql-client.js';
import type { EventsService } from '../events/index.js';
import { webhookMetrics } from './metrics.js';
import { webhooksRoutes } from './routes.js';
import { webhookSecretKey } from './sealed.js';
import { createWebhooksService, type WebhooksService } from './service.js';
import { type AppDirectory, DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './types.js';
import { systemLookup } from './url-policy.js';
import { createWebhookWorker, type WebhookWorker } from './worker.js';

export { WEBHOOKS_ERRORS } from './errors.js';
export { MAX_ATTEMPTS, RETRY_DELAYS_MS } from './schedule.js';
export type { AppDirectory, AppFacts, AppPerson, WebhookSettings } from './types.js';
export type { WebhooksService, WebhookWorker };

export interface WebhooksDeps {
  db: Database;
  events: EventsService;
  directory: AppDirectory;
  /** A platform secret the key that seals webhook secrets is derived from (HKDF). */
  platformKey: Buffer;
  now: () => number;
  metrics: Registry;
  settings?: Partial<WebhookSettings> & { worker?: boolean };
}

/**
 * Registers the developer routes and the delivery worker, which starts when the app is ready and stops
 * when it closes (`settings.worker: false` leaves it stopped: tests drive `tick()` themselves).
 */
export function registerWebhooks(
  app: FastifyInstance,
  deps: WebhooksDeps,
): { service: WebhooksService; worker: WebhookWorker } {
  const { worker: run = true, ...rest } = deps.settings ?? {};
  const settings: WebhookSettings = {
    ...DEFAULT_WEBHOOK_SETTINGS,
    lookup: systemLookup,
    workerId: `w_${randomUUID()}`,
    ...rest,
  };
  const secretKey = webhookSecretKey(deps.platformKey);
  const log = {
    info: (obj: object, msg: string) => app.log.info(obj, msg),
    warn: (obj: object, msg: string) => app.log.warn(obj, msg),
  };
  const worker = createWebhookWorker({
    db: deps.db,
    events: deps.events,
    directory: deps.directory,
    settings,
    secretKey,
    now: deps.now,
    metrics: webhookMetrics(deps.metrics),
    log,
  });
  const service = createWebhooksService({
    db: deps.db,
    events: deps.events,
    directory: deps.directory,
    settings,
    secretKey,
    now: deps.now,
    changed: (endpointId) => worker.forget(endpointId),
    wake: () =>
      void worker
        .tick()
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'webhook pass failed')),
  });
  app.register(webhooksRoutes, { webhooks: service });
  if (run) app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', async () => worker.stop());
  return { service, worker };
}
