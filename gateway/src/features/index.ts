export { deviceInfoFeature } from './device-info.js';
export { type HistoryOptions, historyFeature } from './history.js';
export {
  DEFAULT_RECONNECT_POLICY,
  type ReconnectPolicy,
  ReconnectScheduler,
  realSchedule,
  type Schedule,
} from './reconnect.js';
export { rawDateTimeMs, type TimeSyncOptions, timeSyncFeature } from './time-sync.js';
export { type DeviceFeature, GattTable, type LinkSession, type ReadingTransform } from './types.js';
export { type ScaleUserConfig, type UserConsentOptions, userConsentFeature } from './user-consent.js';
