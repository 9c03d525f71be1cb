export { AdvertReadings, type AdvertReadingsOptions } from './advert-readings.js';
export {
  AttributionHint,
  type AttributionHintOptions,
  attributionHintFeature,
  type HouseholdMember,
  type ReadingHint,
  weightHint,
} from './attribution-hint.js';
export { type BcmAssemblyOptions, bcmAssemblyFeature } from './bcm-assembly.js';
export {
  CURSOR_FILE,
  type CursorStore,
  FileCursorStore,
  type HistoryCursor,
  MemoryCursorStore,
} from './cursor-store.js';
export { deviceInfoFeature } from './device-info.js';
export { type HistoryOptions, historyFeature } from './history.js';
export { type HistorySyncResult, RacpSync, type RacpSyncOptions, racpSyncFeature } from './racp-sync.js';
export {
  DEFAULT_RECONNECT_POLICY,
  type ReconnectPolicy,
  ReconnectScheduler,
  realSchedule,
  type Schedule,
} from './reconnect.js';
export { rawDateTimeMs, type TimeSyncOptions, timeSyncFeature } from './time-sync.js';
export {
  type DecodedFrame,
  type DeviceFeature,
  type FrameDecoder,
  GattTable,
  type LinkSession,
  type ReadingTransform,
} from './types.js';
export { type ScaleUserConfig, type UserConsentOptions, userConsentFeature } from './user-consent.js';
