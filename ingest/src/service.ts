import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createIngestBroker, notifyGateway } from './broker/broker.js';
import { createGatewayTokenVerifier } from './broker/gateway-auth.js';
import { createReadingsHandler } from './broker/readings-handler.js';
import { detectInfluxVersion } from './influx/version.js';
import { WriteBatcher } from './influx/write-batcher.js';
import {
  createInfluxWriter,
  ensureDatabase,
  type InfluxTarget,
  type WriterOptions,
} from './influx/writer.js';
import { createIngestMetrics } from './metrics.js';
import { startOpsServer } from './ops-server.js';
import { createDeviceAccountResolver, type SqlClient } from './registry/resolver.js';
import { openFileQuarantine } from './store/quarantine.js';

export interface IngestServiceDeps {
  mqtt: { host: string; port: number };
  /** Omit to run without the /healthz and /metrics listener (e.g. inside `linkwell up`, which has its own). */
  ops?: { host: string; port: number };
  influx: InfluxTarget;
  writer?: WriterOptions;
  registry: SqlClient;
  gatewayPublicKeyPem: string;
  dataDir: string;
  logger: Logger;
  metricsRegistry: Registry;
  batch?: { maxLines?: number; lingerMs?: number; maxConcurrent?: number };
}

export interface IngestService {
  mqttUrl: string;
  opsUrl: string | undefined;
  influxVersion: string;
  close(): Promise<void>;
}

export async function startIngest(deps: IngestServiceDeps): Promise<IngestService> {
  const log = deps.logger;
  const metrics = createIngestMetrics(deps.metricsRegistry);
  const writer = await createInfluxWriter(deps.influx, deps.writer);
  await ensureDatabase(deps.influx, writer.api);
  log.info({ version: writer.version, api: writer.api }, 'InfluxDB detected');
  const batcher = new WriteBatcher(writer, {
    maxLines: deps.batch?.maxLines ?? 5000,
    lingerMs: deps.batch?.lingerMs ?? 20,
    maxConcurrent: deps.batch?.maxConcurrent ?? 2,
    onBatch: ({ lines, ms, ok }) => {
      metrics.batchLines.observe(lines);
      metrics.writeSeconds.observe(ms / 1000);
      if (!ok) metrics.writeFailures.inc();
    },
  });
  const quarantine = await openFileQuarantine(join(deps.dataDir, 'quarantine'));
  const resolver = createDeviceAccountResolver(deps.registry);

  let notify: (gw: string, e: Record<string, unknown>) => void = () => {};
  const broker = await createIngestBroker({
    verifyGateway: createGatewayTokenVerifier(deps.gatewayPublicKeyPem),
    handleReadings: createReadingsHandler({
      resolver,
      batcher,
      quarantine,
      metrics,
      logger: log,
      now: Date.now,
      notify: (gw, e) => notify(gw, e),
    }),
    metrics,
    logger: log,
  });
  notify = (gw, e) => notifyGateway(broker, gw, e);

  const tcp: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(deps.mqtt.port, deps.mqtt.host, resolve);
  });
  const mqttUrl = `mqtt://${deps.mqtt.host}:${(tcp.address() as AddressInfo).port}`;
  const ops = deps.ops
    ? await startOpsServer(deps.ops.host, deps.ops.port, {
        registry: deps.metricsRegistry,
        checks: {
          influx: async () => Boolean(await detectInfluxVersion(deps.influx.url)),
          registry: async () => Boolean(await deps.registry.query('SELECT 1')),
        },
      })
    : undefined;
  log.info({ mqtt: mqttUrl, ops: ops?.url }, 'ingest listening');

  return {
    mqttUrl,
    opsUrl: ops?.url,
    influxVersion: writer.version,
    async close() {
      // Broker first: it ends client sockets, which the TCP server's close waits for.
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
      await batcher.drain();
      await quarantine.close();
      await new Promise<void>((r) => (ops ? ops.server.close(() => r()) : r()));
    },
  };
}
