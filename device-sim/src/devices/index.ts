export { VITALS_FAULTS } from '../faults/vitals.js';
export {
  BloodPressureCuff,
  type BloodPressureCuffOptions,
  type CuffReading,
  type CuffUser,
} from './bp-cuff.js';
export { PulseOximeter, type PulseOximeterOptions, type SpotCheck } from './pulse-oximeter.js';
export { Thermometer, type ThermometerOptions, type ThermometerReading } from './thermometer.js';
export { type SentHeartRate, Wristband, type WristbandOptions } from './wristband.js';
