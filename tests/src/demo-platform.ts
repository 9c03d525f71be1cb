import { type Database, migrate, openPglite, seedDemoHome } from '@linkwell/api';
import { type IngestService, type IngestServiceDeps, startIngest } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';

/** The registry the integration tests share: embedded PGlite, migrated, with the demo household. */
export async function openDemoRegistry(): Promise<Database> {
  const db = await openPglite();
  await migrate(db);
  await seedDemoHome(db);
  return db;
}

export interface TestIngestOptions {
  influxUrl: string;
  registry: Database;
  gatewayPublicKeyPem: string;
  dataDir: string;
  /** 0 (the default) picks a free port; a fixed one lets a test restart the broker where gateways expect it. */
  port?: number;
  database?: string;
  metricsRegistry?: Registry;
  /** Cluster mode: share sessions and deliveries with other ingest nodes through this Redis. */
  cluster?: IngestServiceDeps['cluster'];
  /** External-broker mode: a worker on a Mosquitto share group instead of an embedded broker. */
  external?: IngestServiceDeps['external'];
  batch?: IngestServiceDeps['batch'];
  /** Presence, nearby devices and queued commands (ingest/src/platform): poll and grace for tests. */
  platform?: IngestServiceDeps['platform'];
}

/** Real ingest (Aedes + InfluxDB writer) on loopback, silent, as the integration tests run it. */
export function startTestIngest(o: TestIngestOptions): Promise<IngestService> {
  return startIngest({
    mqtt: { host: '127.0.0.1', port: o.port ?? 0 },
    influx: { url: o.influxUrl, database: o.database ?? 'linkwell' },
    registry: o.registry,
    gatewayPublicKeyPem: o.gatewayPublicKeyPem,
    dataDir: o.dataDir,
    logger: pino({ level: 'silent' }),
    metricsRegistry: o.metricsRegistry ?? new Registry(),
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.external ? { external: o.external } : {}),
    ...(o.batch ? { batch: o.batch } : {}),
    ...(o.platform ? { platform: o.platform } : {}),
  });
}
