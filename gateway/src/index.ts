export * from './capture/index.js';
export * from './commands/index.js';
export { startDeviceSession } from './device-session.js';
export { GATEWAY_ERRORS, GatewayError, type GatewayErrorCode } from './errors.js';
export { GatewayEventBus, type GatewayEvents, type OutboxRefusal } from './events.js';
export {
  AttributionHint,
  type AttributionHintOptions,
  attributionHintFeature,
  type BcmAssemblyOptions,
  bcmAssemblyFeature,
  CURSOR_FILE,
  type CursorStore,
  DEFAULT_RECONNECT_POLICY,
  type DecodedFrame,
  type DeviceFeature,
  deviceInfoFeature,
  FileCursorStore,
  type FrameDecoder,
  GattTable,
  type HistoryCursor,
  type HistoryOptions,
  type HistorySyncResult,
  type HouseholdMember,
  historyFeature,
  type LinkSession,
  MemoryCursorStore,
  RacpSync,
  type RacpSyncOptions,
  type ReadingHint,
  type ReadingTransform,
  type ReconnectPolicy,
  ReconnectScheduler,
  racpSyncFeature,
  rawDateTimeMs,
  type ScaleUserConfig,
  type Schedule,
  type TimeSyncOptions,
  timeSyncFeature,
  type UserConsentOptions,
  userConsentFeature,
  weightHint,
} from './features/index.js';
export { createGateway, type Gateway, type GatewayDeps, type GatewayStats } from './gateway.js';
export * from './onboarding/index.js';
export { DurableOutbox, type DurableOutboxOptions, type OutboxItem } from './outbox/durable-outbox.js';
export { type OutboxStats, readOutboxStats } from './outbox/outbox-stats.js';
export { rekeyReading, toWireReading } from './reading-factory.js';
export { SCALE_USERS_FILE, ScaleUserStore } from './state/scale-users.js';
export { UNPAIRED_FILE, UnpairedDevices } from './state/unpaired-devices.js';
export * from './transport/noble/index.js';
export * from './transport/node-ble/index.js';
export { backoffDelay, type RetryPolicy } from './uplink/backoff.js';
export { type BatcherOptions, ReadingBatcher } from './uplink/batcher.js';
export {
  connectMqttUplink,
  DEFAULT_RECONNECT,
  type MqttUplink,
  type MqttUplinkOptions,
  type MqttUplinkTls,
  type Uplink,
} from './uplink/mqtt-uplink.js';
export { DEFAULT_PUBLISH_RETRY, OutboxPump, type OutboxPumpOptions } from './uplink/outbox-pump.js';
export { createReadingTaker, type ReadingTaker, type ReadingTakerDeps } from './uplink/reading-taker.js';
