import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { gatewayTopic } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createIngestBroker, notifyGateway } from './broker/broker.js';
import { createCommandChannel, type SendCommand } from './broker/commands.js';
import { createGatewayTokenVerifier } from './broker/gateway-auth.js';
import { createReadingsHandler } from './broker/readings-handler.js';
import { type ClusterOptions, createRedisBackplane } from './cluster/redis-backplane.js';
import {
  type ExternalBrokerOptions,
  type ExternalConsumer,
  startExternalConsumer,
} from './external/consumer.js';
import { detectInfluxVersion } from './influx/version.js';
import {
  createInfluxWriter,
  ensureDatabase,
  type InfluxTarget,
  type WriterOptions,
} from './influx/writer.js';
import { createIngestMetrics } from './metrics.js';
import { startOpsServer } from './ops-server.js';
import { DurableSink, type DurableSinkStats } from './pipeline/durable-sink.js';
import { createDeviceAccountResolver, type SqlClient } from './registry/resolver.js';
import { openSpool } from './spool/spool.js';
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
  /** The on-disk spool under `<dataDir>/spool` that takes batches while InfluxDB is unavailable. */
  spool?: { maxBytes?: number; maxLines?: number; segmentBytes?: number; probeIntervalMs?: number };
  /** Cluster mode: Aedes sessions, subscriptions, retained messages and deliveries shared through Redis. */
  cluster?: ClusterOptions;
  /**
   * External-broker mode: no embedded broker (`mqtt` is ignored); this process is a worker consuming the
   * readings from a `$share` group on Mosquitto/EMQX, acknowledging each delivery once it is durable.
   */
  external?: ExternalBrokerOptions;
}

export interface IngestService {
  mqttUrl: string;
  opsUrl: string | undefined;
  influxVersion: string;
  /** InfluxDB up/down, replay state and spool depth. */
  sinkStats(): DurableSinkStats;
  /** QoS 1 publish to gateways: through the embedded broker (and the cluster), or the external broker. */
  publish(topic: string, payload: Buffer | string): Promise<void>;
  /** External-broker mode only: the worker's connections and delivery counters. */
  external?: ExternalConsumer;
  /**
   * Sends a command to a gateway and resolves with its result (docs/gateway-commands.md). Embedded and
   * cluster mode; absent in external-broker mode.
   */
  sendCommand?: SendCommand;
  close(): Promise<void>;
}

