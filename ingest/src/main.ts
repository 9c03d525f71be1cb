import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadIngestConfig } from './config.js';
import { startIngest } from './service.js';

/** Composition root for a standalone ingest node against a PostgreSQL registry (`linkwell ingest`). */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadIngestConfig(env);
  const logger = pino({ level: config.logLevel, base: { svc: 'ingest' } });
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const pool = new pg.Pool({ connectionString: config.registryUrl, max: 4 });
  const svc = await startIngest({
    mqtt: config.mqtt,
    ops: config.ops,
    influx: config.influx,
    registry: pool,
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
