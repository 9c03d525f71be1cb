import type { FastifyBaseLogger } from 'fastify';
import { Registry } from 'prom-client';
import { type ApiApp, buildApp } from './app.js';
import {
  generateSigningKeys,
  loadOrCreateSigningKeys,
  OAUTH_KEY_NAME,
  type SigningKeys,
} from './auth/keys.js';
import type { ApiConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { openPglite } from './db/pglite.js';
import { openPostgres } from './db/postgres.js';
import type { Database } from './db/sql-client.js';
import type { DeviceFlowOptions } from './modules/gateways/index.js';

export interface RunningApi {
  /** e.g. http://127.0.0.1:8080 (the real port when config.port is 0). */
  url: string;
  app: ApiApp;
  db: Database;
  keys: SigningKeys;
  /** Stops accepting requests, waits for in-flight ones, then closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: FastifyBaseLogger | false;
  metrics?: Registry;
  /** Gateway onboarding settings (verification URL, broker URL handed to gateways, lifetimes). */
  deviceFlow?: DeviceFlowOptions;
  /** Serve the web console at `/` (default true). */
  console?: boolean;
}

async function openDatabase(config: ApiConfig, logger: FastifyBaseLogger | undefined): Promise<Database> {
  if (config.database.kind === 'pglite') return openPglite(config.database.dataDir);
  return openPostgres(config.database.url, {
    onIdleClientError: (err) => logger?.warn({ err }, 'idle registry database connection failed'),
  });
}

/** Opens and migrates the registry, loads (or creates) the signing keys, builds the app and listens. */
export async function startApi(config: Readonly<ApiConfig>, opts: StartOptions = {}): Promise<RunningApi> {
  const logger = opts.logger || undefined;
  const db = await openDatabase(config, logger);
  try {
    const migrations = await migrate(db);
    logger?.info(migrations, 'registry schema up to date');
    const keys = 'dir' in config.keys ? await loadOrCreateSigningKeys(config.keys.dir) : config.keys;
    // Inline keys (tests) get a fresh authorization-server key: its tokens then last as long as the process.
    const oauthKeys =
      'dir' in config.keys
        ? await loadOrCreateSigningKeys(config.keys.dir, OAUTH_KEY_NAME)
        : generateSigningKeys();
    const app = buildApp({
      db,
      influx: config.influx,
      keys,
      oauthKeys,
      metrics: opts.metrics ?? new Registry(),
      logger: opts.logger ?? false,
      ...(opts.deviceFlow ? { deviceFlow: opts.deviceFlow } : {}),
      identity: { publicUrl: config.publicUrl, providers: config.providers },
      authRateLimitPerMinute: config.authRateLimitPerMinute,
      appRateLimits: config.appRateLimits,
      fhirExports: { dir: config.exports.dir, ttlMs: config.exports.ttlHours * 3_600_000 },
      webhooks: config.webhooks,
      crmTraits: { consumer: config.crm.consumer },
      ...(config.crm.syncIntervalMs > 0
        ? { crmDestinations: { worker: true, intervalMs: config.crm.syncIntervalMs } }
        : {}),
      console: opts.console ?? true,
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      app,
      db,
      keys,
      async close() {
        await app.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
