import { createInterface } from 'node:readline';
import { migrate, openPglite } from '@linkwell/api';
import { startIngest } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { seedFleetRegistry } from './fleet-registry.js';

/**
 * The project's broker (ingest: Aedes + ES256 auth + registry + InfluxDB writer) in its own process, so the
 * fleet and the broker each get their own event loop and file-descriptor limit: 10 000 connections need
 * 10 000 sockets on each side. Input: JSON job in argv[2]. Prints one JSON line {mqttUrl} when listening,
 * and shuts down when its stdin closes (so it never outlives the bench).
 */
export interface BrokerJob {
  influxUrl: string;
  database: string;
  publicKeyPem: string;
  dataDir: string;
  gateways: number;
  devicesPerGateway: number;
  /** Write-batcher settings to try instead of ingest's defaults. */
  batch?: { maxLines?: number; lingerMs?: number; maxConcurrent?: number };
}

const job = JSON.parse(process.argv[2]!) as BrokerJob;
const db = await openPglite();
await migrate(db);
await seedFleetRegistry(db, job);
const ingest = await startIngest({
  mqtt: { host: '127.0.0.1', port: 0 },
  influx: { url: job.influxUrl, database: job.database },
  registry: db,
  gatewayPublicKeyPem: job.publicKeyPem,
  dataDir: job.dataDir,
  logger: pino({ level: 'silent' }),
  metricsRegistry: new Registry(),
  ...(job.batch ? { batch: job.batch } : {}),
});
process.stdout.write(`${JSON.stringify({ mqttUrl: ingest.mqttUrl })}\n`);

const stdin = createInterface({ input: process.stdin });
stdin.on('close', async () => {
  await ingest.close();
  await db.close();
  process.exit(0);
});
