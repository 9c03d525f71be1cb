import { hostname } from 'node:os';
import { join } from 'node:path';
import { gatewayTopic } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAttributor } from './attribution/attributor.js';
import { recordWeights } from './attribution/baselines.js';
import { createIngestBroker, notifyGateway } from './broker/broker.js';
import { createCommandChannel, type SendCommand } from './broker/commands.js';
import { createGatewayAuthenticator } from './broker/gateway-auth.js';
import { type BrokerLimitsInput, brokerLimits } from './broker/limits.js';
import { createReadingsHandler } from './broker/readings-handler.js';
import { openRevocationList } from './broker/revocations.js';
import { type ClusterOptions, createRedisBackplane } from './cluster/redis-backplane.js';
import { IngestError } from './errors.js';
import { HealthEventStore } from './events/health-events.js';
import { EventOutbox } from './events/reading-events.js';
import {
  type ExternalBrokerOptions,
  type ExternalConsumer,
  startExternalConsumer,
} from './external/consumer.js';
import { InboxStore } from './inbox/inbox-store.js';
import { importLegacyHeld } from './inbox/legacy-held.js';
import { PointQuery } from './influx/point-query.js';
import { detectInfluxVersion } from './influx/version.js';
import {
  createInfluxWriter,
  ensureDatabase,
  type InfluxTarget,
  type WriterOptions,
} from './influx/writer.js';
import { startListeners } from './listeners/listeners.js';
import { createIngestMetrics } from './metrics.js';
import { claimFor } from './moves/claim.js';
import { MoveExecutor } from './moves/move-executor.js';
import { startOpsServer } from './ops-server.js';
import { DurableSink, type DurableSinkStats } from './pipeline/durable-sink.js';
import { type PlatformBridge, type PlatformBridgeOptions, startPlatformBridge } from './platform/index.js';
import { startRegistrySync } from './registry/registry-sync.js';
import type { SqlClient } from './registry/resolver.js';
import { InfluxQl } from './rollups/influxql.js';
import { RollupJournal } from './rollups/journal.js';
import { RollupWorker, rollupsSupported } from './rollups/worker.js';
import { openSpool } from './spool/spool.js';
import { type HeldOptions, startHeldReplay } from './store/held-options.js';
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
  /** MQTT over TLS next to `mqtt`: PEM certificate chain and key files, re-read when they change. */
  mqttTls?: { host: string; port: number; certFile: string; keyFile: string; reloadCheckMs?: number };
  /** MQTT over WebSocket, on path `/mqtt`. */
  mqttWs?: { host: string; port: number };
  /** Connection, rate and packet limits of the embedded broker; DEFAULT_BROKER_LIMITS where omitted. */
  brokerLimits?: BrokerLimitsInput;
  /** How often revoked gateways are re-read from the registry (`gateways.revoked_at`). Default 30 000 ms. */
  revocationRefreshMs?: number;
  /** Held readings (the household inbox): expiry (default 30 days), bounds and the periodic replay (docs/attribution.md). */
  held?: HeldOptions;
  /** Reading moves (inbox filings, reassignments): the periodic sweep behind LISTEN linkwell_moves. Default 30 000 ms. */
  moves?: { sweepIntervalMs?: number };
  /** Dead-letter rotation: file size (default 64 MiB) and rotated files kept (default 8). */
  deadLetters?: { maxFileBytes?: number; maxFiles?: number };
  /** Registry read model: periodic full refresh (default 60 000 ms) and LISTEN retry (default 5000 ms). */
  registrySync?: { refreshIntervalMs?: number; listenRetryMs?: number };
  /** Presence, nearby devices and queued commands for the API (migration 0007; docs/gateways.md). */
  platform?: PlatformBridgeOptions;
  /**
   * The rollup worker (docs/rollups.md): started when `enabled` (default true once this is given). The journal
   * is written in any case, under `node` (default the host name).
   */
  rollups?: { enabled?: boolean; intervalMs?: number; lagMs?: number; node?: string };
  /**
   * The event log (docs/events.md): a `reading.created` per stored reading, committed before the PUBACK.
   * Default on; off only for the benchmark's side-by-side baseline (webhooks and the change feed then miss them).
   */
  events?: { enabled?: boolean; maxLines?: number };
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
  /** `mqtts://…` when `mqttTls` is set. */
  mqttsUrl?: string;
  /** `ws://…/mqtt` when `mqttWs` is set. */
  wsUrl?: string;
  /**
   * Re-reads the revoked gateways now and disconnects those connected; resolves when done. Embedded and
   * cluster mode (the periodic refresh runs anyway).
   */
  refreshRevocations?(): Promise<void>;
  /** The bridge to the API's gateway tables (embedded and cluster mode). */
  platform?: PlatformBridge;
  close(): Promise<void>;
}

