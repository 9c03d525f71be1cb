export { createIngestBroker, notifyGateway } from './broker/broker.js';
export {
  type CommandChannel,
  createCommandChannel,
  type SendCommand,
  type SendCommandOptions,
} from './broker/commands.js';
export { createGatewayTokenVerifier } from './broker/gateway-auth.js';
export { createReadingsHandler } from './broker/readings-handler.js';
export { type ClusterOptions, isLocalOnlyTopic } from './cluster/redis-backplane.js';
export { redisOptionsFromUrl } from './cluster/redis-url.js';
export { type IngestConfig, IngestConfigSchema, loadIngestConfig } from './config.js';
export { INGEST_ERRORS, IngestError, type IngestErrorCode } from './errors.js';
export type { DeliveryOutcome } from './external/ack-after-durable.js';
export {
  type ExternalBrokerOptions,
  type ExternalConsumer,
  type ExternalConsumerStats,
  READINGS_FILTER,
  sharedReadingsFilter,
} from './external/consumer.js';
export {
  DEFAULT_GZIP_THRESHOLD_BYTES,
  type GzipMode,
  gzipThresholdFor,
  isLoopbackUrl,
} from './influx/compression.js';
export { toLine } from './influx/points.js';
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
export { main } from './main.js';
export { createIngestMetrics, type IngestMetrics } from './metrics.js';
export { DurableSink, type DurableSinkOptions, type DurableSinkStats } from './pipeline/durable-sink.js';
export { InfluxHealth } from './pipeline/influx-health.js';
export {
  createDeviceAccountResolver,
  type DeviceAccountResolver,
  type SqlClient,
} from './registry/resolver.js';
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
  memoryQuarantine,
  openFileQuarantine,
  type QuarantineEntry,
  type QuarantineStore,
} from './store/quarantine.js';
