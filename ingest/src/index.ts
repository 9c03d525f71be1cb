export { createIngestBroker, notifyGateway } from './broker/broker.js';
export { createGatewayTokenVerifier } from './broker/gateway-auth.js';
export { createReadingsHandler } from './broker/readings-handler.js';
export { type IngestConfig, IngestConfigSchema, loadIngestConfig } from './config.js';
export { INGEST_ERRORS, IngestError, type IngestErrorCode } from './errors.js';
export { toLine } from './influx/points.js';
export { detectInfluxVersion, type WriteApiKind, writeApiFor } from './influx/version.js';
export { WriteBatcher } from './influx/write-batcher.js';
export { createInfluxWriter, ensureDatabase, type InfluxTarget, type PointWriter } from './influx/writer.js';
export { main } from './main.js';
export { createIngestMetrics, type IngestMetrics } from './metrics.js';
export {
  createDeviceAccountResolver,
  type DeviceAccountResolver,
  type SqlClient,
} from './registry/resolver.js';
export { type IngestService, type IngestServiceDeps, startIngest } from './service.js';
export {
  memoryQuarantine,
  openFileQuarantine,
  type QuarantineEntry,
  type QuarantineStore,
} from './store/quarantine.js';