export async function startIngest(deps: IngestServiceDeps): Promise<IngestService> {
  const log = deps.logger;
  const metrics = createIngestMetrics(deps.metricsRegistry);
  const writer = await createInfluxWriter(deps.influx, deps.writer);
  await ensureDatabase(deps.influx, writer.api);
  log.info({ version: writer.version, api: writer.api }, 'InfluxDB detected');
  const quarantine = await openFileQuarantine(join(deps.dataDir, 'quarantine'));
  const spool = await openSpool(join(deps.dataDir, 'spool'), {
    maxBytes: deps.spool?.maxBytes ?? 1024 * 1024 * 1024,
    maxLines: deps.spool?.maxLines,
    segmentBytes: deps.spool?.segmentBytes,
  });
  if (spool.recovery.batches > 0 || spool.recovery.tornTailBytes > 0 || spool.recovery.corruptBytes > 0) {
    const corrupt = spool.recovery.corruptBytes > 0;
    log[corrupt ? 'error' : 'info'](
      { ...(corrupt ? { code: 'INGEST_ERR_SPOOL_CORRUPT' } : {}), ...spool.recovery },
      'spool recovered; replaying',
    );
  }
  // Readings handler calls `batcher.add`; the sink takes that slot with the same contract, plus the spool.
  const batcher = new DurableSink(writer, spool, {
    maxLines: deps.batch?.maxLines ?? 5000,
    lingerMs: deps.batch?.lingerMs ?? 20,
    maxConcurrent: deps.batch?.maxConcurrent ?? 2,
    probe: () => detectInfluxVersion(deps.influx.url, fetch, 2000).then(() => true),
    probeIntervalMs: deps.spool?.probeIntervalMs,
    deadLetter: (entries) => quarantine.put(entries),
    metrics,
    logger: log,
  });
  const resolver = createDeviceAccountResolver(deps.registry);

  let notify: (gw: string, e: Record<string, unknown>) => void = () => {};
  const handleReadings = createReadingsHandler({
    resolver,
    batcher,
    quarantine,
    metrics,
    logger: log,
    now: Date.now,
    notify: (gw, e) => notify(gw, e),
  });
  // Everything behind the readings handler; both modes' close() end with it.
  const closePipeline = async () => {
    await batcher.close();
    await quarantine.close();
  };
  const startOps = () =>
    deps.ops
      ? startOpsServer(deps.ops.host, deps.ops.port, {
          registry: deps.metricsRegistry,
          checks: {
            influx: async () => Boolean(await detectInfluxVersion(deps.influx.url)),
            registry: async () => Boolean(await deps.registry.query('SELECT 1')),
          },
          details: () => ({ sink: batcher.stats() }),
        })
      : undefined;

  if (deps.external) {
    const consumer = await startExternalConsumer(deps.external, {
      handleReadings,
      logger: log,
      onOutcome: (outcome, redelivery) =>
        metrics.externalDeliveries.inc({ outcome, redelivery: `${redelivery}` }),
      onConnectedChange: (n) => metrics.externalConnections.set(n),
    }).catch(async (err: unknown) => {
      await closePipeline();
      throw err;
    });
    const publish = (topic: string, payload: Buffer | string) => consumer.publish(topic, payload);
    notify = (gw, e) => {
      const body = JSON.stringify({ v: 1, gw, at: Date.now(), ...e });
      publish(gatewayTopic(gw, 'events'), body).catch((err: Error) =>
        log.warn({ gw, err: err.message }, 'gateway event not published'),
      );
    };
    const ops = await startOps();
    return {
      mqttUrl: consumer.url,
      opsUrl: ops?.url,
      influxVersion: writer.version,
      sinkStats: () => batcher.stats(),
      publish,
      external: consumer,
      async close() {
        await consumer.close();
        await closePipeline();
        await new Promise<void>((r) => (ops ? ops.server.close(() => r()) : r()));
      },
    };
  }

  const backplane = deps.cluster
    ? await createRedisBackplane(deps.cluster, log).catch(async (err: unknown) => {
        await closePipeline();
        throw err;
      })
    : undefined;
  const broker = await createIngestBroker({
    verifyGateway: createGatewayTokenVerifier(deps.gatewayPublicKeyPem),
    handleReadings,
    metrics,
    logger: log,
    aedes: backplane?.aedes,
  });
  notify = (gw, e) => notifyGateway(broker, gw, e);
  const commands = await createCommandChannel(broker, { logger: log });

  const tcp: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(deps.mqtt.port, deps.mqtt.host, resolve);
  });
  const mqttUrl = `mqtt://${deps.mqtt.host}:${(tcp.address() as AddressInfo).port}`;
  const ops = await startOps();
  log.info({ mqtt: mqttUrl, ops: ops?.url }, 'ingest listening');

  return {
    mqttUrl,
    opsUrl: ops?.url,
    influxVersion: writer.version,
    sinkStats: () => batcher.stats(),
    publish: (topic, payload) =>
      new Promise<void>((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    sendCommand: commands.send,
    async close() {
      // Broker first: it ends client sockets, which the TCP server's close waits for. In cluster mode both
      // steps talk to Redis; the backplane bounds them when Redis is unreachable.
      const brokerClosed = commands.close().then(() => new Promise<void>((r) => broker.close(() => r())));
      await (backplane ? backplane.close(brokerClosed) : brokerClosed);
      await new Promise<void>((r) => tcp.close(() => r()));
      await closePipeline();
      await new Promise<void>((r) => (ops ? ops.server.close(() => r()) : r()));
    },
  };
}