export async function startIngest(deps: IngestServiceDeps): Promise<IngestService> {
  const log = deps.logger;
  const metrics = createIngestMetrics(deps.metricsRegistry);
  const writer = await createInfluxWriter(deps.influx, {
    ...deps.writer,
    journal: new RollupJournal(deps.rollups?.node ?? hostname()),
  });
  await ensureDatabase(deps.influx, writer.api);
  log.info({ version: writer.version, api: writer.api }, 'InfluxDB detected');
  const quarantine = await openFileQuarantine(join(deps.dataDir, 'quarantine'), {
    deadLetters: { ...deps.deadLetters, onDiscard: () => metrics.deadLetterFilesDeleted.inc() },
  });
  const inbox = new InboxStore(deps.registry, {
    maxReadings: deps.held?.maxReadings,
    maxPerGateway: deps.held?.maxPerGateway,
    onChange: (n) => metrics.heldReadings.set(n),
  });
  const imported = await importLegacyHeld(join(deps.dataDir, 'quarantine'), (gw, e) =>
    inbox.put(gw, e, { unbounded: true }),
  ).catch(async (err: unknown) => {
    await quarantine.close();
    throw err;
  });
  if (imported > 0)
    log.info({ readings: imported }, 'held.jsonl of an earlier release imported into the inbox');
  await inbox
    .refreshStats()
    .catch((err: Error) =>
      log.warn({ code: 'INGEST_ERR_INBOX_UNAVAILABLE', err: err.message }, 'inbox not counted'),
    );
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
  const outbox =
    deps.events?.enabled === false
      ? undefined
      : new EventOutbox(deps.registry, {
          logger: log,
          ...(deps.events?.maxLines ? { maxLines: deps.events.maxLines } : {}),
          onInserted: (n) => metrics.eventsRecorded.inc(n),
        });
  // Readings handler calls `batcher.add`; the sink takes that slot with the same contract, plus the spool.
  const batcher = new DurableSink(writer, spool, {
    maxLines: deps.batch?.maxLines ?? 5000,
    lingerMs: deps.batch?.lingerMs ?? 20,
    maxConcurrent: deps.batch?.maxConcurrent ?? 2,
    probe: () => detectInfluxVersion(deps.influx.url, fetch, 2000).then(() => true),
    probeIntervalMs: deps.spool?.probeIntervalMs,
    deadLetter: (entries) => quarantine.put(entries),
    ...(outbox ? { outbox } : {}),
    metrics,
    logger: log,
  });
  const registrySync = await startRegistrySync(deps.registry, { ...deps.registrySync, logger: log, metrics });
  const resolver = registrySync.resolver;
  const attributor = createAttributor(resolver, deps.registry);
  const events = new HealthEventStore(deps.registry, {
    now: Date.now,
    onInserted: (kind) => metrics.healthEvents.inc({ kind }),
  });
  const baselines = (w: { account: string; t: number; kg: number }[]) =>
    w.length > 0 ? recordWeights(deps.registry, w) : Promise.resolve();

  let notify: (gw: string, e: Record<string, unknown>) => void = () => {};
  const heldReplay = startHeldReplay(deps.held, {
    inbox,
    attributor,
    recordWeights: baselines,
    events,
    sink: batcher,
    deadLetters: quarantine.deadLetters,
    metrics,
    logger: log,
    notify: (gw, e) => notify(gw, e),
    now: Date.now,
  });
  registrySync.onChange((gateways) => void heldReplay.request(gateways));
  const moves = new MoveExecutor({
    db: deps.registry,
    writer,
    points: new PointQuery(deps.influx, writer.version),
    claim: claimFor(deps.registry),
    recordWeights: baselines,
    metrics,
    logger: log,
  });
  await moves.start(deps.moves?.sweepIntervalMs ?? 30_000);
  const rollups = startRollups(deps, writer, metrics);
  const handleReadings = createReadingsHandler({
    resolver,
    attributor,
    inbox,
    events,
    recordWeights: baselines,
    batcher,
    quarantine,
    metrics,
    logger: log,
    now: Date.now,
    notify: (gw, e) => notify(gw, e),
  });
  // Everything behind the readings handler; both modes' close() end with it.
  const closePipeline = async () => {
    await rollups?.close();
    await moves.close();
    await heldReplay.close();
    await registrySync.close();
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
          details: () => ({
            sink: batcher.stats(),
            held: inbox.stats(),
            registry: { ...registrySync.resolver.stats(), listening: registrySync.listening },
            ...(rollups ? { rollups: rollups.stats() } : {}),
          }),
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
  const revocations = await openRevocationList(deps.registry, {
    refreshMs: deps.revocationRefreshMs,
    logger: log,
    metrics,
  });
  // A change notification may be a revocation (gateways.revoked_at): re-read the list at once.
  registrySync.onChange(() => void revocations.refresh());
  const limits = brokerLimits(deps.brokerLimits);
  const broker = await createIngestBroker({
    authenticateGateway: createGatewayAuthenticator(deps.gatewayPublicKeyPem, {
      isRevoked: revocations.isRevoked,
    }),
    handleReadings,
    metrics,
    logger: log,
    limits,
    revocations,
    // Warm the registry cache at CONNECT, so the gateway's first readings need no registry round trip.
    onGatewayConnected: (gw) =>
      void resolver
        .preload(gw)
        .catch((err: Error) => log.debug({ gw, err: err.message }, 'registry preload failed')),
    aedes: backplane?.aedes,
  });
  notify = (gw, e) => notifyGateway(broker, gw, e);
  const commands = await createCommandChannel(broker, { logger: log });
  const platform = await startPlatformBridge({
    broker,
    registry: deps.registry,
    send: commands.send,
    logger: log,
    ...(deps.platform ? { options: deps.platform } : {}),
  });

  const listeners = await startListeners(
    broker,
    { tcp: deps.mqtt, tls: deps.mqttTls, ws: deps.mqttWs },
    { limits, metrics, logger: log },
  );
  const { mqttUrl, mqttsUrl, wsUrl } = listeners;
  const ops = await startOps();
  log.info({ mqtt: mqttUrl, mqtts: mqttsUrl, ws: wsUrl, ops: ops?.url }, 'ingest listening');

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
    ...(mqttsUrl ? { mqttsUrl } : {}),
    ...(wsUrl ? { wsUrl } : {}),
    refreshRevocations: () => revocations.refresh(),
    platform,
    async close() {
      revocations.close();
      await platform.close();
      // Broker first: it ends client sockets, which the TCP server's close waits for. In cluster mode both
      // steps talk to Redis; the backplane bounds them when Redis is unreachable.
      const brokerClosed = commands.close().then(() => new Promise<void>((r) => broker.close(() => r())));
      await (backplane ? backplane.close(brokerClosed) : brokerClosed);
      await listeners.close();
      await closePipeline();
      await new Promise<void>((r) => (ops ? ops.server.close(() => r()) : r()));
    },
  };
}

