import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadIngestConfig } from './config.js';
import { openRegistryPool, pgRegistryClient } from './registry/pg-listen.js';
import { startIngest } from './service.js';

/** Composition root for a standalone ingest node against a PostgreSQL registry (`linkwell ingest`). */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadIngestConfig(env);
  const logger = pino({ level: config.logLevel, base: { svc: 'ingest' } });
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const pool = openRegistryPool(config.registryUrl, {
    max: 4,
    onIdleError: (err) => logger.warn({ err }, 'registry: an idle PostgreSQL connection was closed'),
  });
  const svc = await startIngest({
    mqtt: config.mqtt,
    ops: config.ops,
    influx: config.influx,
    // LISTENs on a connection of its own, so registry changes reach the read model at once.
    registry: pgRegistryClient(pool, config.registryUrl),
    gatewayPublicKeyPem: await readFile(config.gatewayPublicKeyFile, 'utf8'),
    dataDir: config.dataDir,
    writer: config.writer,
    spool: {
      maxBytes: Math.floor(config.spool.maxMiB * 1024 * 1024),
      segmentBytes: Math.floor(config.spool.segmentMiB * 1024 * 1024),
      maxLines: config.spool.maxLines,
    },
    ...(config.cluster ? { cluster: config.cluster } : {}),
    ...(config.external ? { external: config.external } : {}),
    ...(config.broker.tls ? { mqttTls: config.broker.tls } : {}),
    ...(config.broker.ws ? { mqttWs: config.broker.ws } : {}),
    brokerLimits: config.broker.limits,
    revocationRefreshMs: config.broker.revocationRefreshSeconds * 1000,
    held: {
      expiryMs: config.held.expiryDays * 86_400_000,
      maxReadings: config.held.maxReadings,
      maxPerGateway: config.held.maxPerGateway,
      replayIntervalMs: config.held.replaySeconds * 1000,
    },
    deadLetters: {
      maxFileBytes: Math.floor(config.deadLetters.maxFileMiB * 1024 * 1024),
      maxFiles: config.deadLetters.maxFiles,
    },
    registrySync: { refreshIntervalMs: config.registrySync.refreshSeconds * 1000 },
    rollups: config.rollups,
    events: config.events,
    logger,
    metricsRegistry,
  });
  const stop = async () => {
    logger.info('stopping');
    await svc.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
