import { SERVICE } from '../uuids.js';
import {
  bloodPressureBlock,
  continuousBlock,
  heartRateBlock,
  spotCheckBlock,
  temperatureBlock,
} from './blocks.js';
import { bodyCompositionBlock, weightBlock } from './scale-blocks.js';
import type { DeviceProfile } from './types.js';

/** One profile per SIG health service: any device exposing the service is handled by its blocks. */
export const GENERIC_PROFILES: readonly DeviceProfile[] = [
  {
    id: 'sig.heart-rate',
    vendor: 'Bluetooth SIG',
    model: 'Heart Rate Service',
    kind: 'wristband',
    match: { services: [SERVICE.heartRate] },
    blocks: [heartRateBlock],
  },
  {
    id: 'sig.blood-pressure',
    vendor: 'Bluetooth SIG',
    model: 'Blood Pressure Service',
    kind: 'bp_cuff',
    match: { services: [SERVICE.bloodPressure] },
    blocks: [bloodPressureBlock],
  },
  {
    id: 'sig.health-thermometer',
    vendor: 'Bluetooth SIG',
    model: 'Health Thermometer Service',
    kind: 'thermometer',
    match: { services: [0x1809] },
    blocks: [temperatureBlock],
  },
  {
    id: 'sig.pulse-oximeter',
    vendor: 'Bluetooth SIG',
    model: 'Pulse Oximeter Service',
    kind: 'pulse_oximeter',
    match: { services: [0x1822] },
    blocks: [spotCheckBlock, continuousBlock],
  },
  // A WSS scale with body composition usually includes BCS as a secondary service; both blocks are listened to.
  {
    id: 'sig.weight-scale',
    vendor: 'Bluetooth SIG',
    model: 'Weight Scale Service',
    kind: 'scale',
    match: { services: [SERVICE.weightScale] },
    blocks: [weightBlock, bodyCompositionBlock],
  },
  {
    id: 'sig.body-composition',
    vendor: 'Bluetooth SIG',
    model: 'Body Composition Service',
    kind: 'scale',
    match: { services: [SERVICE.bodyComposition] },
    blocks: [bodyCompositionBlock],
  },
];
