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
