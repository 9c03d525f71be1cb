import { createInterface } from 'node:readline';
import { migrate, openPglite, openPostgres } from '@linkwell/api';
import { type BrokerLimitsInput, startIngest } from '@linkwell/ingest';
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
  /** Broker limits instead of the defaults, e.g. a higher CONNECT rate to measure what connecting costs. */
  brokerLimits?: BrokerLimitsInput;
  /**
   * A PostgreSQL registry the parent has migrated and seeded. Without it the child opens an in-process
   * PGlite and seeds it, whose queries and memory are then counted as the broker's.
   */
  registryUrl?: string;
  /** The event outbox on the PUBACK path (docs/events.md); false measures ingest without it. Default true. */
  events?: boolean;
}

const job = JSON.parse(process.argv[2]!) as BrokerJob;
const db = job.registryUrl ? await openPostgres(job.registryUrl) : await openPglite();
if (!job.registryUrl) {
  await migrate(db);
  await seedFleetRegistry(db, job);
}
const ingest = await startIngest({
  mqtt: { host: '127.0.0.1', port: 0 },
  influx: { url: job.influxUrl, database: job.database },
  registry: db,
  gatewayPublicKeyPem: job.publicKeyPem,
  dataDir: job.dataDir,
  logger: pino({ level: 'silent' }),
  metricsRegistry: new Registry(),
  ...(job.batch ? { batch: job.batch } : {}),
  ...(job.brokerLimits ? { brokerLimits: job.brokerLimits } : {}),
  events: { enabled: job.events !== false },
});
process.stdout.write(`${JSON.stringify({ mqttUrl: ingest.mqttUrl })}\n`);

const stdin = createInterface({ input: process.stdin });
stdin.on('close', async () => {
  await ingest.close();
  await db.close();
  process.exit(0);
});
