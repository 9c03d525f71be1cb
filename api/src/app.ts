import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Registry } from 'prom-client';
import { registerJwt } from './auth/guard.js';
import type { SigningKeys } from './auth/keys.js';
import { createTokenIssuer } from './auth/tokens.js';
import type { SqlClient } from './db/sql-client.js';
import { installErrorHandling } from './http/error-handler.js';
import { registerHttpMetrics } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { createInfluxClient, type InfluxSettings } from './influx/client.js';
import { type DeviceFlowOptions, deviceFlowRoutes } from './routes/device-flow/index.js';
import { healthRoutes } from './routes/health/index.js';
import { metricsRoutes } from './routes/metrics/index.js';
import { trendsRoutes } from './routes/trends/index.js';

export interface AppDeps {
  db: SqlClient;
  influx: InfluxSettings;
  keys: SigningKeys;
  /** Metrics go here, never to prom-client's global registry, so several apps can share a process. */
  metrics: Registry;
  /** A pino logger; false or undefined keeps the app silent. */
  logger?: FastifyBaseLogger | false;
  /** Replaces global fetch for InfluxDB calls (tests). */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch for gateway onboarding (code expiry, polling, token times); tests inject it. */
  now?: () => number;
  /** Gateway onboarding (RFC 8628) settings: verification URL, broker URL, lifetimes. */
  deviceFlow?: DeviceFlowOptions;
}

export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * Builds the API without listening. Plugins load on `ready()`/`listen()`/`inject()`, so registration
 * errors surface there. Everything the app touches comes in through `deps`.
 */
export function buildApp(deps: AppDeps): ApiApp {
  const app = (
    deps.logger ? Fastify({ loggerInstance: deps.logger }) : Fastify({ logger: false })
  ).withTypeProvider<TypeBoxTypeProvider>();
  const influx = createInfluxClient(deps.influx, deps.fetch);

  installErrorHandling(app);
  registerHttpMetrics(app, deps.metrics);
  registerOpenApi(app);
  registerJwt(app, deps.keys);

  app.register(healthRoutes, { db: deps.db, influx });
  app.register(metricsRoutes, { registry: deps.metrics });
  app.register(trendsRoutes, { influx });
  const now = deps.now ?? Date.now;
  app.register(deviceFlowRoutes, {
    db: deps.db,
    tokens: createTokenIssuer(deps.keys, { now }),
    now,
    options: deps.deviceFlow ?? {},
  });
  return app;
}
