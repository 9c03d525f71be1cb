export {
  type Attribution,
  type AttributionMethod,
  type Candidate,
  type InboxReason,
  slotAttribution,
} from './attribution/attribution.js';
export { type Attributor, createAttributor, type Decision } from './attribution/attributor.js';
export { newest, RECENT_KEPT, recentKg, recordWeights } from './attribution/baselines.js';
export {
  decideWeight,
  type MemberRule,
  median,
  ruleConfidence,
  ruleLabel,
  type WeightContext,
  type WeightDecision,
} from './attribution/weight-proximity.js';
export { mayPublish, maySubscribe } from './broker/acl.js';
export { createIngestBroker, notifyGateway } from './broker/broker.js';
export { BrokerConfigSchema } from './broker/broker-config.js';
export {
  type CommandChannel,
  createCommandChannel,
  type SendCommand,
  type SendCommandOptions,
} from './broker/commands.js';
export {
  createGatewayAuthenticator,
  createGatewayTokenVerifier,
  type GatewayAuthFailure,
  type GatewayAuthResult,
} from './broker/gateway-auth.js';
export {
  type BrokerLimits,
  type BrokerLimitsInput,
  brokerLimits,
  DEFAULT_BROKER_LIMITS,
} from './broker/limits.js';
export { ConnectRateLimiter, type ConnectRateOptions, TokenBucket } from './broker/rate-limit.js';
export { createReadingsHandler } from './broker/readings-handler.js';
export { openRevocationList, type RevocationList } from './broker/revocations.js';
export { type ClusterOptions, isLocalOnlyTopic } from './cluster/redis-backplane.js';
export { redisOptionsFromUrl } from './cluster/redis-url.js';
export { type IngestConfig, IngestConfigSchema, loadIngestConfig } from './config.js';
export { INGEST_ERRORS, IngestError, type IngestErrorCode } from './errors.js';
export {
  EventOutbox,
  insertEventRows,
  type MoveFacts,
  moveEventRows,
  type OutboxEvent,
  readingCreated,
  type StoredPoint,
} from './events/reading-events.js';
export type { DeliveryOutcome } from './external/ack-after-durable.js';
export {
  type ExternalBrokerOptions,
  type ExternalConsumer,
  type ExternalConsumerStats,
  READINGS_FILTER,
  sharedReadingsFilter,
} from './external/consumer.js';
export { inboxId } from './inbox/inbox-id.js';
export { DEFAULT_HELD_EXPIRY_DAYS, InboxReplayer, type ReplayResult } from './inbox/inbox-replay.js';
export {
  type InboxEntry,
  type InboxStats,
  InboxStore,
  type InboxStoreOptions,
  type OpenItem,
} from './inbox/inbox-store.js';
export { importLegacyHeld, LEGACY_HELD_FILE } from './inbox/legacy-held.js';
export {
  DEFAULT_GZIP_THRESHOLD_BYTES,
  type GzipMode,
  gzipThresholdFor,
  isLoopbackUrl,
} from './influx/compression.js';
export {
  influxIdent,
  influxString,
  type PointFields,
  type PointKey,
  PointQuery,
} from './influx/point-query.js';
export { fieldsLine, toLine } from './influx/points.js';
export { detectInfluxVersion, v2BucketFor, type WriteApiKind, writeApiFor } from './influx/version.js';
export { WriteBatcher } from './influx/write-batcher.js';
export {
  codeForStatus,
  createInfluxWriter,
  ensureDatabase,
  type InfluxTarget,
  type PointWriter,
  type WriteCallOptions,
  type WriterOptions,
} from './influx/writer.js';
export { type ListenerConfig, type Listeners, startListeners, WS_PATH } from './listeners/listeners.js';
export { main } from './main.js';
export { createIngestMetrics, type IngestMetrics } from './metrics.js';
export { type Claim, claimFor } from './moves/claim.js';
export {
  MOVES_CHANNEL,
  MoveExecutor,
  type MoveExecutorDeps,
  type MoveSnapshot,
} from './moves/move-executor.js';
export { DurableSink, type DurableSinkOptions, type DurableSinkStats } from './pipeline/durable-sink.js';
export { InfluxHealth } from './pipeline/influx-health.js';
export {
  parseRegistryChange,
  REGISTRY_CHANNEL,
  type RegistryChange,
} from './registry/change-feed.js';
export { openRegistryPool, pgListen, pgRegistryClient } from './registry/pg-listen.js';
export {
  createRegistryReadModel,
  type RegistryReadModel,
  type RegistryReadModelOptions,
} from './registry/read-model.js';
export { type RegistrySync, type RegistrySyncOptions, startRegistrySync } from './registry/registry-sync.js';
export {
  createDeviceAccountResolver,
  type DeviceAccount,
  type DeviceAccountResolver,
  type SqlClient,
} from './registry/resolver.js';
export * from './rollups/index.js';
export { type IngestService, type IngestServiceDeps, startIngest } from './service.js';
export {
  openSpool,
  Spool,
  type SpooledBatch,
  type SpoolOptions,
  type SpoolRecovery,
  type SpoolStats,
} from './spool/spool.js';
export {
  type DeadLetterFilter,
  type DeadLetterOptions,
  DeadLetterStore,
  readDeadLetters,
} from './store/dead-letters.js';
export type { HeldOptions } from './store/held-options.js';
export {
  type FileQuarantine,
  memoryQuarantine,
  openFileQuarantine,
  type QuarantineEntry,
  type QuarantineStore,
} from './store/quarantine.js';
