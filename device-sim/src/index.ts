export { type Clock, ManualClock, systemClock } from './clock.js';
export * from './devices/index.js';
export { type SentHeartRate, Wristband, type WristbandOptions } from './devices/wristband.js';
export type { DeviceKind, FaultVariant } from './faults/types.js';
export * from './fleet/index.js';
export {
  DISCONNECT_REASONS,
  type DisconnectReason,
  type PairingAgent,
  SimConnection,
  type ValueListener,
} from './gatt/connection.js';
export { ATT, SIM_ERRORS, type SimErrorCode, SimGattError } from './gatt/errors.js';
export type {
  Advertisement,
  AttContext,
  AttSecurity,
  CccdMode,
  CharacteristicDef,
  CharProperty,
  DescriptorDef,
  PairingMethod,
  PairingSpec,
  ServiceDef,
  ValueKind,
} from './gatt/types.js';
export {
  createDevice,
  DEMO_SCALE_USERS,
  DEVICE_KINDS,
  type DeviceBuild,
  type DeviceKindInfo,
  deviceKind,
  FAULTS,
  findFault,
} from './home/catalog.js';
export {
  type DemoHistory,
  type DemoHistoryOptions,
  type DemoSchedule,
  demoHouseholdSchedule,
  demoSchedule,
  generateDemoHistory,
  type HistoryRecord,
  type MeasureWindow,
  measurementGaps,
  runSchedule,
  scheduledOffsets,
} from './home/demo-schedule.js';
export {
  createSimulatedHome,
  DEFAULT_ACTIVITY_MS,
  DEMO_DEPENDENT,
  DEMO_HOME_DEVICES,
  type DeviceDescription,
  type HomeDevice,
  type HomeDeviceSpec,
  SimHome,
  type SimHomeOptions,
  type SimulatedHomeOptions,
} from './home/home.js';
export { type FrameFilter, type PeripheralOptions, SimPeripheral, type WireRecord } from './peripheral.js';
export { createHeartRateModel, rrFromBpm } from './physiology/heart-rate.js';
export { createRng, normal } from './prng.js';
export * from './scales/index.js';
export { DeviceClock, type DeviceClockOptions, UNSET_1970, UNSET_2000 } from './services/device-clock.js';
export * from './transport/bluez/index.js';
export { InMemoryRadio, scanResultOf } from './transport/in-memory.js';
export * from './transport/noble/index.js';