/** The rollup worker, when configured and the InfluxDB serves what it needs. */
function startRollups(
  deps: IngestServiceDeps,
  writer: Awaited<ReturnType<typeof createInfluxWriter>>,
  metrics: ReturnType<typeof createIngestMetrics>,
): RollupWorker | undefined {
  const o = deps.rollups;
  if (!o || o.enabled === false) return undefined;
  const timeoutMs = deps.writer?.timeoutMs ?? 30_000;
  const lagMs = o.lagMs ?? 60_000;
  if (lagMs <= timeoutMs)
    throw new IngestError(
      'INGEST_ERR_CONFIG',
      `rollups lag (${lagMs} ms) must exceed the InfluxDB write timeout (${timeoutMs} ms)`,
    );
  if (!rollupsSupported(writer.version)) {
    deps.logger.warn(
      { code: 'INGEST_ERR_ROLLUP_UNSUPPORTED', version: writer.version },
      'rollup worker not started: it needs InfluxQL DELETE (InfluxDB 1.x); the API reads raw points',
    );
    return undefined;
  }
  const worker = new RollupWorker(
    { ql: new InfluxQl(deps.influx, timeoutMs), writer, db: deps.registry, logger: deps.logger, metrics },
    { intervalMs: o.intervalMs, lagMs },
  );
  worker.start();
  return worker;
}
