export { type Clock, ManualClock, systemClock } from './clock.js';
export { BpCuff, SmartScale } from './devices/idle-devices.js';
export { type SentHeartRate, Wristband, type WristbandOptions } from './devices/wristband.js';
export { createSimulatedHome, type SimulatedHomeOptions } from './home.js';
export {
  type CharacteristicSim,
  SIM_ERRORS,
  SimGattError,
  SimPeripheral,
  type ValueListener,
} from './peripheral.js';
export { createHeartRateModel, rrFromBpm } from './physiology/heart-rate.js';
export { createRng, normal } from './prng.js';
export { InMemoryRadio } from './transport/in-memory.js';
